package lmtp

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"p9mail/protocol/mailfs"
	"p9mail/upasfs/mbox"
)

var testNow = time.Date(2026, time.March, 4, 12, 0, 0, 0, time.UTC)

// testRoot makes a mail root with users glenda (with a mailbox
// "lists") and rob.
func testRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, u := range []string{"glenda", "rob"} {
		if err := os.MkdirAll(filepath.Join(root, "box", u), 0700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "box", u, "mbox"), nil, 0600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "box", "glenda", "lists"), nil, 0600); err != nil {
		t.Fatal(err)
	}
	return root
}

// transcript runs a dialogue: "C: " lines are sent, "S: " lines must
// come back exactly, "S~ " lines match a regular expression.
func transcript(t *testing.T, cfg Config, script string) {
	t.Helper()
	cfg.Now = func() time.Time { return testNow }
	if cfg.ServerName == "" {
		cfg.ServerName = "mx.test"
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c1, c2 := net.Pipe()
	done := make(chan struct{})
	go func() { srv.ServeConn(c1); close(done) }()
	defer func() { c2.Close(); <-done }()
	r := bufio.NewReader(c2)
	c2.SetDeadline(time.Now().Add(10 * time.Second))
	// The client's lines go from their own goroutine, as over TCP a
	// pipelining client's do not wait for the replies.
	lines := make(chan string, 100)
	werr := make(chan error, 1)
	go func() {
		var err error
		for l := range lines {
			if err == nil {
				_, err = c2.Write([]byte(l))
			}
		}
		werr <- err
	}()
	defer func() {
		close(lines)
		if err := <-werr; err != nil {
			t.Errorf("write: %v", err)
		}
	}()
	for n, line := range strings.Split(strings.TrimSpace(script), "\n") {
		line = strings.TrimLeft(line, "\t")
		switch {
		case strings.HasPrefix(line, "C: "):
			lines <- line[3:] + "\r\n"
		case strings.HasPrefix(line, "S: "), strings.HasPrefix(line, "S~ "):
			got, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("line %d: want %q, read: %v", n+1, line[3:], err)
			}
			got = strings.TrimSuffix(got, "\r\n")
			ok := got == line[3:]
			if line[1] == '~' {
				ok = regexp.MustCompile("^" + line[3:] + "$").MatchString(got)
			}
			if !ok {
				t.Fatalf("line %d: got %q, want %q", n+1, got, line[3:])
			}
		case strings.HasPrefix(line, "CLOSED"):
			if got, err := r.ReadString('\n'); err == nil {
				t.Fatalf("line %d: want the end, got %q", n+1, got)
			}
		default:
			t.Fatalf("line %d: bad script line %q", n+1, line)
		}
	}
}

func TestDelivery(t *testing.T) {
	root := testRoot(t)
	transcript(t, Config{Deliverer: &HostDeliverer{Root: root, LockTimeout: time.Second}}, `
		S: 220 mx.test LMTP ready
		C: LHLO client.test
		S: 250-mx.test
		S: 250-PIPELINING
		S: 250-ENHANCEDSTATUSCODES
		S: 250-8BITMIME
		S: 250 SIZE 33554432
		C: MAIL FROM:<ken@example.com> SIZE=200 BODY=8BITMIME
		S: 250 2.1.0 sender ok
		C: RCPT TO:<glenda@example.com>
		S: 250 2.1.5 recipient ok
		C: RCPT TO:<nobody@example.com>
		S: 550 5.1.1 <nobody@example.com> no such user
		C: RCPT TO:<glenda+lists@example.com>
		S: 250 2.1.5 recipient ok
		C: RCPT TO:<rob+nosuchbox@example.com>
		S: 250 2.1.5 recipient ok
		C: RCPT TO:<glenda+../rob/mbox@example.com>
		S: 250 2.1.5 recipient ok
		C: DATA
		S: 354 send the message, end with <CRLF>.<CRLF>
		C: Subject: hello
		C: 
		C: From the start
		C: ..dot
		C: .
		S~ 250 2\.0\.0 <glenda@example.com> delivered to mbox as [0-9a-f]{40}
		S~ 250 2\.0\.0 <glenda\+lists@example.com> delivered to lists as [0-9a-f]{40}
		S~ 250 2\.0\.0 <rob\+nosuchbox@example.com> delivered to mbox as [0-9a-f]{40}
		S~ 250 2\.0\.0 <glenda\+\.\./rob/mbox@example.com> delivered to mbox as [0-9a-f]{40}
		C: QUIT
		S: 221 2.0.0 mx.test closing
		CLOSED`)
	want := "From ken@example.com Wed Mar  4 12:00:00 GMT 2026\n" +
		"Return-Path: <ken@example.com>\n" +
		"Received: from client.test (pipe)\n\tby mx.test with LMTP id 69a81ec0.1;\n\tWed, 04 Mar 2026 12:00:00 +0000\n" +
		"Subject: hello\n\n From the start\n.dot\n\n"
	for box, n := range map[string]int{"glenda/mbox": 2, "glenda/lists": 1, "rob/mbox": 1} {
		b, err := os.ReadFile(filepath.Join(root, "box", box))
		if err != nil {
			t.Fatal(err)
		}
		if got := string(b); got != strings.Repeat(want, n) {
			t.Errorf("%s:\n%q\nwant %d of\n%q", box, got, n, want)
		}
	}
}

func TestProtocolErrors(t *testing.T) {
	root := testRoot(t)
	transcript(t, Config{Deliverer: &HostDeliverer{Root: root}, MaxRcpts: 2, MaxSize: 20, MaxLine: 64}, `
		S: 220 mx.test LMTP ready
		C: HELO client.test
		S: 500 5.5.1 this is LMTP: say LHLO
		C: MAIL FROM:<a@b>
		S: 503 5.5.1 LHLO first
		C: LHLO
		S: 501 5.5.4 LHLO needs a host name
		C: LHLO client.test
		S: 250-mx.test
		S: 250-PIPELINING
		S: 250-ENHANCEDSTATUSCODES
		S: 250-8BITMIME
		S: 250 SIZE 20
		C: RCPT TO:<glenda>
		S: 503 5.5.1 MAIL first
		C: DATA
		S: 503 5.5.1 MAIL first
		C: MAIL FROM:<a@b> SIZE=21
		S: 552 5.3.4 message too big: at most 20 bytes
		C: MAIL FROM:a@b
		S: 501 5.5.4 syntax: MAIL FROM:<address> [SIZE=n] [BODY=7BIT|8BITMIME]
		C: MAIL FROM:<a@b> FOO=1
		S: 555 5.5.4 unknown MAIL parameter FOO
		C: MAIL FROM:<>
		S: 250 2.1.0 sender ok
		C: MAIL FROM:<a@b>
		S: 503 5.5.1 a transaction is in progress: RSET first
		C: DATA
		S: 503 5.5.1 no valid recipients
		C: RCPT TO:<"glenda"@b>
		S: 501 5.1.3 bad recipient address
		C: RCPT TO:<glenda@b>
		S: 250 2.1.5 recipient ok
		C: RCPT TO:<rob@b>
		S: 250 2.1.5 recipient ok
		C: RCPT TO:<rob@b>
		S: 452 4.5.3 too many recipients
		C: VRFY glenda
		S: 252 2.5.0 cannot VRFY a user, but will try delivery
		C: EXPN staff
		S: 502 5.5.1 EXPN not available
		C: NOOP
		S: 250 2.0.0 ok
		C: MAIL FROM:<a@b> xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
		S: 500 5.5.2 line too long
		C: DATA
		S: 354 send the message, end with <CRLF>.<CRLF>
		C: Subject: this is longer than twenty bytes
		C: .
		S: 552 5.3.4 message too big: at most 20 bytes
		S: 552 5.3.4 message too big: at most 20 bytes
		C: RCPT TO:<glenda@b>
		S: 503 5.5.1 MAIL first
		C: MAIL FROM:<a@b>
		S: 250 2.1.0 sender ok
		C: RSET
		S: 250 2.0.0 ok
		C: RCPT TO:<glenda@b>
		S: 503 5.5.1 MAIL first
		C: BOGUS
		S: 500 5.5.2 command not recognized
		C: QUIT
		S: 221 2.0.0 mx.test closing
		CLOSED`)
	if b, _ := os.ReadFile(filepath.Join(root, "box", "glenda", "mbox")); len(b) != 0 {
		t.Errorf("a refused message was delivered: %q", b)
	}
}

func TestTooManyErrors(t *testing.T) {
	transcript(t, Config{Deliverer: &HostDeliverer{Root: testRoot(t)}, MaxErrors: 2}, `
		S: 220 mx.test LMTP ready
		C: X
		S: 500 5.5.2 command not recognized
		C: Y
		S: 500 5.5.2 command not recognized
		S: 421 4.7.0 too many errors, closing
		CLOSED`)
}

func TestIdleTimeout(t *testing.T) {
	transcript(t, Config{Deliverer: &HostDeliverer{Root: testRoot(t)}, IdleTimeout: 50 * time.Millisecond}, `
		S: 220 mx.test LMTP ready
		S: 421 4.4.2 mx.test timeout, closing
		CLOSED`)
}

// TestPipelining: a client may send the whole transaction at once
// (RFC 2920); the replies come in order.
func TestPipelining(t *testing.T) {
	root := testRoot(t)
	transcript(t, Config{Deliverer: &HostDeliverer{Root: root}}, `
		S: 220 mx.test LMTP ready
		C: LHLO c
		S: 250-mx.test
		S: 250-PIPELINING
		S: 250-ENHANCEDSTATUSCODES
		S: 250-8BITMIME
		S: 250 SIZE 33554432
		C: MAIL FROM:<a@b>
		C: RCPT TO:<rob@b>
		C: RCPT TO:<nobody@b>
		C: DATA
		S: 250 2.1.0 sender ok
		S: 250 2.1.5 recipient ok
		S: 550 5.1.1 <nobody@b> no such user
		S: 354 send the message, end with <CRLF>.<CRLF>
		C: x
		C: .
		C: QUIT
		S~ 250 2\.0\.0 <rob@b> delivered to mbox as .*
		S: 221 2.0.0 mx.test closing`)
}

// TestNSDeliverer delivers through a name space (the -fs path), and
// cuts back the torn tail an append record describes first.
func TestNSDeliverer(t *testing.T) {
	root := testRoot(t)
	d := &NSDeliverer{Source: &mailfs.Source{Root: root}, LockTimeout: time.Second}
	if _, err := d.Resolve("nobody", ""); err != ErrNoUser {
		t.Fatalf("Resolve(nobody) = %v", err)
	}
	box, err := d.Resolve("glenda", "lists")
	if err != nil || box != "lists" {
		t.Fatalf("Resolve(glenda, lists) = %q, %v", box, err)
	}
	var a, b bytes.Buffer
	mbox.Format(&a, "x@y", testNow, []byte("Subject: a\r\n\r\nbody a\r\n"))
	mbox.Format(&b, "x@y", testNow, []byte("Subject: b\r\n\r\nbody b\r\n"))
	path := filepath.Join(root, "box", "glenda", "mbox")
	if err := d.Deliver("glenda", "mbox", a.Bytes()); err != nil {
		t.Fatal(err)
	}
	// A writer killed after 30 bytes of b.
	in := mbox.NewIntent(int64(a.Len()), 0, b.Bytes())
	if err := os.WriteFile(mbox.IntentPath(path), in.Marshal(), 0600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(b.Bytes()[:30])
	f.Close()
	if err := d.Deliver("glenda", "mbox", b.Bytes()); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := a.String() + b.String(); string(got) != want {
		t.Errorf("mbox:\n%q\nwant\n%q", got, want)
	}
	if _, err := os.Stat(mbox.IntentPath(path)); !os.IsNotExist(err) {
		t.Errorf("append record left: %v", err)
	}
}

// TestHostDelivererDotlock: a Unix agent's dotlock makes the delivery
// wait its LockTimeout and fail with mbox.ErrLocked (a 451 reply),
// the mailbox untouched.
func TestHostDelivererDotlock(t *testing.T) {
	root := testRoot(t)
	path := filepath.Join(root, "box", "rob", "mbox")
	if err := os.WriteFile(path+".lock", []byte("1\n"), 0600); err != nil { // pid 1 lives
		t.Fatal(err)
	}
	d := &HostDeliverer{Root: root, LockTimeout: 600 * time.Millisecond}
	var m bytes.Buffer
	mbox.Format(&m, "x@y", testNow, []byte("Subject: x\r\n\r\nx\r\n"))
	start := time.Now()
	err := d.Deliver("rob", "mbox", m.Bytes())
	if !errors.Is(err, mbox.ErrLocked) {
		t.Fatalf("Deliver under a dotlock: %v", err)
	}
	if el := time.Since(start); el < 500*time.Millisecond {
		t.Errorf("gave up after %v", el)
	}
	if b, _ := os.ReadFile(path); len(b) != 0 {
		t.Errorf("mailbox written under the dotlock: %q", b)
	}
}

// TestDigest: the digest in the 250 reply is the one upasfs's scan
// gives the message in the mailbox.
func TestDigest(t *testing.T) {
	var m bytes.Buffer
	mbox.Format(&m, "x@y", testNow, []byte("Subject: x\r\n\r\nFrom here\r\nno newline at the end"))
	msgs, err := mbox.Scan(bytes.NewReader(append(m.Bytes(), m.Bytes()...)), 0)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("Scan: %d messages, %v", len(msgs), err)
	}
	if got, want := Digest(m.Bytes()), msgs[0].DigestHex(); got != want {
		t.Errorf("Digest = %s, upasfs's %s", got, want)
	}
}

// TestResolve: +detail finds only a regular file of the mail directory
// reached without symbolic links; anything else is the inbox.
func TestResolve(t *testing.T) {
	root := testRoot(t)
	dir := filepath.Join(root, "box", "glenda")
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "x"), nil, 0600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"sub/box", "L.x", "y.imp"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "x"), filepath.Join(dir, "flink")); err != nil {
		t.Fatal(err)
	}
	d := &HostDeliverer{Root: root}
	for detail, want := range map[string]string{
		"": "mbox", "lists": "lists", "sub/box": "sub/box", "sub": "mbox", "nosuch": "mbox",
		"link/x": "mbox", "flink": "mbox", "L.x": "mbox", "y.imp": "mbox", "../rob/mbox": "mbox",
		"/etc/passwd": "mbox", "sub//box": "mbox", "sub/./box": "mbox",
	} {
		if got, err := d.Resolve("glenda", detail); err != nil || got != want {
			t.Errorf("Resolve(glenda, %q) = %q, %v; want %q", detail, got, err, want)
		}
	}
	for _, u := range []string{"nobody", "..", "", "a/b"} {
		if _, err := d.Resolve(u, ""); !errors.Is(err, ErrNoUser) {
			t.Errorf("Resolve(%q) = %v, want ErrNoUser", u, err)
		}
	}
}
