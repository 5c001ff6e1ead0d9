# lib.sh: shell shared by the benchmarks against Debian's Dovecot
# (pop3.sh, imap.sh; DESIGN.md "Speed, by construction"). Source it,
# then call bench_init NAME. It sets and uses:
#   BENCHUSER, PASS  the one user of both servers and its password
#   DUID             Dovecot's static userdb uid/gid (spec/clients.md)
#   here, repo       this directory and the repository
#   work             the work directory (removed at exit unless KEEP=1)
#   ours_pid, dovecot_pid  the servers to stop at exit
# shellcheck shell=bash

BENCHUSER=bench
PASS=pass
DUID=5000

# bench_init makes the work directory /tmp/NAME.XXXXXX and the traps.
bench_init() {
	here=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
	repo=$(dirname "$here")
	work=$(mktemp -d "/tmp/$1.XXXXXX")
	chmod 755 "$work" # Dovecot's user must search every parent directory
	dovecot_pid=
	ours_pid=
	trap cleanup EXIT
	trap 'exit 130' INT TERM
}

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

log() { printf '== %s\n' "$*" >&2; }

# freeport prints a loopback TCP port nothing listens on, other than
# the ports given as arguments.
freeport() {
	local p
	while :; do
		p=$((30000 + RANDOM % 30000))
		case " $* " in *" $p "*) continue ;; esac
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

# generate writes the benchmark mailbox $work/orig.mbox with
# $work/bin/genmbox (MSGS messages, SEED).
generate() {
	log "generating $MSGS messages, seed $SEED"
	"$work/bin/genmbox" -n "$MSGS" -seed "$SEED" -o "$work/orig.mbox"
}

# setup_ours makes our mail root (box/<user>/mbox) and keys (keyfs
# layout) under $work/ours; sets ours_mbox.
setup_ours() {
	mkdir -p "$work/ours/root/box/$BENCHUSER" "$work/ours/keys/$BENCHUSER"
	chmod 700 "$work/ours/keys" "$work/ours/keys/$BENCHUSER"
	printf '%s' "$PASS" >"$work/ours/keys/$BENCHUSER/secret"
	chmod 600 "$work/ours/keys/$BENCHUSER/secret"
	ours_mbox=$work/ours/root/box/$BENCHUSER/mbox
}

# setup_dovecot IMAPPORT POP3PORT writes the private configuration of
# spec/clients.md under $work/dovecot; sets dovecot_mbox and
# dovecot_index.
setup_dovecot() {
	local d=$work/dovecot
	mkdir -p "$d/run" "$d/state" "$d/log" "$d/home/$BENCHUSER/mail"
	chmod 755 "$d" "$d/home"
	chown -R "$DUID:$DUID" "$d/home/$BENCHUSER"
	dovecot_mbox=$d/home/$BENCHUSER/mbox
	# mail_location puts INBOX's index files under ~/mail/.imap/INBOX.
	dovecot_index=$d/home/$BENCHUSER/mail/.imap
	sed "s|DIR|$d|g; s|IMAPPORT|$1|; s|POP3PORT|$2|" >"$d/dovecot.conf" <<'CONF'
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
CONF
}

# start_dovecot starts the private Dovecot in the foreground of its own
# session; sets dovecot_pid. The caller waits for its port.
start_dovecot() {
	log "starting Dovecot"
	setsid /usr/sbin/dovecot -F -c "$work/dovecot/dovecot.conf" &
	dovecot_pid=$!
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

# header prints the first line of a report: protocol, mailbox, machine.
header() {
	echo "$1, $MSGS messages ($(stat -c %s "$work/orig.mbox") bytes of mbox), seed $SEED, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
}
