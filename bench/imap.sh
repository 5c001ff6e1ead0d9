#!/bin/bash
# imap.sh: benchmark our IMAP server (cmd/imap4d over the upasfs
# emulator) against Debian's Dovecot on the same generated mbox, in one
# run (DESIGN.md "Speed, by construction").
#
# Each server gets its own copy of one generated mailbox. A run is one
# session (bench/imapload times each step): connect, LOGIN, SELECT INBOX,
#   FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE)
#   FETCH 1:* BODY.PEEK[]
# and LOGOUT. Nothing in it changes the mailbox, so all runs share it.
# Runs:
#   cold  the first session after the server starts on a mailbox it has
#         never seen: ours has no caches, no .imp file and its indexes
#         in a fresh directory of the run; Dovecot's index files are
#         removed first, so it builds them;
#   warm  WARM more sessions; Dovecot has its index and cache, ours its
#         .imp file and in-process caches;
#   restart  RESTARTS sessions, each the first after both servers were
#         stopped and started again: what is left is what each keeps on
#         disk (Dovecot's index and cache; our .imp, state file and
#         -index directory).
# Each session also records each server's peak memory (all its
# processes, sampled every 50 ms: VmRSS and RssAnon). Then it prints the
# table of times (cold, median of warm and of restart) and ratios
# ours/Dovecot, what each server delivered, and a per-message comparison
# of the cold runs: BODY[] bytes and the listing items.
#
# Usage: bench/imap.sh     (as root: it may apt-get install Dovecot and
#                           runs a private Dovecot instance)
# Environment: MSGS (10000), SEED (1), WARM (3), RESTARTS (1), KEEP=1 keeps the work
# directory, PROFILE=1 adds an in-process CPU profile of our server.
set -euo pipefail

MSGS=${MSGS:-10000}
SEED=${SEED:-1}
WARM=${WARM:-3}
RESTARTS=${RESTARTS:-1}

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init imapbench

build() {
	log "building into $work/bin"
	(cd "$repo" && go build -o "$work/bin/" ./cmd/imap4d ./bench/imapload ./bench/genmbox)
	generate
}

start_servers() {
	start_dovecot
	log "starting ours on 127.0.0.1:$ours_port"
	"$work/bin/imap4d" -l "127.0.0.1:$ours_port" -p -root "$work/ours/root" -index "$work/ours/index" \
		-keys "$work/ours/keys" 2>"$work/ours/log" &
	ours_pid=$!
	waitport "$dovecot_port"
	waitport "$ours_port"
}

# session runs one measured session: label kind port [imapload flags].
session() {
	local label=$1 kind=$2 port=$3
	shift 3
	"$work/bin/imapload" -addr "127.0.0.1:$port" -user "$BENCHUSER" -pass "$PASS" \
		-label "$label" -kind "$kind" -out "$work/results.jsonl" "$@"
}

runs() {
	log "cold runs"
	fresh "$ours_mbox" root:root
	rm -f "$ours_mbox.imp"
	session ours cold "$ours_port" -cpupid "$ours_pid" -dump "$work/ours.dump"
	fresh "$dovecot_mbox" "$DUID:$DUID"
	rm -rf "$dovecot_index"
	session dovecot cold "$dovecot_port" -cpupid "$dovecot_pid" -dump "$work/dovecot.dump"
	log "$WARM warm runs each"
	for _ in $(seq "$WARM"); do
		session ours warm "$ours_port" -cpupid "$ours_pid"
		session dovecot warm "$dovecot_port" -cpupid "$dovecot_pid"
	done
	log "$RESTARTS sessions each after restarting both servers"
	for _ in $(seq "$RESTARTS"); do
		stop "$ours_pid"
		stop "$dovecot_pid"
		start_servers
		session ours restart "$ours_port" -cpupid "$ours_pid"
		session dovecot restart "$dovecot_port" -cpupid "$dovecot_pid"
	done
}

# profile runs our server in process (imapload -inproc) on a fresh copy:
# a cold session and a warm one, each under a CPU profile per step
# (server and client together), and prints where the time of the heavy
# steps goes.
profile() {
	log "CPU profile of our server, in process"
	local p=$work/prof
	mkdir -p "$p/root/box/$BENCHUSER"
	"$work/bin/imapload" -inproc -root "$p/root" -keys "$work/ours/keys" \
		-user "$BENCHUSER" -pass "$PASS" -mbox "$work/orig.mbox" -runs 2 \
		-out "$p/result.jsonl" -cpuprofile "$p/cpu"
	for step in cold.FETCH-meta warm.SELECT warm.FETCH-meta warm.FETCH-body; do
		echo "--- $step (profile $p/cpu.$step.prof)"
		go tool pprof -top -cum -nodecount=25 "$work/bin/imapload" "$p/cpu.$step.prof" 2>/dev/null |
			sed -n '/^Duration/p; /flat%/,$p'
	done
}

main() {
	install_dovecot
	build
	dovecot_port=$(freeport)
	ours_port=$(freeport "$dovecot_port")
	setup_ours
	setup_dovecot "$dovecot_port" "$(freeport "$dovecot_port" "$ours_port")"
	start_servers
	runs
	echo
	header IMAP
	"$work/bin/imapload" -report "$work/results.jsonl" -dumps "$work/ours.dump,$work/dovecot.dump"
	echo "Dovecot hides Status:, X-Status:, X-UID:, X-Keywords: and Content-Length:"
	echo "headers of mbox mail (spec/clients.md), so sizes may differ where they occur."
	if [ "${PROFILE:-0}" = 1 ]; then
		profile
	fi
}

main "$@"
