#!/bin/sh
# scripts/bench.sh — `make bench`: throughput, latency, memory and
# instructions per stored event, side by side with the bare broker.
# Prints a table and writes it, with the command, to BENCHMARKS.md.
# BENCH_QUICK=1 runs smaller counts (a smoke run, not for the record).
set -e
cd "$(dirname "$0")/.."
[ -d tests/node_modules ] || (cd tests && npm ci --no-audit --no-fund --loglevel=error)
MLAB_HUB_BIN=${MLAB_HUB_BIN:-$(pwd)/hub/mlab-hub} exec node scripts/bench.mjs "$@"
