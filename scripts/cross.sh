#!/bin/sh
# cross.sh — build mlab-hub for the Raspberry Pi (arm64, armhf) on a Debian 12
# PC with Debian's cross toolchains and multiarch -dev packages, and run the
# unit tests under qemu-user.
#
# Usage: scripts/cross.sh [ARCH...] [deps|build|check|env]
#   ARCH   arm64 (Pi 3/4/5, 64-bit OS) or armhf (32-bit OS); default: both
#   deps   install what is missing (dpkg --add-architecture, apt-get)
#   build  deps, then hub + device programs into build/cross-ARCH/   (default)
#   check  deps, then the unit tests (tests/unit/test_*.c + hub/*.c minus
#          main.c, no sanitizers) built into build/cross-ARCH/tests/ and run
#          under qemu-user, then the cross-built hub itself (config check,
#          /healthz, clean stop); ends with "N passed, N failed"
#   env    deps, then print MLAB_CC, MLAB_PKG_CFLAGS and MLAB_PKG_LIBS as
#          shell assignments (for one ARCH): what scripts/deb.sh hands the
#          package build
# Environment: CROSS_CACHE (default ~/.cache/mlab-hub-cross) holds sysroots;
#   CROSS_TESTS="a.c b.c" replaces the list of unit-test sources,
#   CROSS_LIB="hub/x.c ..." the hub sources they are linked with;
#   CFLAGS (default -O2 -g); JOBS (default: nproc).
# Needs root or sudo for the package step only.
set -eu

cd "$(dirname "$0")/.."
arches=
what=build
for a in "$@"; do
	case "$a" in
	arm64|armhf) arches="$arches $a" ;;
	deps|build|check|env) what=$a ;;
	*) echo "cross.sh: unknown argument '$a' (want arm64, armhf, deps, build, check or env)" >&2; exit 2 ;;
	esac
done
[ -n "$arches" ] || arches="arm64 armhf"

# libwebsockets is handled apart: Debian 12's libwebsockets-dev (4.1.6-3) is
# "Multi-Arch: same" but ships an architecture-specific /usr/include/lws_config.h,
# so dpkg refuses to install it for two architectures ("trying to overwrite
# shared '/usr/include/lws_config.h', which is different from other instances").
# We install the runtime library (libwebsockets17:ARCH) and the -dev package's
# dependencies normally, and unpack libwebsockets-dev:ARCH into
# $CROSS_CACHE/ARCH/sysroot/, searched before /usr/include.
PKGS="libmosquitto sqlite3 libgpiod libcjson libargon2 libsystemd libcap libcrypto zlib"
DEVS="libmosquitto-dev libsqlite3-dev libgpiod-dev libcjson-dev libargon2-dev libsystemd-dev libcap-dev libssl-dev libuv1-dev zlib1g-dev libwebsockets17"
CFLAGS=${CFLAGS:--O2 -g}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
# sysroots live outside build/: the Makefile includes every build/**/*.d,
# and a Debian tree has directories named like that (etc/ld.so.conf.d)
CROSS_CACHE=${CROSS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mlab-hub-cross}
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

triplet() {
	case "$1" in
	arm64) echo aarch64-linux-gnu ;;
	armhf) echo arm-linux-gnueabihf ;;
	esac
}
qemu_of() {
	case "$1" in
	arm64) echo qemu-aarch64 ;;
	armhf) echo qemu-arm ;;
	esac
}

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# deps ARCH: the cross compiler, the target's -dev packages, qemu-user.
deps() {
	arch=$1 t=$(triplet "$1")
	missing=
	# a private sysroot made earlier (see full_sysroot): nothing more to install
	[ -f "$CROSS_CACHE/$arch/sysroot/.full" ] && installed "gcc-$t" && return 0
	if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
		echo "cross.sh: adding dpkg architecture $arch"
		$SUDO dpkg --add-architecture "$arch"
		need_update=1
	fi
	for p in gcc-$t pkg-config qemu-user-static; do
		installed "$p" || missing="$missing $p"
	done
	for p in $DEVS; do
		installed "$p:$arch" || missing="$missing $p:$arch"
	done
	[ -n "$missing" ] || { lws_sysroot "$arch"; return 0; }
	echo "cross.sh: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	if [ -n "${need_update:-}" ] || ! ls /var/lib/apt/lists/*_binary-"$arch"_Packages* >/dev/null 2>&1; then
		# a mirror caught mid-sync fails one index; what did download may suffice
		$SUDO apt-get update -q || echo "cross.sh: apt-get update reported errors; trying anyway" >&2
	fi
	if ! $SUDO apt-get install -y -q --no-install-recommends $missing; then
		echo "cross.sh: apt-get could not install the $arch packages above: multiarch" >&2
		echo "cross.sh: packages must have exactly the host's versions, and this machine's" >&2
		echo "cross.sh: package lists do not offer them (a mirror mid-sync, a missing" >&2
		echo "cross.sh: security index).  Falling back to a private sysroot." >&2
		full_sysroot "$arch"
		return
	fi
	lws_sysroot "$arch"
}

# full_sysroot ARCH: when multiarch cannot be installed, the compiler alone
# plus the target's libc, -dev and library packages fetched with apt-get
# download and unpacked, without dpkg, into $CROSS_CACHE/ARCH/sysroot/ (marked
# by .full), used with gcc --sysroot and qemu -L.
full_sysroot() {
	arch=$1 t=$(triplet "$1") sr=$CROSS_CACHE/$1/sysroot
	[ -f "$sr/.full" ] && return 0
	for p in gcc-$t pkg-config qemu-user-static; do
		installed "$p" || $SUDO apt-get install -y -q --no-install-recommends "$p" || return 1
	done
	rm -rf "$sr" "$CROSS_CACHE/$arch/debs"
	mkdir -p "$sr" "$CROSS_CACHE/$arch/debs"
	pk=
	for p in $DEVS libwebsockets-dev libssl3 libcap2 zlib1g libuv1 libev4 libsqlite3-0 libgpiod2 \
		libcjson1 libargon2-1 libsystemd0 liblzma5 libzstd1 liblz4-1 libgcrypt20 libgpg-error0 \
		libmosquitto1 libwebsockets17 libc6 libc6-dev linux-libc-dev libgcc-s1; do
		pk="$pk $p:$arch"
	done
	# shellcheck disable=SC2086
	(cd "$CROSS_CACHE/$arch/debs" && apt-get download -q $pk) || {
		echo "cross.sh: apt-get download of the $arch packages failed" >&2; return 1; }
	# each package also raw-extracted (files + DEBIAN/) under pkgs/: the
	# shlibs and symbols files there let dpkg-shlibdeps (-S) name the
	# packages a .deb built against this sysroot depends on
	rm -rf "$CROSS_CACHE/$arch/pkgs"; mkdir -p "$CROSS_CACHE/$arch/pkgs"
	for d in "$CROSS_CACHE/$arch/debs"/*.deb; do
		dpkg-deb -x "$d" "$sr"
		dpkg-deb -R "$d" "$CROSS_CACHE/$arch/pkgs/$(basename "$d" .deb)"
	done
	# absolute links (usr/lib/T/libm.so -> /lib/T/libm.so.6) would point
	# at the host, where nothing of ARCH lives, and the linker would fall
	# back to the static libm.a (a GLIBC_PRIVATE errno in the binary):
	# point them into the sysroot
	find "$sr" -type l | while read -r l; do
		case $(readlink "$l") in /*) ln -sfn "$sr$(readlink "$l")" "$l" ;; esac
	done
	: >"$sr/.full"
	echo "cross.sh: $arch libraries unpacked into $sr"
}

# lws_sysroot ARCH: libwebsockets-dev:ARCH unpacked into $CROSS_CACHE/ARCH/sysroot.
lws_sysroot() {
	sr=$CROSS_CACHE/$1/sysroot
	[ -f "$sr/usr/include/lws_config.h" ] && return 0
	mkdir -p "$sr" "$CROSS_CACHE/$1/debs"
	echo "cross.sh: unpacking libwebsockets-dev:$1 into $sr"
	(cd "$CROSS_CACHE/$1/debs" && apt-get download -q "libwebsockets-dev:$1") || {
		echo "cross.sh: apt-get download libwebsockets-dev:$1 failed" >&2; exit 1; }
	dpkg-deb -x "$CROSS_CACHE/$1/debs"/libwebsockets-dev_*_"$1".deb "$sr"
	# its libwebsockets.so points at libwebsockets.so.17, which lives in the
	# real /usr/lib/TRIPLET (libwebsockets17:ARCH); without that the linker
	# would take the static libwebsockets.a.  Link to the shared one.
	t=$(triplet "$1")
	so=$(basename "$(readlink "$sr/usr/lib/$t/libwebsockets.so")")
	[ -e "/usr/lib/$t/$so" ] || { echo "cross.sh: /usr/lib/$t/$so missing (libwebsockets17:$1)" >&2; exit 1; }
	ln -sf "/usr/lib/$t/$so" "$sr/usr/lib/$t/libwebsockets.so"
	rm -f "$sr/usr/lib/$t/libwebsockets.a"
}

# env_for ARCH: set CC, PKG_CONFIG_* for the target.
env_for() {
	t=$(triplet "$1")
	CC=$t-gcc
	SHLIBS_DIRS=
	PKG_CONFIG_LIBDIR=/usr/lib/$t/pkgconfig:/usr/share/pkgconfig
	PKG_CONFIG_PATH=
	PKG_CONFIG_SYSROOT_DIR=
	export PKG_CONFIG_LIBDIR PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
	command -v "$CC" >/dev/null || { echo "cross.sh: $CC not found (run: scripts/cross.sh $1 deps)" >&2; exit 1; }
	sr=$CROSS_CACHE/$1/sysroot
	QEMU_ROOT=/
	if [ -f "$sr/.full" ]; then
		CC="$t-gcc --sysroot=$sr"
		PKG_CONFIG_SYSROOT_DIR=$sr
		PKG_CONFIG_LIBDIR=$sr/usr/lib/$t/pkgconfig:$sr/usr/share/pkgconfig
		PCF=$(pkg-config --cflags $PKGS)
		PLIBS="-lwebsockets $(pkg-config --libs $PKGS) -lm -lpthread"
		QEMU_ROOT=$sr
		SHLIBS_DIRS=$(find "$CROSS_CACHE/$1/pkgs" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | sort | tr '\n' ' ')
		return 0
	fi
	PCF="-I$sr/usr/include $(pkg-config --cflags $PKGS)"
	PLIBS="-L$sr/usr/lib/$t -lwebsockets $(pkg-config --libs $PKGS) -lm -lpthread"
}

# compile OUTDIR SRC...: objects into OUTDIR/<src>.o, in parallel.  Keeps
# going past errors; the sources that failed are listed in OUTDIR/failed.
compile() {
	out=$1; shift
	mkdir -p "$out"
	: >"$out/failed"
	make -s build/gen/catalogue.h	# the report's labels, from web/i18n/
	[ $# -gt 0 ] || return 0
	printf '%s\n' "$@" | xargs -P "$JOBS" -I{} sh -c '
		out=$1 cc=$2 arch=$3 cflags=$4 pcf=$5 src=$6
		o="$out/$(dirname "$src")/$(basename "$src" .c).o"
		mkdir -p "$(dirname "$o")"
		if [ ! -f "$o" ] || [ "$src" -nt "$o" ] || [ -n "$(find hub build/gen tests/unit devices -name "*.h" -newer "$o" 2>/dev/null | head -n 1)" ]; then
			echo "  CC [$arch] $src"
			if ! $cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter $cflags $pcf \
				-Ihub -Ibuild/gen -Itests/unit -Idevices/common -c -o "$o" "$src" 2>"$o.err"; then
				cat "$o.err" >&2
				rm -f "$o"
				echo "$src" >>"$out/failed"
			elif [ -s "$o.err" ]; then
				cat "$o.err" >&2
			fi
		fi' sh "$out" "$CC" "$arch" "$CFLAGS" "$PCF" {}
}

obj() { # obj OUTDIR SRC...: print object paths
	out=$1; shift
	for s in "$@"; do printf '%s/%s/%s.o ' "$out" "$(dirname "$s")" "$(basename "$s" .c)"; done
}

build() {
	arch=$1 out=build/cross-$1
	env_for "$arch"
	make -s build/gen/version.h build/gen/openapi_json.h	# MLAB_VERSION; the API description
	hub_src=$(ls hub/*.c hub/*/*.c)
	dev_common=$(ls devices/common/*.c 2>/dev/null || true)
	dev_progs=$(ls devices/mlab-*.c 2>/dev/null || true)
	sim_src=$(ls devices/sim/*.c 2>/dev/null || true)
	# shellcheck disable=SC2086
	compile "$out" $hub_src $dev_common $dev_progs $sim_src
	if [ -s "$out/failed" ]; then
		echo "cross.sh: $arch: these sources do not compile:" $(cat "$out/failed") >&2
		exit 1
	fi
	mkdir -p "$out/bin"
	if [ -f hub/main.c ]; then
		# shellcheck disable=SC2086
		$CC $CFLAGS -o "$out/bin/mlab-hub" $(obj "$out" $hub_src) $PLIBS
		echo "cross.sh: built $out/bin/mlab-hub ($(file -b "$out/bin/mlab-hub" | cut -d, -f1-2))"
	else
		echo "cross.sh: hub/main.c does not exist yet; compiled the hub sources only"
	fi
	for p in $dev_progs; do
		# shellcheck disable=SC2086
		$CC $CFLAGS -o "$out/bin/$(basename "$p" .c)" $(obj "$out" "$p" $dev_common) $PLIBS
	done
	if [ -n "$sim_src" ]; then
		# shellcheck disable=SC2086
		$CC $CFLAGS -o "$out/bin/mlab-sim" $(obj "$out" $sim_src $dev_common) $PLIBS
	fi
}

# check ARCH: build and run the unit tests under qemu; sets npass/nfail.
check() {
	arch=$1 out=build/cross-$1
	env_for "$arch"
	lib_src=${CROSS_LIB:-$(ls hub/*/*.c || true)}
	tests=${CROSS_TESTS:-$(ls tests/unit/test_*.c 2>/dev/null || true)}
	if [ -z "$tests" ]; then
		echo "ok - $arch: no tests/unit/test_*.c yet (nothing to run)"
		return 0
	fi
	# tests/unit/stub_*.c stand in for hub/wire.c (the fan-out tables) as
	# in the Makefile's unit-test rules
	stubs=$(ls tests/unit/stub_*.c 2>/dev/null || true)
	# shellcheck disable=SC2086
	compile "$out" $lib_src $tests $stubs
	while IFS= read -r f; do
		echo "not ok - $arch: $f compiles"
		nfail=$((nfail + 1))
	done <"$out/failed"
	# the hub's objects in an archive: each test pulls in only what it uses,
	# so one broken source fails only the tests that need it
	rm -f "$out/libhub.a"
	# shellcheck disable=SC2086
	"$(triplet "$arch")-ar" rcs "$out/libhub.a" $(for o in $(obj "$out" $lib_src); do [ -f "$o" ] && echo "$o"; done)
	qemu=$(qemu_of "$arch")
	command -v "$qemu" >/dev/null || qemu=$qemu-static
	mkdir -p "$out/tests"
	for t in $tests; do
		name=$(basename "$t" .c)
		# shellcheck disable=SC2086
		if [ ! -f "$(obj "$out" "$t" | tr -d ' ')" ]; then
			continue	# already reported as not compiling
		fi
		# shellcheck disable=SC2086
		if ! $CC $CFLAGS -o "$out/tests/$name" $(obj "$out" "$t" $stubs) "$out/libhub.a" $PLIBS 2>"$out/tests/$name.link"; then
			echo "not ok - $arch $name: link failed:"; sed 's/^/#   /' "$out/tests/$name.link"
			nfail=$((nfail + 1))
			continue
		fi
		# -L /: the target's loader and libraries are installed multiarch
		# (/lib/ld-linux-*.so, /usr/lib/<triplet>/).
		if (cd tests/unit && "$qemu" -L "$QEMU_ROOT" "../../$out/tests/$name") >"$out/tests/$name.log" 2>&1; then
			echo "ok - $arch $name ($(tail -n 1 "$out/tests/$name.log"))"
			npass=$((npass + 1))
		else
			echo "not ok - $arch $name:"; sed 's/^/#   /' "$out/tests/$name.log" | tail -n 30
			nfail=$((nfail + 1))
		fi
	done
}

# smoke ARCH: the cross-built hub itself under qemu: checks the example config,
# starts, answers /healthz, stops cleanly on SIGTERM.
smoke() {
	arch=$1 out=build/cross-$1
	if ! (build "$arch") >"$out/build.log" 2>&1; then
		echo "not ok - $arch: make cross builds the hub"; tail -n 20 "$out/build.log" | sed 's/^/#   /'
		nfail=$((nfail + 1)); return 0
	fi
	[ -x "$out/bin/mlab-hub" ] || return 0
	env_for "$arch"
	qemu=$(qemu_of "$arch"); command -v "$qemu" >/dev/null || qemu=$qemu-static
	if "$qemu" -L "$QEMU_ROOT" "$out/bin/mlab-hub" -c scripts/mlab-hub.conf.example --check-config >/dev/null 2>&1; then
		echo "ok - $arch mlab-hub --check-config scripts/mlab-hub.conf.example"; npass=$((npass + 1))
	else
		echo "not ok - $arch mlab-hub --check-config scripts/mlab-hub.conf.example"; nfail=$((nfail + 1))
	fi
	command -v curl >/dev/null || return 0
	d=$(mktemp -d)
	port=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
	"$qemu" -L "$QEMU_ROOT" "$out/bin/mlab-hub" --set "store.path=$d/hub.db" --set "http.listen=127.0.0.1:$port" \
		--set broker.port=1 --set gpio.backend=none >"$d/log" 2>&1 &
	pid=$!
	got=
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		got=$(curl -s -m 2 "http://127.0.0.1:$port/healthz" || true)
		[ -z "$got" ] || break
		sleep 0.5
	done
	kill -TERM "$pid" 2>/dev/null || true
	rc=0; wait "$pid" || rc=$?
	case "$got" in
	# no broker here: "degraded", but answering
	*'"status":"ok"'* | *'"status":"degraded"'*) if [ "$rc" = 0 ]; then
		echo "ok - $arch mlab-hub runs under qemu: /healthz answers, SIGTERM exits 0"; npass=$((npass + 1))
		else echo "not ok - $arch mlab-hub exit status $rc after SIGTERM"; nfail=$((nfail + 1)); sed 's/^/#   /' "$d/log" | tail -n 10; fi ;;
	*) echo "not ok - $arch mlab-hub runs under qemu and answers /healthz"; nfail=$((nfail + 1)); sed 's/^/#   /' "$d/log" | tail -n 10 ;;
	esac
	rm -rf "$d"
}

npass=0 nfail=0
for a in $arches; do
	# in env mode stdout is eval'd by the caller: the install chatter goes to stderr
	if [ "$what" = env ]; then
		deps "$a" >&2 || { echo "cross.sh: $a: cross toolchain and -dev packages missing (see above)" >&2; exit 1; }
	elif ! deps "$a"; then
		echo "not ok - $a: cross toolchain and $a -dev packages installed (see above)"
		nfail=$((nfail + 1))
		continue
	fi
	case "$what" in
	deps) ;;
	env)
		env_for "$a" >&2
		# single-quoted for eval; none of these values holds a quote
		printf "MLAB_CC='%s'\nMLAB_PKG_CFLAGS='%s'\nMLAB_PKG_LIBS='%s'\nMLAB_SHLIBS_DIRS='%s'\n" \
			"$CC" "$PCF" "$PLIBS" "$SHLIBS_DIRS" ;;
	build) build "$a" ;;
	check) check "$a"; [ -n "${CROSS_TESTS:-}" ] || smoke "$a" ;;
	esac
done
if [ "$what" = check ]; then
	echo "$npass passed, $nfail failed"
fi
[ "$nfail" = 0 ]
