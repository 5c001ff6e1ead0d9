#!/bin/bash
# pop3.sh: benchmark our POP3 server (cmd/pop3 over the upasfs emulator)
# against Debian's Dovecot on the same generated mbox, in one run
# (DESIGN.md "Speed, by construction").
#
# Each server gets its own copy of one generated mailbox. A run is one
# session: connect, USER/PASS, STAT, UIDL, RETR of every message, DELE of
# every second one, QUIT (bench/pop3load times each step). Runs:
#   cold  the first session after the server starts; Dovecot's index
#         files are removed first, so it builds them;
#   warm  WARM more sessions, each on a fresh copy of the mailbox;
#         Dovecot's starts with a valid index (see dovecot_warm_setup).
# Then it prints the table of times (cold, median of warm) and ratios
# ours/Dovecot, and what each server delivered.
#
# Usage: bench/pop3.sh     (as root: it may apt-get install Dovecot and
#                           runs a private Dovecot instance)
# Environment: MSGS (10000), SEED (1), WARM (3), DOVECOT_WARM (snapshot
# or recopy, see dovecot_warm_setup), KEEP=1 keeps the work directory,
# PROFILE=1 adds an in-process CPU profile of our server.
set -euo pipefail

MSGS=${MSGS:-10000}
SEED=${SEED:-1}
WARM=${WARM:-3}
DOVECOT_WARM=${DOVECOT_WARM:-snapshot}
BENCHUSER=bench
PASS=pass
DUID=5000 # Dovecot's static userdb uid/gid (spec/clients.md)

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
work=$(mktemp -d /tmp/pop3bench.XXXXXX)
chmod 755 "$work" # Dovecot's user must search every parent directory
dovecot_pid=
ours_pid=

# stop ends a server by its PID, politely and then not.
stop() {
	local pid=$1
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
	stop "$ours_pid"
	stop "$dovecot_pid"
	wait 2>/dev/null || true
	if [ "${KEEP:-0}" = 1 ]; then
		echo "work directory kept: $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '== %s\n' "$*" >&2; }

# freeport prints a loopback TCP port nothing listens on.
freeport() {
	local p
	while :; do
		p=$((30000 + RANDOM % 30000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

# waitport waits until something accepts on the loopback port.
waitport() {
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "nothing listens on port $1" >&2
	return 1
}

install_dovecot() {
	if dpkg -s dovecot-pop3d dovecot-imapd >/dev/null 2>&1; then
		return
	fi
	log "installing Dovecot"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-pop3d dovecot-imapd >/dev/null
}

build() {
	log "building into $work/bin"
	(cd "$repo" && go build -o "$work/bin/" ./cmd/pop3 ./bench/pop3load ./bench/genmbox)
	log "generating $MSGS messages, seed $SEED"
	"$work/bin/genmbox" -n "$MSGS" -seed "$SEED" -o "$work/orig.mbox"
}

# Our server: mail root with box/<user>/mbox, keys in keyfs layout.
setup_ours() {
	mkdir -p "$work/ours/root/box/$BENCHUSER" "$work/ours/keys/$BENCHUSER"
	chmod 700 "$work/ours/keys" "$work/ours/keys/$BENCHUSER"
	printf '%s' "$PASS" >"$work/ours/keys/$BENCHUSER/secret"
	chmod 600 "$work/ours/keys/$BENCHUSER/secret"
	ours_mbox=$work/ours/root/box/$BENCHUSER/mbox
}

# Dovecot: the private configuration of spec/clients.md.
setup_dovecot() {
	local d=$work/dovecot
	mkdir -p "$d/run" "$d/state" "$d/log" "$d/home/$BENCHUSER/mail"
	chmod 755 "$d" "$d/home"
	chown -R "$DUID:$DUID" "$d/home/$BENCHUSER"
	dovecot_mbox=$d/home/$BENCHUSER/mbox
	# mail_location puts INBOX's index files under ~/mail/.imap/INBOX.
	dovecot_index=$d/home/$BENCHUSER/mail/.imap
	sed "s|DIR|$d|g; s|IMAPPORT|$(freeport)|; s|POP3PORT|$dovecot_port|" >"$d/dovecot.conf" <<'EOF'
protocols = imap pop3
listen = 127.0.0.1
base_dir = DIR/run
state_dir = DIR/state
log_path = DIR/log/dovecot.log
disable_plaintext_auth = no
auth_mechanisms = plain login
ssl = no
passdb {
  driver = static
  args = password=pass
}
userdb {
  driver = static
  args = uid=5000 gid=5000 home=DIR/home/%u
}
first_valid_uid = 5000
last_valid_uid = 5000
mail_location = mbox:~/mail:INBOX=~/mbox
mail_max_userip_connections = 1000
service imap-login {
  inet_listener imap {
    port = IMAPPORT
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = POP3PORT
  }
  inet_listener pop3s {
    port = 0
  }
}
EOF
}

start_servers() {
	log "starting Dovecot on 127.0.0.1:$dovecot_port"
	setsid /usr/sbin/dovecot -F -c "$work/dovecot/dovecot.conf" &
	dovecot_pid=$!
	log "starting ours on 127.0.0.1:$ours_port"
	"$work/bin/pop3" -l "127.0.0.1:$ours_port" -p -root "$work/ours/root" \
		-keys "$work/ours/keys" 2>"$work/ours/log" &
	ours_pid=$!
	waitport "$dovecot_port"
	waitport "$ours_port"
}

# fresh replaces a mailbox by a new copy of the original (a new inode,
# renamed into place), owned by uid:gid.
fresh() {
	local dst=$1 owner=$2
	cp "$work/orig.mbox" "$dst.new"
	chown "$owner" "$dst.new"
	chmod 600 "$dst.new"
	mv -f "$dst.new" "$dst"
}

# session runs one measured session: label kind port [pop3load flags].
session() {
	local label=$1 kind=$2 port=$3
	shift 3
	"$work/bin/pop3load" -addr "127.0.0.1:$port" -user "$BENCHUSER" -pass "$PASS" \
		-label "$label" -kind "$kind" -out "$work/results.jsonl" "$@"
}

# dovecot_warm_setup prepares the state each warm Dovecot run starts
# from. snapshot (the default): a fresh copy of the mailbox and an index
# built for it by an untimed session that deletes nothing, both saved
# (mbox with its mtime, which Dovecot checks) and restored before each
# run, so the index is valid as in steady use. recopy: each run gets a
# fresh copy of the original mailbox and the index the previous run
# left, which no longer matches it.
dovecot_warm_setup() {
	[ "$DOVECOT_WARM" = snapshot ] || return 0
	fresh "$dovecot_mbox" "$DUID:$DUID"
	rm -rf "$dovecot_index"
	"$work/bin/pop3load" -prime -addr "127.0.0.1:$dovecot_port" -user "$BENCHUSER" -pass "$PASS"
	cp -p "$dovecot_mbox" "$work/dovecot/warm.mbox"
	cp -a "$dovecot_index" "$work/dovecot/warm.index"
}

dovecot_warm_restore() {
	if [ "$DOVECOT_WARM" != snapshot ]; then
		fresh "$dovecot_mbox" "$DUID:$DUID"
		return
	fi
	cp -p "$work/dovecot/warm.mbox" "$dovecot_mbox.new"
	mv -f "$dovecot_mbox.new" "$dovecot_mbox"
	rm -rf "$dovecot_index"
	cp -a "$work/dovecot/warm.index" "$dovecot_index"
}

runs() {
	log "cold runs"
	fresh "$ours_mbox" root:root
	session ours cold "$ours_port" -cpupid "$ours_pid" -dump "$work/ours.dump"
	fresh "$dovecot_mbox" "$DUID:$DUID"
	rm -rf "$dovecot_index"
	session dovecot cold "$dovecot_port" -cpupid "$dovecot_pid" -dump "$work/dovecot.dump"
	log "$WARM warm runs each (Dovecot: $DOVECOT_WARM)"
	dovecot_warm_setup
	for _ in $(seq "$WARM"); do
		fresh "$ours_mbox" root:root
		session ours warm "$ours_port" -cpupid "$ours_pid"
		dovecot_warm_restore
		session dovecot warm "$dovecot_port" -cpupid "$dovecot_pid"
	done
}

# profile runs our server in process (pop3load -inproc): a cold session
# and a warm one, each on a fresh copy, the warm one under a CPU profile
# per step, and prints where the time of the slow steps goes.
profile() {
	log "CPU profile of our server, in process, warm session"
	local p=$work/prof
	mkdir -p "$p/root/box/$BENCHUSER"
	"$work/bin/pop3load" -inproc -root "$p/root" -keys "$work/ours/keys" \
		-user "$BENCHUSER" -pass "$PASS" -mbox "$work/orig.mbox" -runs 2 \
		-out "$p/result.jsonl" -cpuprofile "$p/cpu"
	for step in login RETR QUIT; do
		echo "--- $step (profile $p/cpu.$step.prof)"
		go tool pprof -top -cum -nodecount=30 "$work/bin/pop3load" "$p/cpu.$step.prof" 2>/dev/null |
			sed -n '/^Duration/p; /flat%/,$p'
	done
}

main() {
	install_dovecot
	build
	dovecot_port=$(freeport)
	ours_port=$(freeport)
	while [ "$ours_port" = "$dovecot_port" ]; do ours_port=$(freeport); done
	setup_ours
	setup_dovecot
	start_servers
	runs
	echo
	echo "POP3, $MSGS messages ($(stat -c %s "$work/orig.mbox") bytes of mbox), seed $SEED, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
	"$work/bin/pop3load" -report "$work/results.jsonl" -dumps "$work/ours.dump,$work/dovecot.dump"
	echo "Dovecot hides Status:, X-Status:, X-UID:, X-Keywords: and Content-Length:"
	echo "headers of mbox mail (spec/clients.md), so sizes may differ where they occur."
	if [ "${PROFILE:-0}" = 1 ]; then
		profile
	fi
}

main "$@"
