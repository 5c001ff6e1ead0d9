#!/bin/bash
# imapsort.sh: benchmark SORT and THREAD (RFC 5256) of our IMAP server
# (cmd/imap4d over the upasfs emulator) against Debian's Dovecot on the
# same generated mbox, in one run, as bench/imap.sh does for FETCH.
#
# A run is one session (bench/imapload -session sort): connect, LOGIN,
# SELECT INBOX,
#   SORT (DATE) UTF-8 ALL
#   SORT (SUBJECT) UTF-8 ALL
#   SORT (FROM) UTF-8 ALL
#   THREAD REFERENCES UTF-8 ALL
# and LOGOUT. genmbox's mail has threads (Message-ID, In-Reply-To,
# References, "Re: " subjects). Runs:
#   cold  the first session after the server starts on a mailbox it has
#         never seen: ours has no caches, no .imp and an empty index
#         directory; Dovecot's index files are removed first;
#   warm  WARM more sessions: Dovecot has its index and cache (with the
#         sort and thread data it keeps), ours its in-process caches and
#         the sort index file (protocol/imap sortkey.go).
# It prints the table of times and ratios ours/Dovecot, and whether both
# servers gave the same answers (size and CRC-32C of each response).
#
# Usage: bench/imapsort.sh   (as root: it runs a private Dovecot)
# Environment: MSGS (10000), SEED (1), WARM (3), KEEP=1 keeps the work
# directory, PORTS ("21451 21452 21453": Dovecot's IMAP, ours, Dovecot's
# POP3).
set -euo pipefail

MSGS=${MSGS:-10000}
SEED=${SEED:-1}
WARM=${WARM:-3}
PORTS=${PORTS:-21451 21452 21453}

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init imapsort

session() {
	local label=$1 kind=$2 port=$3
	shift 3
	"$work/bin/imapload" -session sort -addr "127.0.0.1:$port" -user "$BENCHUSER" -pass "$PASS" \
		-label "$label" -kind "$kind" -out "$work/results.jsonl" -timeout 10m "$@"
}

main() {
	install_dovecot
	log "building into $work/bin"
	(cd "$repo" && go build -o "$work/bin/" ./cmd/imap4d ./bench/imapload ./bench/genmbox)
	generate
	read -r dovecot_port ours_port pop3_port <<<"$PORTS"
	setup_ours
	setup_dovecot "$dovecot_port" "$pop3_port"
	fresh "$ours_mbox" root:root
	fresh "$dovecot_mbox" "$DUID:$DUID"
	start_dovecot
	log "starting ours on 127.0.0.1:$ours_port"
	"$work/bin/imap4d" -l "127.0.0.1:$ours_port" -p -root "$work/ours/root" -index "$work/ours/index" \
		-keys "$work/ours/keys" 2>"$work/ours/log" &
	ours_pid=$!
	waitport "$dovecot_port"
	waitport "$ours_port"
	log "cold runs"
	session ours cold "$ours_port" -cpupid "$ours_pid"
	session dovecot cold "$dovecot_port" -cpupid "$dovecot_pid"
	log "$WARM warm runs each"
	for _ in $(seq "$WARM"); do
		session ours warm "$ours_port" -cpupid "$ours_pid"
		session dovecot warm "$dovecot_port" -cpupid "$dovecot_pid"
	done
	echo
	header "IMAP SORT and THREAD"
	"$work/bin/imapload" -report "$work/results.jsonl"
}

main "$@"
