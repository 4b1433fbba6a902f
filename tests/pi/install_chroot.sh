#!/bin/sh
# install_chroot.sh — the Debian package and scripts/install-pi.sh (a thin
# layer over it) end to end on a fresh Debian bookworm (what Raspberry Pi OS
# is built on), in a throwaway root:
#   fresh system -> install (make deb, apt-get install ./mlab-hub_*.deb) ->
#   running hub (health, broker, admin login, dashboard, a device added, a
#   backup) -> install again changes nothing -> an upgrade to a new version
#   and the package over itself (dpkg -i), the changed conffile kept ->
#   uninstall = apt-get remove (keeps the data) -> install again reuses the
#   data -> uninstall --purge = apt-get purge (what is left).
# `make check-install` runs it.  Needs root and Debian's mirror; takes minutes,
# so it is not part of `make check`.  Last line: "N passed, N failed".
#
# The root is `debootstrap --variant=minbase bookworm`, plus `apt-get update`
# and sudo and procps (as on Raspberry Pi OS Lite), cached in $MLAB_CHROOT_CACHE (default ~/.cache/mlab-hub-chroot/);
# each run copies it, so it starts from the same fresh system.  Downloaded
# .deb files are cached there too.  A user `pi` (sudo without password, as on
# Raspberry Pi OS) owns a copy of this checkout (tracked and untracked files,
# not build/) and runs `sudo scripts/install-pi.sh`, as docs/pi.md says.
#
# No systemd runs in a chroot: tests/pi/systemctl-shim.sh stands in for
# systemctl, records its calls, and really starts mosquitto and mlab-hub from
# their installed unit files (user, groups, StateDirectory, umask, the notify
# socket: `start` waits for READY=1).  Not verified here: systemd's sandboxing
# of the unit, the watchdog's restart, boot ordering (tests/int/pi_systemd.sh
# checks the units), GPIO hardware, ARM (make check-cross).
#
# The hub and broker listen on the host's ports 8080 and 1883 (a chroot shares
# the network): both must be free.
# Environment: MLAB_CHROOT_CACHE, MLAB_MIRROR (default
# http://deb.debian.org/debian), KEEP=1 keeps the root (its path is printed).
set -eu

cd "$(dirname "$0")/../.."
repo=$(pwd)
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
nok() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { # check DESCRIPTION COMMAND...
	d=$1; shift
	if "$@"; then ok "$d"; else nok "$d"; fi
}
note() { echo "# $*"; }
t0=$(date +%s)
finished=
finish() {
	finished=1
	note "took $(($(date +%s) - t0)) s"
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit
}

[ "$(id -u)" = 0 ] || { nok "runs as root (sudo make check-install)"; finish; }
cache=${MLAB_CHROOT_CACHE:-$HOME/.cache/mlab-hub-chroot}
mirror=${MLAB_MIRROR:-http://deb.debian.org/debian}
# what a Raspberry Pi OS Lite image has beyond minbase and the tests need:
# sudo (docs/pi.md's `sudo scripts/install-pi.sh`) and procps (/bin/kill, the
# ExecReload= of mosquitto.service and mlab-hub.service)
base_pkgs="sudo procps"
base=$cache/bookworm-minbase+$(echo $base_pkgs | tr ' ' '+')
debs=$cache/debs
mkdir -p "$cache" "$debs/partial"

# --- mounts and processes of a root ----------------------------------------------
# mount_root DIR / umount_root DIR: DIR itself, /proc, a private /dev (tmpfs: the usual
# nodes and a new devpts instance) and the .deb cache.
mount_root() {
	mr=$1
	# the root is a private mount of its own, so that the shim's sandboxes
	# (unshare -m in the chroot) have a "/" to make private
	mount --bind "$mr" "$mr"
	mount --make-private "$mr"
	mount -t proc proc "$mr/proc"
	mount -t tmpfs -o mode=0755,size=16m mlab-dev "$mr/dev"
	for n in "null 1 3" "zero 1 5" "full 1 7" "random 1 8" "urandom 1 9" "tty 5 0"; do
		# shellcheck disable=SC2086
		set -- $n
		mknod -m 666 "$mr/dev/$1" c "$2" "$3"
	done
	mkdir -p "$mr/dev/pts" "$mr/dev/shm"
	mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$mr/dev/pts"
	ln -sf pts/ptmx "$mr/dev/ptmx"
	ln -sf /proc/self/fd "$mr/dev/fd"
	mount --bind "$debs" "$mr/var/cache/apt/archives"
}
# kill_root DIR: end the processes whose root is DIR (the broker and hub the
# shim started), by pid
# shim started), by pid: those whose /proc/PID/root is DIR or below, and those
# the shim's pid files name (a sandboxed one has its own mount namespace)
kill_root() {
	r=$(readlink -f "$1")
	for sig in TERM KILL; do
		found=
		for p in /proc/[0-9]*; do
			case "$(readlink "$p/root" 2>/dev/null)" in "$r" | "$r"/*) ;; *) continue ;; esac
			kill -s "$sig" "${p#/proc/}" 2>/dev/null && found=1
		done
		for f in "$r"/run/systemctl-shim/*.pid; do
			[ -f "$f" ] || continue
			p=$(cat "$f")
			# only if it still runs one of the programs the shim starts
			case "$(tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | head -n 1)" in
			/usr/bin/mlab-hub | /usr/sbin/mosquitto | /usr/local/lib/systemctl-shim/notifyd | */mlab-hub-backup) ;;
			*) continue ;;
			esac
			kill -s "$sig" "$p" 2>/dev/null && found=1
		done
		[ -n "$found" ] || break
		sleep 1
	done
	rm -f "$r"/run/systemctl-shim/*.pid
}
umount_root() {
	r=$(readlink -f "$1")
	kill_root "$r"
	for m in var/cache/apt/archives dev/pts dev proc ""; do
		if mountpoint -q "$r/$m" 2>/dev/null; then umount "$r/$m" || umount -l "$r/$m"; fi
	done
}
# remove_root DIR: only once nothing is mounted under it
remove_root() {
	umount_root "$1"
	if grep -Eq " $(readlink -f "$1")[/ ]" /proc/self/mounts; then
		echo "# not removing $1: still mounted" >&2
		return 1
	fi
	rm -rf --one-file-system "$1"
}

# leftovers of runs that died (their pid is gone)
for d in "$cache"/run.*; do
	[ -d "$d" ] || continue
	kill -0 "${d##*.}" 2>/dev/null || remove_root "$d" || true
done

# --- the fresh system (cached) ------------------------------------------------------
if [ ! -d "$base" ]; then
	command -v debootstrap >/dev/null || {
		note "installing debootstrap"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null 2>&1 ||
			{ apt-get update -q >/dev/null 2>&1 || true; DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null; }
	}
	note "debootstrap bookworm into $base (once; a few minutes)"
	rm -rf --one-file-system "$base.tmp"
	if ! debootstrap --variant=minbase bookworm "$base.tmp" "$mirror" >"$cache/debootstrap.log" 2>&1; then
		nok "debootstrap (log: $cache/debootstrap.log)"
		finish
	fi
	# what a Raspberry Pi OS image has and docs/pi.md's first step does
	cp /etc/resolv.conf "$base.tmp/etc/resolv.conf"
	mount_root "$base.tmp"
	if chroot "$base.tmp" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
		sh -c "apt-get update -q && apt-get install -y -q --no-install-recommends $base_pkgs" >"$cache/base.log" 2>&1; then
		umount_root "$base.tmp"
		mv "$base.tmp" "$base"
	else
		umount_root "$base.tmp"
		nok "apt-get update and $base_pkgs in the new root (log: $cache/base.log)"
		finish
	fi
else
	note "fresh system from the cache: $base"
fi

# --- this run's copy ---------------------------------------------------------------
busy=
for port in 1883 8080; do
	hex=$(printf '%04X' "$port")
	if awk -v h=":$hex" 'NR > 1 && $4 == "0A" && substr($2, length($2) - 4) == h { f = 1 } END { exit !f }' \
		/proc/net/tcp /proc/net/tcp6; then
		busy="$busy $port"
	fi
done
if [ -n "$busy" ]; then
	nok "ports 1883 and 8080 are free on this machine (in use:$busy)"
	finish
fi

root=$cache/run.$$
cleanup() {
	if [ -z "$finished" ]; then
		nok "the test itself stopped early (line above)"
		echo "$pass passed, $fail failed"
	fi
	if [ -n "${KEEP:-}" ]; then
		kill_root "$root"
		umount_root "$root"
		note "kept the root: $root"
	else
		remove_root "$root" || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
note "copying the fresh system to $root"
cp -a "$base" "$root"
cp /etc/resolv.conf "$root/etc/resolv.conf"
printf '127.0.1.1\t%s\n' "$(hostname)" >>"$root/etc/hosts"
mount_root "$root"
# a Pi has /dev/gpiochip0 (root:gpio 0660): install-pi.sh then turns the
# buttons on and the unit binds the chip into its private /dev.  This one is
# a node no driver answers: the hub must run on without GPIO (gpio.required = no).
mknod -m 660 "$root/dev/gpiochip0" c 254 0
# no daemon starts from a package's postinst (as in any chroot): the shim
# starts mosquitto when install-pi.sh asks
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
install -D -m 755 tests/pi/systemctl-shim.sh "$root/usr/local/sbin/systemctl"
if ! cc -O2 -o "$root/usr/local/lib/systemctl-shim/notifyd" tests/pi/notifyd.c 2>/dev/null; then
	mkdir -p "$root/usr/local/lib/systemctl-shim"
	cc -O2 -o "$root/usr/local/lib/systemctl-shim/notifyd" tests/pi/notifyd.c ||
		{ nok "build tests/pi/notifyd.c"; finish; }
fi

inroot() {
	chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}
# aspi 'COMMAND': as the user pi, in the checkout
aspi() {
	inroot runuser -u pi -- env HOME=/home/pi USER=pi LOGNAME=pi sh -c "cd /home/pi/mlab-hub && $1"
}
# the test's own tool (install-pi.sh brings mosquitto-clients and sqlite3)
if ! inroot sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends curl' >"$root/tmp/curl.log" 2>&1; then
	nok "apt-get install curl in the root (log: $root/tmp/curl.log)"
	finish
fi
inroot useradd -m -s /bin/bash -G sudo pi
echo 'pi ALL=(ALL) NOPASSWD: ALL' >"$root/etc/sudoers.d/010_pi-nopasswd"
chmod 440 "$root/etc/sudoers.d/010_pi-nopasswd"
mkdir "$root/home/pi/mlab-hub"
git ls-files -z -co --exclude-standard | xargs -0 -I{} sh -c '[ -e "$1" ] && printf "%s\0" "$1"' _ {} |
	tar --null -T - -cf - | tar -xf - -C "$root/home/pi/mlab-hub"
inroot chown -R pi:pi /home/pi/mlab-hub

admin_pw="lab-admin-pw-$$"
CONF=/etc/mlab-hub/mlab-hub.conf
DB=/var/lib/mlab-hub/mlab-hub.db
calls=$root/var/log/systemctl-shim/calls.log
run_install() { # run_install LOG: sudo scripts/install-pi.sh as pi, no terminal
	s=$(date +%s)
	aspi "sudo MLAB_ADMIN_PASSWORD='$admin_pw' scripts/install-pi.sh" </dev/null >"$1" 2>&1
	rc=$?
	note "install-pi.sh: exit $rc in $(($(date +%s) - s)) s (log: $1)"
	return $rc
}
show_log() { tail -n "${2:-25}" "$1" | sed 's/^/#   /'; }
conf_val() { # conf_val SECTION KEY: from the installed config
	awk -v s="$1" -v k="$2" '
		/^[ \t]*\[/ { sec = $0; gsub(/[ \t\[\]]/, "", sec); next }
		sec == s && $0 ~ "^[ \t]*" k "[ \t]*=" { v = $0; sub(/^[^=]*=[ \t]*/, "", v); print v; exit }' "$root$CONF"
}
healthz() { inroot curl -s -m 5 http://127.0.0.1:8080/healthz; }
wait_broker_up() { # the hub's /healthz says broker connected (10 s)
	i=0
	while [ $i -lt 50 ]; do
		healthz 2>/dev/null | grep -q '"broker":"connected"' && return 0
		sleep 0.2; i=$((i + 1))
	done
	return 1
}
hubcli() {
	inroot runuser -u mlab-hub -- /usr/bin/mlab-hub -c "$CONF" --set "store.path=$DB" "$@"
}
pid_of() { cat "$root/run/systemctl-shim/$1.service.pid" 2>/dev/null || true; }
# proc_ok PID NAME: PID runs the program NAME
proc_ok() { [ -n "$1" ] && [ -r "/proc/$1/cmdline" ] && tr '\0' '\n' <"/proc/$1/cmdline" | head -n 1 | grep -q "/$2\$"; }
# stat_is PATH "MODE USER:GROUP": names as the chroot knows them
stat_is() {
	got=$(inroot stat -c '%a %U:%G' "$1" 2>&1)
	[ "$got" = "$2" ] || { note "$1: $got"; false; }
}
login() { # login PASSWORD: POST /api/login as admin, prints the HTTP status
	inroot curl -s -o /dev/null -w '%{http_code}' -m 5 -H 'Content-Type: application/json' \
		-d "{\"user\":\"admin\",\"password\":\"$1\"}" http://127.0.0.1:8080/api/login
}
# snapshot: what must not change when install-pi.sh runs again
snapshot() {
	inroot sh -c '
		for p in /etc/mlab-hub /etc/default/mlab-hub /etc/mosquitto/conf.d /etc/mosquitto/mlab.passwd \
			/etc/mosquitto/mlab.acl /etc/systemd/system /lib/systemd/system/mlab-hub.service \
			/lib/systemd/system/mlab-hub-backup.service /lib/systemd/system/mlab-hub-backup.timer \
			/usr/bin/mlab-hub /usr/sbin/mlab-device-cred /var/lib/mlab-hub /var/lib/mlab-hub/backups; do
			[ -e "$p" ] || [ -L "$p" ] || { echo "missing $p"; continue; }
			find "$p" -maxdepth 3 ! -name "mlab-hub.db*" -printf "%p %M %u:%g %l\n" | sort
			find "$p" -maxdepth 3 -type f ! -name "mlab-hub.db*" -exec sha256sum {} + | sort
		done
		id mlab-hub; getent group gpio mlab-hub
		stat -c "%n %a %U:%G" /var/lib/mlab-hub/mlab-hub.db
		runuser -u mlab-hub -- sqlite3 /var/lib/mlab-hub/mlab-hub.db "SELECT * FROM users ORDER BY 1"'
}

# === 1. install on the fresh system ===================================================
note "install-pi.sh, first run (packages, build, install)"
if run_install "$root/tmp/install1.log"; then
	ok "install-pi.sh on a fresh bookworm (sudo, as pi, no terminal) exits 0"
else
	nok "install-pi.sh on a fresh bookworm exits 0"
	show_log "$root/tmp/install1.log" 40
	for l in "$root"/var/log/systemctl-shim/*.service.log; do [ -e "$l" ] && { note "$l"; show_log "$l" 10; }; done
	finish
fi
cp "$calls" "$root/tmp/calls1.log"
grep '^install-pi:' "$root/tmp/install1.log" | sed 's/^/#   /'

# the user and the directories
if inroot id mlab-hub >/dev/null 2>&1; then
	uid=$(inroot id -u mlab-hub)
	check "system user mlab-hub (uid $uid < 1000, shell nologin, home /var/lib/mlab-hub)" \
		sh -c "[ $uid -lt 1000 ] && grep -q '^mlab-hub:x:$uid:[0-9]*:[^:]*:/var/lib/mlab-hub:/usr/sbin/nologin$' '$root/etc/passwd'"
else
	nok "system user mlab-hub exists"
fi
check "mlab-hub is in the gpio group" sh -c "chroot '$root' id -nG mlab-hub | tr ' ' '\n' | grep -qx gpio"
check "/etc/mlab-hub is 0750 root:mlab-hub" stat_is /etc/mlab-hub "750 root:mlab-hub"
check "$CONF is 0640 root:mlab-hub" stat_is $CONF "640 root:mlab-hub"
hubpw=$(conf_val broker password)
check "$CONF has the broker login (username = mlab-hub, a 32-character password)" \
	sh -c "[ '$(conf_val broker username)' = mlab-hub ] && [ ${#hubpw} -eq 32 ]"
check "$CONF serves the dashboard on the network (http.listen = 0.0.0.0:8080)" \
	test "$(conf_val http listen)" = 0.0.0.0:8080
check "a Pi with /dev/gpiochip0: gpio.backend = gpiod in the new config" test "$(conf_val gpio backend)" = gpiod
check "mlab-hub --check-config accepts $CONF" sh -c "chroot '$root' runuser -u mlab-hub -- /usr/bin/mlab-hub -c $CONF --check-config >/dev/null"
check "/var/lib/mlab-hub is 0750 mlab-hub:mlab-hub" stat_is /var/lib/mlab-hub "750 mlab-hub:mlab-hub"
check "/var/lib/mlab-hub/backups is 0750 mlab-hub:mlab-hub" stat_is /var/lib/mlab-hub/backups "750 mlab-hub:mlab-hub"
check "the database is the service's (0640 mlab-hub:mlab-hub)" stat_is $DB "640 mlab-hub:mlab-hub"
check "/etc/default/mlab-hub exists" test -f "$root/etc/default/mlab-hub"

# Mosquitto's files
check "Mosquitto fragment /etc/mosquitto/conf.d/mlab.conf = the shipped one, 0644" \
	sh -c "cmp -s '$root/usr/share/mlab-hub/mosquitto/mlab.conf' '$root/etc/mosquitto/conf.d/mlab.conf' && [ \$(stat -c %a '$root/etc/mosquitto/conf.d/mlab.conf') = 644 ]"
check "/etc/mosquitto/mlab.acl is 0640 root:mosquitto" stat_is /etc/mosquitto/mlab.acl "640 root:mosquitto"
check "/etc/mosquitto/mlab.passwd is 0600 mosquitto:mosquitto" stat_is /etc/mosquitto/mlab.passwd "600 mosquitto:mosquitto"
check "/etc/mosquitto/mlab.passwd holds the user mlab-hub only" test "$(cut -d: -f1 "$root/etc/mosquitto/mlab.passwd" 2>/dev/null)" = mlab-hub

# units: installed, enabled, started (as systemctl was asked)
check "installed as the Debian package mlab-hub" sh -c "
	[ \"\$(chroot '$root' dpkg-query -W -f='\${Status}' mlab-hub)\" = 'install ok installed' ]"
check "units installed in /lib/systemd/system" sh -c "ls '$root/lib/systemd/system/mlab-hub.service' '$root/lib/systemd/system/mlab-hub-backup.service' '$root/lib/systemd/system/mlab-hub-backup.timer' >/dev/null"
check "systemctl daemon-reload, enable mlab-hub.service + mlab-hub-backup.timer, start the timer and the hub" \
	sh -c "grep -qx 'daemon-reload' '$calls' && grep -q '^enable.* mlab-hub.service mlab-hub-backup.timer' '$calls' &&
		grep -qx 'start mlab-hub-backup.timer' '$calls' && grep -qx 'start mlab-hub' '$calls'"
check "enabled: multi-user.target wants mlab-hub.service, timers.target wants the timer, mosquitto enabled" \
	sh -c "[ -L '$root/etc/systemd/system/multi-user.target.wants/mlab-hub.service' ] &&
		[ -L '$root/etc/systemd/system/timers.target.wants/mlab-hub-backup.timer' ] &&
		[ -L '$root/etc/systemd/system/multi-user.target.wants/mosquitto.service' ]"

# the running broker and hub
bpid=$(pid_of mosquitto)
hpid=$(pid_of mlab-hub)
check "mosquitto runs (pid ${bpid:-none}), started from its unit with the installed config" proc_ok "$bpid" mosquitto
check "mlab-hub runs (pid ${hpid:-none}) in the unit's sandbox (own mount namespace)" sh -c "
	[ -r /proc/$hpid/cmdline ] && [ \"\$(readlink /proc/$hpid/ns/mnt)\" != \"\$(readlink /proc/self/ns/mnt)\" ]" 
if proc_ok "$hpid" mlab-hub; then
	check "mlab-hub runs as mlab-hub:mlab-hub with the gpio group" sh -c "
		uid=\$(awk '/^Uid:/ { print \$2 }' /proc/$hpid/status); gid=\$(awk '/^Gid:/ { print \$2 }' /proc/$hpid/status)
		[ \$uid = \$(chroot '$root' id -u mlab-hub) ] && [ \$gid = \$(chroot '$root' id -g mlab-hub) ] &&
		awk '/^Groups:/' /proc/$hpid/status | grep -qw \$(chroot '$root' getent group gpio | cut -d: -f3)"
fi
# sandboxed PID: its mounts (last one per mount point) are what the unit asks
sandboxed() {
	awk '{ last[$5] = $8 " " $9 " " $6 }
		END {
			ok = last["/"] ~ / ro/ && last["/var/lib/mlab-hub"] ~ / rw/ &&
				last["/home"] ~ /^tmpfs shim-home/ && last["/tmp"] ~ /^tmpfs shim-tmp/ &&
				last["/dev"] ~ /^tmpfs shim-dev/ && ("/dev/gpiochip0" in last)
			if (!ok) for (m in last) print "#   " m ": " last[m]
			exit !ok
		}' "/proc/$1/mountinfo"
}
check "the hub's sandbox: / read-only, /var/lib/mlab-hub writable, /home hidden, private /tmp, private /dev with the GPIO chip bound in" sandboxed "$hpid"
note "the hub's log about GPIO: $(grep -i gpio "$root/var/log/systemctl-shim/mlab-hub.service.log" | head -n 2 | tr '\n' ' ')"
check "the hub told the notify socket READY=1 from its main pid" \
	grep -q "^pid=$hpid READY=1$" "$root/run/systemctl-shim/mlab-hub.service.notified"
h=$(healthz || true)
note "/healthz: $h"
check "the hub answers /healthz with status ok" sh -c "echo '$h' | grep -q '\"status\":\"ok\"'"
check "the hub is connected to the installed mosquitto with its generated login" wait_broker_up
check "the dashboard is served from /usr/share/mlab-hub/web (GET / is 200 text/html)" sh -c "
	chroot '$root' curl -s -o /dev/null -w '%{http_code} %{content_type}' -m 5 http://127.0.0.1:8080/ | grep -q '^200 text/html'"
check "the broker refuses anonymous clients" sh -c "
	! chroot '$root' mosquitto_sub -h 127.0.0.1 -t '#' -C 1 -W 3 >/dev/null 2>&1"
check "the broker refuses a wrong password for mlab-hub" sh -c "
	! chroot '$root' mosquitto_sub -h 127.0.0.1 -u mlab-hub -P wrong-password -i t1 -t '#' -C 1 -W 3 >/dev/null 2>&1"
check "the hub's login reads its retained status (mlab/v1/hub/status = online)" sh -c "
	chroot '$root' mosquitto_sub -h 127.0.0.1 -u mlab-hub -P '$hubpw' -i install-test -t mlab/v1/hub/status -C 1 -W 5 2>/dev/null | grep -qx online"

# the admin account (MLAB_ADMIN_PASSWORD)
check "an admin account exists (mlab-hub user list)" sh -c "
	chroot '$root' runuser -u mlab-hub -- /usr/bin/mlab-hub -c $CONF --set store.path=$DB user list | grep -q '^admin  *admin'"
check "admin logs in with MLAB_ADMIN_PASSWORD (POST /api/login 200)" test "$(login "$admin_pw")" = 200
check "a wrong admin password is refused (401)" test "$(login wrong-password-1)" = 401
check "install-pi.sh did not print the admin password" sh -c "! grep -qF '$admin_pw' '$root/tmp/install1.log'"

# === 2. the same, again: nothing changes ================================================
snapshot >"$root/tmp/snap1" 2>&1
: >"$calls"
note "install-pi.sh, second run"
if run_install "$root/tmp/install2.log"; then
	ok "install-pi.sh a second time exits 0"
else
	nok "install-pi.sh a second time exits 0"
	show_log "$root/tmp/install2.log"
fi
snapshot >"$root/tmp/snap2" 2>&1
if cmp -s "$root/tmp/snap1" "$root/tmp/snap2"; then
	ok "second run changed nothing: $(grep -c . "$root/tmp/snap1") lines of modes, owners, checksums, links, uid, users table"
else
	nok "second run changed nothing (- before, + after)"
	diff "$root/tmp/snap1" "$root/tmp/snap2" | grep '^[<>]' | sed 's/^</#   -/; s/^>/#   +/' | head -n 20
fi
check "snapshot covers the config, the broker files, the units, the uid and the admin row" sh -c "
	grep -q 'mlab-hub.conf' '$root/tmp/snap1' && grep -q 'mlab.passwd' '$root/tmp/snap1' &&
	grep -q 'mlab-hub.service' '$root/tmp/snap1' && grep -q '^uid=' '$root/tmp/snap1' && grep -q 'admin' '$root/tmp/snap1' &&
	! grep -q '^missing' '$root/tmp/snap1'"
check "second run: the hub and mosquitto were not restarted (same pids)" \
	sh -c "[ '$(pid_of mlab-hub)' = '$hpid' ] && [ '$(pid_of mosquitto)' = '$bpid' ]"
check "second run: systemctl was not asked to start, restart or reload anything but the timer" \
	sh -c "! grep -E '^(start|restart|reload|try-restart)' '$calls' | grep -vx 'start mlab-hub-backup.timer' | grep -q ."
check "second run says nothing was created" \
	sh -c "! grep -Ei 'creat(ing|ed)|made the|restarting|starting' '$root/tmp/install2.log'"
note "systemctl calls, second run: $(tr '\n' ';' <"$calls")"

# === 2b. after a `git pull` that changes the program and the version: an upgrade ====
printf '\nstatic const char install_test_mark[] __attribute__((used)) = "%s";\n' "$$" >>"$root/home/pi/mlab-hub/hub/main.c"
v0=$(inroot dpkg-query -W -f='${Version}' mlab-hub)
v1=$v0+test1
cl=$root/home/pi/mlab-hub/debian/changelog
{ printf 'mlab-hub (%s) bookworm; urgency=medium\n\n  * install_chroot.sh: an upgrade.\n\n -- %s  %s\n\n' \
	"$v1" "$(sed -n 's/^ -- \(.*>\)  .*/\1/p' "$cl" | head -n 1)" "$(date -R)"; cat "$cl"; } >"$cl.new" && mv "$cl.new" "$cl"
inroot chown pi:pi /home/pi/mlab-hub/debian/changelog
conf_sum=$(sha256sum "$root$CONF" | cut -d' ' -f1)
: >"$calls"
if run_install "$root/tmp/install-pull.log"; then
	ok "install-pi.sh after a change to the program exits 0"
else
	nok "install-pi.sh after a change to the program exits 0"
	show_log "$root/tmp/install-pull.log"
fi
check "it rebuilt the package, upgraded $v0 to $v1, and restarted the hub (new pid, systemctl restart mlab-hub)" sh -c "
	[ \"\$(chroot '$root' dpkg-query -W -f='\${Version}' mlab-hub)\" = '$v1' ] &&
	grep -q 'package changed: restarting mlab-hub' '$root/tmp/install-pull.log' && grep -qx 'restart mlab-hub' '$calls' &&
	[ -n '$(pid_of mlab-hub)' ] && [ '$(pid_of mlab-hub)' != '$hpid' ]"
check "the upgrade kept the changed conffile (broker login, http.listen) without asking" \
	test "$(sha256sum "$root$CONF" | cut -d' ' -f1)" = "$conf_sum"
check "the upgrade kept the config's modes (dpkg-statoverride): 0640 root:mlab-hub, /etc/mlab-hub 0750" sh -c "
	[ \"\$(chroot '$root' stat -c '%a %U:%G' $CONF /etc/mlab-hub | tr '\\n' ' ')\" = '640 root:mlab-hub 750 root:mlab-hub ' ]"
hpid=$(pid_of mlab-hub)
check "the restarted hub is connected to the broker" wait_broker_up
check "... and the admin and the config were left alone" sh -c "
	[ '$(conf_val broker password)' = '$hubpw' ] && [ \"\$(chroot '$root' runuser -u mlab-hub -- sqlite3 $DB 'SELECT count(*) FROM users')\" = 1 ]"

# === 2c. the same package over itself (dpkg -i), the changed conffile kept ====
deb1=$(ls "$root"/home/pi/mlab-hub/build/deb/mlab-hub_"$v1"_*.deb 2>/dev/null | head -n 1)
if [ -n "$deb1" ] && inroot dpkg -i "${deb1#"$root"}" </dev/null >"$root/tmp/dpkg-over.log" 2>&1; then
	ok "dpkg -i mlab-hub_$v1 over itself exits 0 (no conffile question)"
else
	nok "dpkg -i mlab-hub_$v1 over itself exits 0"
	show_log "$root/tmp/dpkg-over.log"
fi
check "... the changed conffile kept, byte for byte, and its modes" sh -c "
	[ '$(sha256sum "$root$CONF" | cut -d' ' -f1)' = '$conf_sum' ] &&
	[ \"\$(chroot '$root' stat -c '%a %U:%G' $CONF)\" = '640 root:mlab-hub' ]"
check "... the packaged files are intact (dpkg --verify mlab-hub, the conffile aside)" sh -c "
	! chroot '$root' dpkg --verify mlab-hub | grep -v ' c $CONF\$' | grep -q ."
check "... the admin is still there" sh -c "[ \"\$(chroot '$root' runuser -u mlab-hub -- sqlite3 $DB 'SELECT count(*) FROM users')\" = 1 ]"
check "mlab-hub without -c reads /etc/mlab-hub/mlab-hub.conf (the broker login shows in --check-config)" sh -c "
	chroot '$root' runuser -u mlab-hub -- /usr/bin/mlab-hub --check-config | grep -q '^broker.username = mlab-hub\$'"

# === 3. daily life: a device on the broker, a backup =========================================
devpw=$(inroot mlab-device-cred add scanner-1 --generate 2>"$root/tmp/cred.log") || { devpw=; show_log "$root/tmp/cred.log"; }
check "mlab-device-cred add scanner-1 --generate exits 0 and reloads mosquitto through systemctl" \
	sh -c "[ ${#devpw} -ge 16 ] && tail -n 1 '$calls' | grep -qx 'reload mosquitto'"
check "after mlab-device-cred: mlab.passwd still 0600 mosquitto:mosquitto" stat_is /etc/mosquitto/mlab.passwd "600 mosquitto:mosquitto"
check "after mlab-device-cred: mlab.acl still 0640 root:mosquitto" stat_is /etc/mosquitto/mlab.acl "640 root:mosquitto"
check "mosquitto survived the reload (same pid)" sh -c "[ '$(pid_of mosquitto)' = '$bpid' ]"
inroot mosquitto_pub -h 127.0.0.1 -u scanner-1 -P "$devpw" -i scanner-1 -q 1 -r \
	-t mlab/v1/scanner-1/status -m online >/dev/null 2>&1 || true
i=0
while ! healthz | grep -q '"devices":1' && [ $i -lt 25 ]; do sleep 0.2; i=$((i + 1)); done
check "the new device's status reaches the hub (/healthz devices = 1)" sh -c "chroot '$root' curl -s -m 5 http://127.0.0.1:8080/healthz | grep -q '\"devices\":1'"
check "mlab-device-cred refuses to remove the hub's own login" sh -c "! chroot '$root' mlab-device-cred remove mlab-hub 2>/dev/null"
check "mlab-device-cred list: mlab-hub (hub) and scanner-1 (native)" sh -c "
	chroot '$root' mlab-device-cred list | tr '\t' ' ' | sort | tr '\n' ';' | grep -qx 'mlab-hub hub;scanner-1 native;'"
inroot mlab-device-cred add printer-2 --generate >/dev/null 2>&1
check "mlab-device-cred remove printer-2: gone from the passwd and the ACL, broker reloaded" sh -c "
	chroot '$root' mlab-device-cred remove printer-2 2>/dev/null && ! grep -q '^printer-2:' '$root/etc/mosquitto/mlab.passwd' &&
	! grep -q 'printer-2' '$root/etc/mosquitto/mlab.acl' && tail -n 1 '$calls' | grep -qx 'reload mosquitto'"
check "systemctl start mlab-hub-backup: the backup service makes a copy that passes integrity_check" sh -c "
	chroot '$root' systemctl start mlab-hub-backup >/dev/null 2>&1 &&
	f=\$(ls '$root'/var/lib/mlab-hub/backups/mlab-hub-*.db 2>/dev/null | tail -n 1) && [ -n \"\$f\" ] &&
	[ \"\$(chroot '$root' stat -c %U \"\${f#$root}\")\" = mlab-hub ] &&
	[ \"\$(chroot '$root' runuser -u mlab-hub -- sqlite3 \"\${f#$root}\" 'PRAGMA integrity_check')\" = ok ]"
# docs/pi.md's own commands, run as pi the way a reader pastes them: a
# facilitator account ("Other accounts"), then "Restore" the backup made above
# (taken before that account existed: the account must be gone afterwards)
doc_block() { # doc_block 'LINE BEFORE IT': the ```sh block that follows
	awk -v m="$1" 'index($0, m) == 1 { f = 1 } f && /^```sh$/ { b = 1; next } b && /^```$/ { exit } b { print }' docs/pi.md
}
doc_block 'Other accounts' >"$root/tmp/doc-useradd.sh"
doc_block '**Restore**' >"$root/tmp/doc-restore.sh"
check "docs/pi.md: the 'Other accounts' and 'Restore' commands found" \
	sh -c "grep -q 'user add' '$root/tmp/doc-useradd.sh' && grep -q 'systemctl start mlab-hub' '$root/tmp/doc-restore.sh'"
printf 'lea-password-1\n' | aspi "sh -e /tmp/doc-useradd.sh" >"$root/tmp/doc-useradd.log" 2>&1
if hubcli user list 2>/dev/null | grep -q '^lea  *facilitator'; then
	ok "docs' 'Other accounts' command, as pi: facilitator lea made"
else
	nok "docs' 'Other accounts' command, as pi: facilitator lea made"
	show_log "$root/tmp/doc-useradd.log" 5
fi
if aspi "sh -ex /tmp/doc-restore.sh" </dev/null >"$root/tmp/doc-restore.log" 2>&1; then
	ok "docs' 'Restore' commands, as pi, run without an error"
else
	nok "docs' 'Restore' commands, as pi, run without an error"
	show_log "$root/tmp/doc-restore.log" 12
fi
hpid=$(pid_of mlab-hub)
check "after the restore the hub runs (pid ${hpid:-none})" proc_ok "$hpid" mlab-hub
check "... and is connected to the broker" wait_broker_up
check "... the backup's data is back: lea (made after the backup) is gone, admin logs in" sh -c "
	! chroot '$root' runuser -u mlab-hub -- /usr/bin/mlab-hub -c $CONF --set store.path=$DB user list | grep -q '^lea ' &&
	[ \"\$(chroot '$root' curl -s -o /dev/null -w '%{http_code}' -m 5 -H 'Content-Type: application/json' \
		-d '{\"user\":\"admin\",\"password\":\"$admin_pw\"}' http://127.0.0.1:8080/api/login)\" = 200 ]"
check "... the database is the service's again (0640 mlab-hub:mlab-hub)" stat_is $DB "640 mlab-hub:mlab-hub"
notroot=$(inroot find /var/lib/mlab-hub ! -user mlab-hub -printf '%p %u:%g; ' 2>&1)
check "... everything in /var/lib/mlab-hub is the service's${notroot:+ (not: $notroot)}" test -z "$notroot"
check "the hub's notify socket got WATCHDOG=1 from the main pid" sh -c "
	i=0; while ! grep -q '^pid=$hpid WATCHDOG=1$' '$root/run/systemctl-shim/mlab-hub.service.notified' && [ \$i -lt 120 ]; do sleep 0.25; i=\$((i + 1)); done
	grep -q '^pid=$hpid WATCHDOG=1$' '$root/run/systemctl-shim/mlab-hub.service.notified'"

# === 4. uninstall, keeping the data ==================================================
: >"$calls"
if aspi "sudo scripts/uninstall-pi.sh" </dev/null >"$root/tmp/uninstall.log" 2>&1; then
	ok "uninstall-pi.sh exits 0"
else
	nok "uninstall-pi.sh exits 0"
	show_log "$root/tmp/uninstall.log"
fi
stopped() { ! proc_ok "$1" mlab-hub; }
check "the hub is stopped" stopped "$hpid"
check "apt-get remove: mlab-hub left in config-files state (rc)" sh -c "
	[ \"\$(chroot '$root' dpkg-query -W -f='\${Status}' mlab-hub)\" = 'deinstall ok config-files' ]"
check "unit files removed (Debian keeps the enable links until purge)" sh -c "! ls '$root'/lib/systemd/system/mlab-hub* >/dev/null 2>&1"
check "programs, web files and the Mosquitto fragment removed" sh -c "
	! [ -e '$root/usr/bin/mlab-hub' ] && ! [ -e '$root/usr/sbin/mlab-device-cred' ] && ! [ -e '$root/usr/share/mlab-hub' ] &&
	! [ -e '$root/usr/lib/mlab-hub' ] && ! [ -e '$root/etc/mosquitto/conf.d/mlab.conf' ] && ! ls '$root'/usr/bin/mlab-* >/dev/null 2>&1"
check "kept: database, config, broker passwd and ACL, the mlab-hub user" sh -c "
	[ -s '$root$DB' ] && [ -s '$root$CONF' ] && [ -s '$root/etc/mosquitto/mlab.passwd' ] && [ -s '$root/etc/mosquitto/mlab.acl' ] &&
	chroot '$root' id mlab-hub >/dev/null 2>&1"
check "mosquitto restarted without the lab's settings and runs" sh -c "
	grep -qx 'restart mosquitto' '$calls' && chroot '$root' systemctl is-active --quiet mosquitto"
note "left under /etc/mlab-hub: $(cd "$root/etc/mlab-hub" && ls -A | tr '\n' ' ')"

# === 5. install again: the kept data is used ==========================================
if run_install "$root/tmp/install3.log"; then
	ok "install-pi.sh after uninstall exits 0"
else
	nok "install-pi.sh after uninstall exits 0"
	show_log "$root/tmp/install3.log"
fi
check "reinstall keeps the broker password and the admin (no new admin made)" sh -c "
	[ '$(conf_val broker password)' = '$hubpw' ] && ! grep -qi 'admin account created' '$root/tmp/install3.log'"
check "reinstalled hub is connected to the broker" wait_broker_up
check "admin still logs in" test "$(login "$admin_pw")" = 200
check "scanner-1's login survived (kept mlab.passwd)" sh -c "
	chroot '$root' mosquitto_pub -h 127.0.0.1 -u scanner-1 -P '$devpw' -i scanner-1 -t mlab/v1/scanner-1/telemetry -m '{\"temperature_c\":21}' 2>/dev/null"

# === 6. uninstall --purge ===========================================================
hpid=$(pid_of mlab-hub)
if aspi "sudo scripts/uninstall-pi.sh --purge" </dev/null >"$root/tmp/purge.log" 2>&1; then
	ok "uninstall-pi.sh --purge exits 0"
else
	nok "uninstall-pi.sh --purge exits 0"
	show_log "$root/tmp/purge.log"
fi
check "purged: /var/lib/mlab-hub, /etc/mlab-hub, /etc/default/mlab-hub, mlab.passwd, mlab.acl" sh -c "
	for f in /var/lib/mlab-hub /etc/mlab-hub /etc/default/mlab-hub /etc/mosquitto/mlab.passwd /etc/mosquitto/mlab.acl; do
		! [ -e '$root'\$f ] || { echo \"#   still there: \$f\"; exit 1; }
	done"
check "purged: the package is gone from dpkg, its enable links and statoverrides too" sh -c "
	! chroot '$root' dpkg-query -W -f='\${Status}' mlab-hub 2>/dev/null | grep -q . &&
	! ls '$root'/etc/systemd/system/*.wants/mlab-hub* >/dev/null 2>&1 &&
	! chroot '$root' dpkg-statoverride --list | grep -q mlab"
check "purged: the mlab-hub user and group" sh -c "! chroot '$root' getent passwd mlab-hub >/dev/null && ! chroot '$root' getent group mlab-hub >/dev/null"
check "the hub is not running" stopped "$hpid"
left=$(cd "$root" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./home/pi/mlab-hub -o -path ./tmp -o -path ./var/log/systemctl-shim -o -path ./run/systemctl-shim -o -path ./var/cache/apt \) -prune -o \
	\( -iname '*mlab*' -print \) | sed 's|^\.||' | sort)
note "files named *mlab* left after --purge (outside the checkout): ${left:-none}"
check "nothing named *mlab* is left after --purge" test -z "$left"
gl=$(inroot getent group gpio || true)
note "left after --purge: group gpio ($gl) — made by the package on plain Debian (Raspberry Pi OS has it); Debian packages leave shared groups"
check "mosquitto still runs after --purge (Debian's default broker)" inroot systemctl is-active --quiet mosquitto

# === 7. the interactive way, without sudo typed: on a terminal ==========================
# As pi, `scripts/install-pi.sh` runs sudo itself (keeping MLAB_HTTP_LISTEN);
# the admin password is typed: a short one first, then twice the same.
admin_pw2="typed-admin-pw-$$"
# type LINE...: one line per password prompt, once the prompt is on the screen
type_answers() {
	n=0
	for line in "$@"; do
		n=$((n + 1)) i=0
		while [ "$(grep -Eo 'Password for admin|Again:' "$root/tmp/install-tty.log" 2>/dev/null | wc -l)" -lt $n ] &&
			[ $i -lt 1200 ]; do
			sleep 0.1; i=$((i + 1))
		done
		sleep 0.3	# the script turns echo off after its prompt
		printf '%s\n' "$line"
	done
	sleep 1
}
: >"$root/tmp/install-tty.log"
type_answers short-pw short-pw "$admin_pw2" "$admin_pw2" |
	aspi "MLAB_HTTP_LISTEN=127.0.0.1:8081 script -qec scripts/install-pi.sh /dev/null" >"$root/tmp/install-tty.log" 2>&1
rc=$?
note "install-pi.sh on a terminal: exit $rc"
check "install-pi.sh on a terminal, run by pi without sudo, exits 0" test "$rc" = 0
check "it asked for the admin password, refused the short one, made the account" sh -c "
	grep -q 'Password for admin' '$root/tmp/install-tty.log' && grep -q 'Too short' '$root/tmp/install-tty.log' &&
	grep -q 'admin account created' '$root/tmp/install-tty.log'"
check "the typed password was not echoed" sh -c "! grep -qF '$admin_pw2' '$root/tmp/install-tty.log'"
check "MLAB_HTTP_LISTEN survived the script's own sudo (http.listen = 127.0.0.1:8081)" \
	test "$(conf_val http listen)" = 127.0.0.1:8081
check "admin logs in with the typed password on :8081" sh -c "
	[ \"\$(chroot '$root' curl -s -o /dev/null -w '%{http_code}' -m 5 -H 'Content-Type: application/json' \
		-d '{\"user\":\"admin\",\"password\":\"$admin_pw2\"}' http://127.0.0.1:8081/api/login)\" = 200 ]"
if [ "$rc" != 0 ]; then show_log "$root/tmp/install-tty.log"; fi
check "uninstall-pi.sh --purge exits 0" sh -c "chroot '$root' sh -c 'cd /home/pi/mlab-hub && scripts/uninstall-pi.sh --purge' >'$root/tmp/purge2.log' 2>&1"
check "uninstall-pi.sh --purge again (nothing installed) exits 0" sh -c "chroot '$root' sh -c 'cd /home/pi/mlab-hub && scripts/uninstall-pi.sh --purge' >'$root/tmp/purge3.log' 2>&1"
finish
