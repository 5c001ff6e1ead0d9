package lmtp_test

import (
	"bufio"
	"fmt"
	"net"
	"net/smtp"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"p9mail/protocol/auth"
	"p9mail/protocol/imap"
	"p9mail/protocol/lmtp"
	"p9mail/protocol/mailfs"
	"p9mail/testenv"
)

// Loopback ports of the Postfix test: our LMTP server, Postfix's SMTP
// listener, the IMAP server.
const (
	lmtpPort = 21470
	smtpPort = 21471
	imapPort = 21472
)

// postfixMain is the main.cf of a private Postfix instance: its own
// queue, loopback only, every address of example.org handed by LMTP to
// our server (virtual_transport), logging to a file.
const postfixMain = `compatibility_level = 3.6
queue_directory = {{dir}}/queue
data_directory = {{dir}}/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = no
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.test
mydomain = test
mydestination =
mynetworks = 127.0.0.0/8
relay_domains =
alias_maps =
alias_database =
virtual_mailbox_domains = example.org
virtual_mailbox_maps = static:ok
virtual_transport = lmtp:inet:127.0.0.1:{{lmtp}}
maillog_file = {{dir}}/maillog
maillog_file_prefixes = {{dir}}
smtputf8_enable = no
biff = no
queue_run_delay = 1s
minimal_backoff_time = 1s
smtpd_banner = $myhostname ESMTP
`

// postfixMaster holds only the services this test needs, none in a
// chroot, SMTP on a high loopback port.
const postfixMaster = `127.0.0.1:{{smtp}} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`

// TestPostfix: Debian's Postfix, submitted to by SMTP, delivers by
// LMTP to our server, which writes glenda's mailbox and, for
// glenda+lists, her "lists" mailbox; an IMAP session IDLE in INBOX sees
// the message arrive. Postfix runs as a private instance (its own
// config_directory, queue and ports), never the system's.
func TestPostfix(t *testing.T) {
	postfix := testenv.NeedProgram(t, "postfix")
	if os.Geteuid() != 0 {
		msg := "Postfix's master must start as root"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	root := testenv.MailRoot(t, "glenda")
	for _, box := range []string{"mbox", "lists"} {
		if err := os.WriteFile(filepath.Join(root, "box", "glenda", box), nil, 0600); err != nil {
			t.Fatal(err)
		}
	}
	// Our LMTP server.
	srv, err := lmtp.New(lmtp.Config{Deliverer: &lmtp.HostDeliverer{Root: root, LockTimeout: 10 * time.Second}, ServerName: "lmtp.test"})
	if err != nil {
		t.Fatal(err)
	}
	ll, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", lmtpPort))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ll.Close() })
	go srv.Serve(ll)

	// The IMAP session, IDLE before the mail is sent.
	keys, err := auth.OpenKeys(testenv.WriteKeys(t, root, map[string]string{"glenda": "pw"}))
	if err != nil {
		t.Fatal(err)
	}
	isrv, err := imap.New(imap.Config{Source: &mailfs.Source{Root: root}, Keys: keys, AllowPlain: true,
		IdlePoll: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	il, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", imapPort))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { il.Close() })
	go isrv.Serve(il, false)
	ic, err := net.Dial("tcp", il.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer ic.Close()
	ic.SetDeadline(time.Now().Add(40 * time.Second))
	ir := bufio.NewReader(ic)
	expect := func(prefix string) string {
		t.Helper()
		for {
			line, err := ir.ReadString('\n')
			if err != nil {
				t.Fatalf("IMAP: waiting for %q: %v", prefix, err)
			}
			if strings.HasPrefix(line, prefix) {
				return line
			}
		}
	}
	expect("* OK")
	fmt.Fprintf(ic, "a LOGIN glenda pw\r\n")
	expect("a OK")
	fmt.Fprintf(ic, "b SELECT INBOX\r\n")
	exists := expect("* ")
	for !strings.HasSuffix(exists, " EXISTS\r\n") {
		exists = expect("* ")
	}
	var before int
	fmt.Sscanf(exists, "* %d EXISTS", &before)
	expect("b OK")
	fmt.Fprintf(ic, "c IDLE\r\n")
	expect("+ ")

	// Postfix.
	dir, err := os.MkdirTemp("", "p9pf")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	conf := filepath.Join(dir, "conf")
	os.MkdirAll(conf, 0755)
	r := strings.NewReplacer("{{dir}}", dir, "{{lmtp}}", fmt.Sprint(lmtpPort), "{{smtp}}", fmt.Sprint(smtpPort))
	for name, text := range map[string]string{"main.cf": postfixMain, "master.cf": postfixMaster} {
		if err := os.WriteFile(filepath.Join(conf, name), []byte(r.Replace(text)), 0644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, 0755); err != nil {
		t.Fatal(err)
	}
	// The queue belongs to root (Postfix makes its subdirectories), the
	// data directory to the mail_owner.
	pf, err := user.Lookup("postfix")
	if err != nil {
		t.Fatalf("the postfix package's user: %v", err)
	}
	uid, _ := strconv.Atoi(pf.Uid)
	gid, _ := strconv.Atoi(pf.Gid)
	for _, d := range []string{"queue", "data"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(filepath.Join(dir, "data"), uid, gid); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) {
		t.Helper()
		out, err := exec.Command(postfix, append([]string{"-c", conf}, args...)...).CombinedOutput()
		if err != nil {
			log, _ := os.ReadFile(filepath.Join(dir, "maillog"))
			t.Fatalf("postfix %s: %v\n%s\nmaillog:\n%s", strings.Join(args, " "), err, out, log)
		}
	}
	run("check")
	run("start")
	t.Cleanup(func() {
		out, err := exec.Command(postfix, "-c", conf, "stop").CombinedOutput()
		if err != nil {
			t.Errorf("postfix stop: %v\n%s", err, out)
		}
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "maillog"))
			t.Logf("Postfix's maillog:\n%s", log)
		}
	})
	// Wait for its SMTP listener, then submit.
	addr := fmt.Sprintf("127.0.0.1:%d", smtpPort)
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Postfix's SMTP listener: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	msg := "From: ken@example.com\r\nTo: glenda@example.org\r\nSubject: via postfix\r\n\r\nFrom the body.\r\n"
	if err := smtp.SendMail(addr, nil, "ken@example.com", []string{"glenda@example.org", "glenda+lists@example.org"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	// IDLE sees it.
	var now int
	for now <= before {
		line := expect("* ")
		fmt.Sscanf(line, "* %d EXISTS", &now)
	}
	fmt.Fprintf(ic, "DONE\r\n")
	expect("c OK")
	// Both mailboxes hold it, From-escaped, with our trace fields.
	deadline = time.Now().Add(30 * time.Second)
	for {
		lists, _ := os.ReadFile(filepath.Join(root, "box", "glenda", "lists"))
		if strings.Contains(string(lists), "Subject: via postfix") {
			if !strings.Contains(string(lists), "\n From the body.\n") || !strings.HasPrefix(string(lists), "From ken@example.com ") ||
				!strings.Contains(string(lists), "by lmtp.test with LMTP") {
				t.Errorf("lists mailbox:\n%s", lists)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("glenda+lists not delivered to lists: %q", lists)
		}
		time.Sleep(100 * time.Millisecond)
	}
	inbox, err := os.ReadFile(filepath.Join(root, "box", "glenda", "mbox"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(inbox), "Subject: via postfix"); n != 1 {
		t.Errorf("INBOX holds %d copies", n)
	}
}
