#!/bin/sh
# systemctl-shim.sh — a stand-in for systemctl inside tests/pi/install_chroot.sh's
# throwaway Debian root, where no systemd runs.  Installed there as
# /usr/local/sbin/systemctl (ahead of /usr/bin on PATH and on sudo's
# secure_path).  Every call is appended to /var/log/systemctl-shim/calls.log.
#
# Services really run, the way their installed unit file says: ExecStartPre,
# ExecStart, User/Group/SupplementaryGroups (setpriv), UMask, StateDirectory
# and ConfigurationDirectory (+Mode), EnvironmentFile, WatchdogSec
# (WATCHDOG_USEC), and a notify socket (tests/pi/notifyd.c) for Type=notify:
# `start` returns once the service sent READY=1, fails if it exits first.
# Type=oneshot runs to completion.  Output goes to
# /var/log/systemctl-shim/UNIT.log (the "journal").
# The file-system sandbox is emulated with a private mount namespace
# (unshare -m): ProtectSystem=strict (all read-only but the StateDirectory=
# and ReadWritePaths=), ProtectHome=yes, PrivateTmp=yes, PrivateDevices=yes
# with BindPaths=, PrivateNetwork=yes (unshare -n); NoNewPrivileges= and
# CapabilityBoundingSet= through setpriv.  Not emulated: SystemCallFilter=,
# RestrictAddressFamilies=, the Protect{Kernel,Clock,...}= settings,
# DeviceAllow=, Restart=, the watchdog's kill, dependencies and ordering.
#
# enable/disable make and remove the [Install] WantedBy= symlinks under
# /etc/systemd/system like systemctl does; a timer is "active" once started.
set -u

LOGDIR=/var/log/systemctl-shim
RUN=/run/systemctl-shim
NOTIFYD=/usr/local/lib/systemctl-shim/notifyd
mkdir -p "$LOGDIR" "$RUN"

say() { [ -n "$quiet" ] || echo "$*"; }
err() { echo "$*" >&2; }
norm() {
	case "$1" in
	*.service | *.timer | *.target | *.socket | *.path) echo "$1" ;;
	*) echo "$1.service" ;;
	esac
}
unit_file() {
	for d in /etc/systemd/system /lib/systemd/system /usr/lib/systemd/system; do
		[ -f "$d/$1" ] && { echo "$d/$1"; return 0; }
	done
	return 1
}
# key FILE KEY: every value of KEY= (sections ignored: the keys used are unique)
key() { sed -n "s/^$2=//p" "$1"; }
key1() { key "$1" "$2" | tail -n 1; }
# strip systemd's Exec prefixes (- @ + ! :), reporting "-" (failure ignored)
exec_line() { printf '%s\n' "$1" | sed 's/^[-@+!:]*//'; }

pid_alive() {
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	st=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)
	[ "$st" != Z ] && [ "$st" != X ]
}
main_pid() { cat "$RUN/$1.pid" 2>/dev/null; }

is_active() {
	case "$1" in
	*.timer | *.target) [ -e "$RUN/$1.active" ] ;;
	*) pid_alive "$(main_pid "$1")" ;;
	esac
}

# groups_csv USER EXTRA...: the user's groups plus SupplementaryGroups=, as gids
groups_csv() {
	u=$1; shift
	gl=$(id -G "$u")
	for g in "$@"; do gl="$gl $(getent group "$g" | cut -d: -f3)"; done
	echo "$gl" | tr ' ' '\n' | sed '/^$/d' | sort -un | paste -sd, -
}

stop_unit() {
	u=$1
	case "$u" in *.timer | *.target) rm -f "$RUN/$u.active"; return 0 ;; esac
	p=$(main_pid "$u")
	if pid_alive "$p"; then
		kill -TERM "$p" 2>/dev/null
		i=0
		while pid_alive "$p" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
		pid_alive "$p" && kill -KILL "$p" 2>/dev/null
	fi
	n=$(cat "$RUN/$u.notifyd.pid" 2>/dev/null)
	pid_alive "$n" && kill "$n" 2>/dev/null
	rm -f "$RUN/$u.pid" "$RUN/$u.notifyd.pid" "$RUN/$u.notify"
	rmdir "$RUN/view.$u" 2>/dev/null
	return 0
}

start_unit() {
	u=$1
	f=$(unit_file "$u") || { err "Failed to start $u: Unit $u not found."; return 5; }
	case "$u" in
	*.timer | *.target) touch "$RUN/$u.active"; return 0 ;;
	esac
	is_active "$u" && return 0
	type=$(key1 "$f" Type); type=${type:-simple}
	user=$(key1 "$f" User); group=$(key1 "$f" Group)
	supp=$(key "$f" SupplementaryGroups | tr '\n' ' ')
	um=$(key1 "$f" UMask); um=${um:-0022}
	if [ -n "$user" ]; then
		id "$user" >/dev/null 2>&1 || { fail "$u" "217/USER: no user $user"; return 1; }
		group=${group:-$(id -gn "$user")}
	fi
	for g in $supp ${group:-}; do
		getent group "$g" >/dev/null || { fail "$u" "216/GROUP: no group $g"; return 1; }
	done
	# StateDirectory=: created (or fixed) and owned by the user, with its mode
	mode=$(key1 "$f" StateDirectoryMode)
	for d in $(key "$f" StateDirectory); do
		mkdir -p "/var/lib/$d"
		[ -z "$user" ] || chown "$user:$group" "/var/lib/$d"
		chmod "${mode:-0755}" "/var/lib/$d"
	done
	# ConfigurationDirectory=: created root-owned if missing, else left alone
	mode=$(key1 "$f" ConfigurationDirectoryMode)
	for d in $(key "$f" ConfigurationDirectory); do
		[ -d "/etc/$d" ] || install -d -m "${mode:-0755}" "/etc/$d"
	done
	envf=$RUN/$u.env
	: >"$envf"
	for e in $(key "$f" EnvironmentFile); do
		case "$e" in
		-*) e=${e#-}; [ -r "$e" ] || continue ;;
		esac
		[ -r "$e" ] || { fail "$u" "EnvironmentFile $e: not readable"; return 1; }
		grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$e" >>"$envf"
	done
	setpriv=
	if [ -n "$user" ]; then
		setpriv="setpriv --reuid=$user --regid=$group --groups=$(groups_csv "$user" $supp)"
		home=$(getent passwd "$user" | cut -d: -f6)
		shell=$(getent passwd "$user" | cut -d: -f7)
	fi
	[ "$(key1 "$f" NoNewPrivileges)" != yes ] || setpriv="${setpriv:-setpriv} --no-new-privs"
	if key "$f" CapabilityBoundingSet | grep -qx ''; then
		setpriv="${setpriv:-setpriv} --bounding-set=-all --inh-caps=-all"
	fi
	[ -z "$setpriv" ] || setpriv="$setpriv --"
	sandbox=
	if grep -Eq '^(ProtectSystem=strict|ProtectHome=yes|PrivateTmp=yes|PrivateDevices=yes|BindPaths=)' "$f"; then
		sandbox="unshare -m"
		[ "$(key1 "$f" PrivateNetwork)" != yes ] || sandbox="unshare -m -n"
		sandbox="$sandbox /usr/local/sbin/systemctl __sandbox $u"
	fi
	wd=$(key1 "$f" WatchdogSec)
	log=$LOGDIR/$u.log
	echo "-- shim: starting $u ($(date -u +%FT%TZ))" >>"$log"
	# ExecStartPre=: in order, as the unit's user ("+": as root)
	key "$f" ExecStartPre | while IFS= read -r line; do
		cmd=$(exec_line "$line")
		case "$line" in +*) pre= ;; *) pre=$setpriv ;; esac
		# shellcheck disable=SC2086
		$pre $cmd >>"$log" 2>&1 </dev/null || case "$line" in -* | +-*) ;; *) exit 1 ;; esac
	done || { fail "$u" "ExecStartPre failed"; return 1; }
	cmd=$(exec_line "$(key1 "$f" ExecStart)")
	sock=$RUN/$u.notify
	notified=$RUN/$u.notified
	: >"$notified"
	if [ "$type" = notify ]; then
		rm -f "$sock"
		"$NOTIFYD" "$sock" "$notified" >>"$log" 2>&1 </dev/null &
		echo $! >"$RUN/$u.notifyd.pid"
		i=0
		while [ ! -S "$sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	fi
	# shellcheck disable=SC2086
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
		${user:+HOME=$home USER=$user LOGNAME=$user SHELL=$shell} \
		${wd:+WATCHDOG_USEC=${wd}000000} \
		$([ "$type" = notify ] && echo "NOTIFY_SOCKET=$sock") \
		sh -c 'umask "$1"; cd /; set -a; . "$2"; set +a; export WATCHDOG_PID=$$; shift 2; exec "$@"' \
		shim "$um" "$envf" $sandbox $setpriv $cmd >>"$log" 2>&1 </dev/null &
	p=$!
	echo "$p" >"$RUN/$u.pid"
	case "$type" in
	oneshot)
		wait "$p"; rc=$?
		rm -f "$RUN/$u.pid"
		rmdir "$RUN/view.$u" 2>/dev/null
		[ $rc = 0 ] || { fail "$u" "ExecStart exited with status $rc"; return 1; }
		;;
	notify)
		i=0
		while ! grep -q "^pid=$p READY=1$" "$notified" && pid_alive "$p" && [ $i -lt 600 ]; do
			sleep 0.1; i=$((i + 1))
		done
		if ! grep -q "^pid=$p READY=1$" "$notified"; then
			stop_unit "$u"
			fail "$u" "no READY=1 from the main process (pid $p)"
			return 1
		fi
		;;
	*) sleep 0.5; pid_alive "$p" || { fail "$u" "exited at once"; return 1; } ;;
	esac
	return 0
}

fail() {
	err "Job for $1 failed ($2). See \"$LOGDIR/$1.log\" for details."
	tail -n 5 "$LOGDIR/$1.log" 2>/dev/null | sed 's/^/  | /' >&2
}

reload_unit() {
	u=$1
	f=$(unit_file "$u") || { err "Failed to reload $u: Unit $u not found."; return 5; }
	is_active "$u" || { err "Failed to reload $u: Unit $u is not active."; return 1; }
	r=$(key1 "$f" ExecReload)
	[ -n "$r" ] || { err "Failed to reload $u: Job type reload is not applicable."; return 1; }
	r=$(exec_line "$r" | sed "s/\\\$MAINPID/$(main_pid "$u")/g; s/\${MAINPID}/$(main_pid "$u")/g")
	# shellcheck disable=SC2086
	$r
}

enable_unit() {
	u=$1
	f=$(unit_file "$u") || { err "Failed to enable unit: Unit file $u does not exist."; return 1; }
	for t in $(key "$f" WantedBy); do
		mkdir -p "/etc/systemd/system/$t.wants"
		ln -sfn "$f" "/etc/systemd/system/$t.wants/$u"
	done
	for t in $(key "$f" RequiredBy); do
		mkdir -p "/etc/systemd/system/$t.requires"
		ln -sfn "$f" "/etc/systemd/system/$t.requires/$u"
	done
}

disable_unit() {
	u=$1
	unit_file "$u" >/dev/null || { err "Failed to disable unit: Unit file $u does not exist."; return 1; }
	for l in /etc/systemd/system/*.wants/"$u" /etc/systemd/system/*.requires/"$u"; do
		[ -L "$l" ] && rm -f "$l"
	done
	rmdir /etc/systemd/system/*.wants /etc/systemd/system/*.requires 2>/dev/null
	return 0
}

is_enabled() {
	for l in /etc/systemd/system/*.wants/"$1" /etc/systemd/system/*.requires/"$1"; do
		[ -L "$l" ] && return 0
	done
	return 1
}

# __sandbox UNIT CMD...: (in a new mount namespace) build UNIT's view of the
# files under $RUN/view.UNIT and run CMD chrooted there; same pid throughout.
sandbox() {
	u=$1; shift
	f=$(unit_file "$u") || exit 200
	v=$RUN/view.$u
	mkdir -p "$v"
	mount --make-rprivate / 2>/dev/null
	mount --rbind / "$v" || exit 226
	if [ "$(key1 "$f" ProtectSystem)" = strict ]; then
		for d in $(key "$f" StateDirectory); do mount --bind "/var/lib/$d" "$v/var/lib/$d" || exit 226; done
		for d in $(key "$f" ReadWritePaths); do
			d=${d#-}
			[ -e "$d" ] && { mount --bind "$d" "$v$d" || exit 226; }
		done
		mount -o remount,bind,ro "$v" || exit 226
	fi
	if [ "$(key1 "$f" PrivateTmp)" = yes ]; then
		mount -t tmpfs -o mode=1777 shim-tmp "$v/tmp" && mount -t tmpfs -o mode=1777 shim-tmp "$v/var/tmp" || exit 226
	fi
	if [ "$(key1 "$f" ProtectHome)" = yes ]; then
		for d in /home /root /run/user; do
			[ -d "$v$d" ] && { mount -t tmpfs -o ro,mode=000 shim-home "$v$d" || exit 226; }
		done
	fi
	if [ "$(key1 "$f" PrivateDevices)" = yes ]; then
		mount -t tmpfs -o mode=755 shim-dev "$v/dev" || exit 226
		for n in "null 1 3" "zero 1 5" "full 1 7" "random 1 8" "urandom 1 9" "tty 5 0"; do
			# shellcheck disable=SC2086
			set -- $n "$@"
			mknod -m 666 "$v/dev/$1" c "$2" "$3"
			shift 3
		done
		mkdir -p "$v/dev/pts" "$v/dev/shm"
		chmod 1777 "$v/dev/shm"
		ln -s /proc/self/fd "$v/dev/fd"
	fi
	for b in $(key "$f" BindPaths); do
		case "$b" in -*) b=${b#-}; [ -e "$b" ] || continue ;; esac
		[ -e "$v$b" ] || touch "$v$b" 2>/dev/null || mkdir -p "$v$b"
		mount --bind "$b" "$v$b" || exit 226
	done
	cd / || exit 200
	exec chroot "$v" "$@"
}
if [ "${1:-}" = __sandbox ]; then
	shift
	sandbox "$@"
fi
echo "$*" >>"$LOGDIR/calls.log"

quiet= now= verb= units=
for a in "$@"; do
	case "$a" in
	-q | --quiet) quiet=1 ;;
	--now) now=1 ;;
	--no-block | --no-pager | --system | --no-ask-password) ;;
	-*) err "systemctl (test shim): unsupported option $a"; exit 1 ;;
	*) if [ -z "$verb" ]; then verb=$a; else units="$units $(norm "$a")"; fi ;;
	esac
done

rc=0
case "$verb" in
daemon-reload) ;;
start) for u in $units; do start_unit "$u" || rc=1; done ;;
stop) for u in $units; do stop_unit "$u"; done ;;
restart) for u in $units; do stop_unit "$u"; start_unit "$u" || rc=1; done ;;
try-restart) for u in $units; do is_active "$u" || continue; stop_unit "$u"; start_unit "$u" || rc=1; done ;;
reload) for u in $units; do reload_unit "$u" || rc=1; done ;;
enable)
	for u in $units; do enable_unit "$u" || rc=1; done
	[ -z "$now" ] || for u in $units; do start_unit "$u" || rc=1; done ;;
disable)
	for u in $units; do disable_unit "$u" || rc=1; done
	[ -z "$now" ] || for u in $units; do stop_unit "$u"; done ;;
is-active)
	rc=0
	for u in $units; do
		if is_active "$u"; then say active; else say inactive; rc=3; fi
	done ;;
is-enabled)
	for u in $units; do
		if is_enabled "$u"; then say enabled; else say disabled; rc=1; fi
	done ;;
status)
	for u in $units; do
		if is_active "$u"; then echo "$u: active (pid $(main_pid "$u"))"; else echo "$u: inactive"; rc=3; fi
		tail -n 10 "$LOGDIR/$u.log" 2>/dev/null
	done ;;
*) err "systemctl (test shim): unsupported command '$verb'"; rc=1 ;;
esac
exit $rc
