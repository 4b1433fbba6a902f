#!/bin/sh
# tests/run.sh — every test suite, one after another; the last line sums
# them up as "N passed, N failed".  Called by `make check`.
#   unit:  build/asan/tests/test_*   (C, ASan/UBSan)
#   fuzz:  tests/fuzz.sh             (libFuzzer, a few seconds per parser)
#   int:   tests/int/*.mjs, *.sh     (real mosquitto, real hub)
#   attack: tests/attack/*.mjs     (issue 13: roles × routes, hostile input, limits)
#   web:   tests/web/*.mjs           (real Chromium)
# ONLY=substring runs the suites whose file name contains it.
cd "$(dirname "$0")/.." || exit 2
out=tests/out
mkdir -p "$out"
pass=0
fail=0
broken=""

suite() {	# name command...
	name=$1
	shift
	case "$name" in *"${ONLY:-}"*) ;; *) return 0 ;; esac
	log="$out/$(echo "$name" | tr '/' '_').log"
	start=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	p=$(echo "$line" | sed -E 's/^([A-Za-z]+: )?([0-9]+) passed.*/\2/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	[ -n "$line" ] || { p=0; f=1; }
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1	# crashed or leaked after its summary
	pass=$((pass + p))
	fail=$((fail + f))
	printf '%-40s %4s passed, %s failed  (%ss)\n' "$name" "$p" "$f" "$(($(date +%s) - start))"
	if [ "$f" -ne 0 ]; then
		broken="$broken $name"
		grep -E '^(not ok|FAIL|  .*failed|.*ERROR: AddressSanitizer|.*runtime error)' "$log" | head -20 | sed 's/^/    /'
		echo "    (full log: $log)"
	fi
}

if [ ! -d tests/node_modules ] || [ tests/package.json -nt tests/node_modules ]; then
	(cd tests && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1 ||
		npm install --no-audit --no-fund --loglevel=error >/dev/null) || echo "npm install failed"
fi

for t in build/asan/tests/test_*; do
	# a binary left from a renamed or removed test is not a suite
	[ -x "$t" ] && [ -f "tests/unit/$(basename "$t").c" ] && suite "unit/$(basename "$t")" "$t"
done
[ -x tests/fuzz.sh ] && suite "fuzz" tests/fuzz.sh
for t in tests/int/*.mjs tests/int/*.sh tests/attack/*.mjs tests/web/*.mjs; do
	[ -f "$t" ] || continue
	case "$t" in
	*.mjs) suite "${t#tests/}" node "$t" ;;
	*.sh) suite "${t#tests/}" sh "$t" ;;
	esac
done
[ -n "$broken" ] && echo "failing:$broken"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
