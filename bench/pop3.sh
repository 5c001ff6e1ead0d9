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
#         Dovecot's starts with a valid index (see dovecot_warm_setup);
#   restart  RESTARTS sessions, each the first after both servers were
#         stopped and started again over a mailbox the stopped server had
#         seen unchanged (ours: a fresh copy read by an untimed session
#         that deletes nothing, so the emulator's and pop3's indexes hold
#         it; Dovecot: the warm snapshot): what is left is what each keeps
#         on disk.
# Each session also records each server's peak memory (all its
# processes, sampled every 50 ms: VmRSS and RssAnon). Then it prints the
# table of times (cold, median of warm and of restart) and ratios
# ours/Dovecot, and what each server delivered.
#
# Usage: bench/pop3.sh     (as root: it may apt-get install Dovecot and
#                           runs a private Dovecot instance)
# Environment: MSGS (10000), SEED (1), WARM (3), RESTARTS (1), DOVECOT_WARM (snapshot
# or recopy, see dovecot_warm_setup), KEEP=1 keeps the work directory,
# PROFILE=1 adds an in-process CPU profile of our server.
set -euo pipefail

MSGS=${MSGS:-10000}
SEED=${SEED:-1}
WARM=${WARM:-3}
RESTARTS=${RESTARTS:-1}
DOVECOT_WARM=${DOVECOT_WARM:-snapshot}

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init pop3bench

build() {
	log "building into $work/bin"
	(cd "$repo" && go build -o "$work/bin/" ./cmd/pop3 ./bench/pop3load ./bench/genmbox)
	generate
}

start_servers() {
	start_dovecot
	log "starting ours on 127.0.0.1:$ours_port"
	"$work/bin/pop3" -l "127.0.0.1:$ours_port" -p -root "$work/ours/root" -index "$work/ours/index" \
		-keys "$work/ours/keys" 2>"$work/ours/log" &
	ours_pid=$!
	waitport "$dovecot_port"
	waitport "$ours_port"
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
	log "$RESTARTS sessions each after restarting both servers"
	for _ in $(seq "$RESTARTS"); do
		fresh "$ours_mbox" root:root
		"$work/bin/pop3load" -prime -addr "127.0.0.1:$ours_port" -user "$BENCHUSER" -pass "$PASS"
		dovecot_warm_restore
		stop "$ours_pid"
		stop "$dovecot_pid"
		start_servers
		session ours restart "$ours_port" -cpupid "$ours_pid"
		session dovecot restart "$dovecot_port" -cpupid "$dovecot_pid"
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
	ours_port=$(freeport "$dovecot_port")
	setup_ours
	setup_dovecot "$(freeport "$dovecot_port" "$ours_port")" "$dovecot_port"
	start_servers
	runs
	echo
	header POP3
	"$work/bin/pop3load" -report "$work/results.jsonl" -dumps "$work/ours.dump,$work/dovecot.dump"
	echo "Dovecot hides Status:, X-Status:, X-UID:, X-Keywords: and Content-Length:"
	echo "headers of mbox mail (spec/clients.md), so sizes may differ where they occur."
	if [ "${PROFILE:-0}" = 1 ]; then
		profile
	fi
}

main "$@"
