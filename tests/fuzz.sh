#!/bin/sh
# tests/fuzz.sh — build every tests/fuzz/fuzz_*.c as a libFuzzer target
# (clang, ASan+UBSan) against the ecosystem parsers and run each for
# FUZZ_SECONDS (default 10 in `make check`; `make fuzz` runs 300).
# A crash leaves its input in tests/out/fuzz/ and fails the target; every
# crash found becomes a unit test (tests/unit/test_eco_*.c).
cd "$(dirname "$0")/.." || exit 2
secs=${FUZZ_SECONDS:-10}
out=tests/out/fuzz
mkdir -p "$out"
parsers="$(ls hub/eco/*.c)"
pass=0
fail=0
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	bin=build/fuzz/$name
	mkdir -p build/fuzz "$out/$name.corpus"
	if ! clang -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
		-Ihub $(pkg-config --cflags libcjson) "$src" $parsers -o "$bin" -lcjson -lm 2>"$out/$name.build.log"; then
		echo "not ok - $name does not build (see $out/$name.build.log)"
		fail=$((fail + 1))
		continue
	fi
	if "$bin" -max_total_time="$secs" -rss_limit_mb=1024 -artifact_prefix="$out/" \
		"$out/$name.corpus" >"$out/$name.log" 2>&1; then
		echo "ok - $name: $(grep -o 'Done [0-9]* runs' "$out/$name.log" | tail -n 1) in ${secs}s"
		pass=$((pass + 1))
	else
		echo "not ok - $name crashed: $(grep -m1 -E 'ERROR|runtime error' "$out/$name.log")"
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
