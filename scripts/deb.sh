#!/bin/sh
# deb.sh — the Debian packages (debian/): mlab-hub and mlab-hub-devices,
# into build/deb/ as mlab-hub_<version>_<arch>.deb and
# mlab-hub-devices_<version>_<arch>.deb.  `make deb [ARCH=…]` runs it.
#
# Usage: scripts/deb.sh [ARCH]
#   ARCH   the host's (default) or arm64 / armhf: a cross build with the
#          toolchain and multiarch libraries of `make cross` (scripts/cross.sh)
#
# The build runs dpkg-buildpackage in a clean copy of the tree
# (build/deb/mlab-hub-<version>/: the files git knows, or everything but
# build/ and node_modules/ outside git), so this checkout's own build/ and
# binaries are left alone.  The version is debian/changelog's.
# A cross build is `dpkg-buildpackage -a ARCH -Pcross,nocheck -d`: -d because
# Debian 12's libwebsockets-dev cannot be installed for two architectures at
# once (scripts/cross.sh unpacks the target's copy into a private sysroot and
# its flags reach debian/rules as MLAB_PKG_CFLAGS and MLAB_PKG_LIBS).
set -eu

cd "$(dirname "$0")/.."
host=$(dpkg --print-architecture)
arch=${1:-$host}
case "$arch" in
"$host" | arm64 | armhf) ;;
*) echo "deb.sh: unknown architecture '$arch' (want $host, arm64 or armhf)" >&2; exit 2 ;;
esac
scripts/deps.sh deb
version=$(dpkg-parsechangelog -S Version)
out=build/deb
src=$out/mlab-hub-$version
rm -rf "$src"
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z -co --exclude-standard | xargs -0 -I{} sh -c '[ -e "$1" ] && printf "%s\0" "$1"' _ {} |
		tar --null -T - -cf - | tar -xf - -C "$src"
else
	# (the package build's `make clean` drops any binaries that came along)
	tar --exclude=./build --exclude=./var --exclude=./tests/node_modules --exclude=./tests/out \
		-cf - . | tar -xf - -C "$src"
fi
rm -f "$out"/mlab-hub*_"$version"_"$arch".*
set -- -b -us -uc -j"$(nproc 2>/dev/null || echo 2)"
if [ "$arch" != "$host" ]; then
	vars=$(scripts/cross.sh "$arch" env)
	eval "$vars"
	export MLAB_CC MLAB_PKG_CFLAGS MLAB_PKG_LIBS MLAB_SHLIBS_DIRS
	set -- "$@" -a"$arch" -Pcross,nocheck -d
fi
echo "deb.sh: dpkg-buildpackage $* in $src (log: $out/build-$arch.log)"
if ! (cd "$src" && dpkg-buildpackage "$@") >"$out/build-$arch.log" 2>&1; then
	tail -n 30 "$out/build-$arch.log" >&2
	echo "deb.sh: dpkg-buildpackage failed (whole log: $out/build-$arch.log)" >&2
	exit 1
fi
rm -rf "$src"
for d in "$out"/mlab-hub*_"$version"_"$arch".deb; do
	echo "deb.sh: built $d"
done
