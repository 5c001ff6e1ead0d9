package pop3_test

// Interoperability tests: real POP3 clients (Python's poplib, curl,
// fetchmail, mpop, getmail6) against the server, driven as
// /work/shared/spec/clients.md describes. Each test checks (a) that the
// client received every message exactly as stored — RETR sends the
// upasfs raw file (spec §1.4: the mbox bytes after the From line, minus
// the separator) with LF→CRLF (RFC 1939 §3) — after undoing only the
// transformations that client is known to apply, and (b) what is left in
// the mailbox: byte-identical after a keep, the expected messages after
// deletions.

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"p9mail/protocol/auth"
	"p9mail/protocol/mailfs"
	"p9mail/protocol/pop3"
	"p9mail/testenv"
)

const (
	ioUser = "glenda"
	ioPass = "interop-secret-9"
)

// dotMessage ends the test mailbox: the "all" fixture has no line that
// starts with '.', so this one exercises dot-stuffing (RFC 1939 §3).
const dotMessage = "From dot@example.com Tue Jan  2 12:00:00 GMT 2024\n" +
	"From: dot@example.com\nTo: glenda@example.org\nSubject: dots\n\n" +
	".a line that starts with a dot\n..two dots\n.\nlast line\n\n"

// A storedMsg is one message of the test mailbox as the server must
// present it.
type storedMsg struct {
	unix   []byte // the mbox bytes from its From line through its separator
	wire   []byte // RETR content before dot-stuffing: raw, LF→CRLF, ending in CRLF
	digest string // UIDL: SHA-1 of rawunix (spec §1.4 digest)
}

// lf is the message as a client that stores LF line ends writes it.
func (m storedMsg) lf() []byte { return bytes.ReplaceAll(m.wire, []byte("\r\n"), []byte("\n")) }

// splitStored splits an mbox into messages the way spec §1.8 reads it
// (a message starts at each line beginning "From "), independently of
// the server's parser.
func splitStored(data []byte) []storedMsg {
	var msgs []storedMsg
	for _, unix := range testenv.SplitMbox(data) {
		raw := testenv.Raw(unix)
		sum := sha1.Sum(testenv.RawUnix(unix))
		msgs = append(msgs, storedMsg{unix: unix, wire: toWire(raw), digest: hex.EncodeToString(sum[:])})
	}
	return msgs
}

// toWire turns LF not preceded by CR into CRLF and ends an unterminated
// last line (decision 17).
func toWire(raw []byte) []byte {
	var b bytes.Buffer
	for i, c := range raw {
		if c == '\n' && (i == 0 || raw[i-1] != '\r') {
			b.WriteByte('\r')
		}
		b.WriteByte(c)
	}
	if b.Len() > 0 && !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// An interopEnv is a running server over one user's mailbox and a
// directory for one client's files.
type interopEnv struct {
	t       *testing.T
	dir     string // client configuration and output (0700)
	mbox    string // the user's mailbox file
	orig    []byte // the mailbox as written
	want    []storedMsg
	cert    *testenv.Cert
	addr    string // plain listener: USER/PASS only with allowPlain, STLS offered
	tlsAddr string // implicit-TLS listener
}

// newInteropEnv starts a server with a certificate (so STLS is offered)
// over the "all" fixture plus dotMessage.
func newInteropEnv(t *testing.T, allowPlain bool) *interopEnv {
	t.Helper()
	root := testenv.MailRoot(t, ioUser)
	data := append(testenv.Fixture("all"), dotMessage...)
	e := &interopEnv{t: t, dir: t.TempDir(), orig: data, want: splitStored(data), cert: testenv.NewCert(t)}
	// The content checks rely on one message of every kind, among them
	// a NUL byte and escaped "From " body lines.
	if len(e.want) != int(testenv.NumKinds)+1 || !bytes.Contains(data, []byte{0}) || !bytes.Contains(data, []byte("\n From ")) {
		t.Fatalf("fixture \"all\" changed: %d messages, want %d of every kind", len(e.want), testenv.NumKinds)
	}
	e.mbox = testenv.WriteFixture(t, root, ioUser, "mbox", data)
	keys, err := auth.OpenKeys(testenv.WriteKeys(t, root, map[string]string{ioUser: ioPass}))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := pop3.New(pop3.Config{
		Source: &mailfs.Source{Root: root}, Keys: keys, TLS: e.cert.Server,
		AllowPlain: allowPlain, Domain: "test.example",
		Delay: auth.Delay{Base: time.Millisecond, Max: time.Millisecond, Limit: 3},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, implicit := range []bool{false, true} {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		go srv.Serve(l, implicit)
		if implicit {
			e.tlsAddr = l.Addr().String()
		} else {
			e.addr = l.Addr().String()
		}
	}
	return e
}

func (e *interopEnv) port(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

// writeFile writes a client file (configuration files hold the password:
// mode 0600, which fetchmail and mpop insist on) and returns its path.
func (e *interopEnv) writeFile(name, content string) string {
	e.t.Helper()
	path := filepath.Join(e.dir, name)
	if err := os.WriteFile(path, []byte(content), 0600); err != nil {
		e.t.Fatal(err)
	}
	return path
}

// run runs a client program in e.dir with HOME there (so no dotfile of
// the real user applies), and fails the test if it fails.
func (e *interopEnv) run(prog string, args ...string) []byte {
	e.t.Helper()
	out, err := testenv.RunClient(e.dir, nil, prog, args...)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// checkMessages compares what a client delivered, message by message,
// with want(m) for each stored message.
func (e *interopEnv) checkMessages(got [][]byte, want func(storedMsg) []byte) {
	e.t.Helper()
	if len(got) != len(e.want) {
		e.t.Fatalf("client delivered %d messages, want %d", len(got), len(e.want))
	}
	for i, m := range e.want {
		w := want(m)
		if !bytes.Equal(got[i], w) {
			at := 0
			for at < len(w) && at < len(got[i]) && got[i][at] == w[at] {
				at++
			}
			e.t.Errorf("message %d differs at byte %d of %d/%d:\n got  %q\n want %q",
				i+1, at, len(got[i]), len(w), testenv.Excerpt(got[i], at), testenv.Excerpt(w, at))
		}
	}
}

// checkKept checks that the mailbox is byte-identical to the original.
func (e *interopEnv) checkKept() {
	e.t.Helper()
	e.checkMailbox(e.orig)
}

// checkRemaining checks that the mailbox holds exactly the stored
// messages for which keep is true: the rewrite writes each kept message
// followed by one newline (spec §1.5), giving back its original bytes.
func (e *interopEnv) checkRemaining(keep func(i int) bool) {
	e.t.Helper()
	var want []byte
	for i, m := range e.want {
		if keep(i + 1) {
			want = append(want, m.unix...)
		}
	}
	e.checkMailbox(want)
}

func (e *interopEnv) checkMailbox(want []byte) {
	e.t.Helper()
	got, err := os.ReadFile(e.mbox)
	if err != nil {
		e.t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		e.t.Errorf("mailbox left with %d bytes, %d messages; want %d bytes, %d messages",
			len(got), len(splitStored(got)), len(want), len(splitStored(want)))
	}
}

// TestInteropPoplib drives Python's poplib: USER/PASS, APOP, STLS and
// implicit TLS (POP3_SSL). poplib hands back each line without its CRLF
// and with one stuffed dot removed; the script joins the lines with
// CRLF again, so what it writes must be exactly the wire form.
func TestInteropPoplib(t *testing.T) {
	python := testenv.NeedProgram(t, "python3")
	for _, tc := range []struct {
		mode       string
		allowPlain bool
		deleteOdd  bool
	}{
		{"user", true, false},
		{"apop", false, false},
		{"stls", false, false},
		{"ssl", false, true},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			e := newInteropEnv(t, tc.allowPlain)
			addr := e.addr
			if tc.mode == "ssl" {
				addr = e.tlsAddr
			}
			out := filepath.Join(e.dir, "out")
			if err := os.Mkdir(out, 0700); err != nil {
				t.Fatal(err)
			}
			script := e.writeFile("client.py", poplibScript)
			conf := e.writeFile("client.conf", fmt.Sprintf("%s\n127.0.0.1\n%s\n%s\n%s\n%s\n%s\n%v\n",
				tc.mode, e.port(addr), ioUser, ioPass, e.cert.CertFile, out, tc.deleteOdd))
			e.run(python, script, conf)
			e.checkMessages(testenv.ReadNumbered(t, func(n int) string { return filepath.Join(out, strconv.Itoa(n)) }),
				func(m storedMsg) []byte { return m.wire })
			uidl, err := os.ReadFile(filepath.Join(out, "uidl"))
			if err != nil {
				t.Fatal(err)
			}
			if want := e.uidlListing("\n"); string(uidl) != want {
				t.Errorf("UIDL:\n got  %q\n want %q", uidl, want)
			}
			if tc.deleteOdd {
				e.checkRemaining(func(i int) bool { return i%2 == 0 })
			} else {
				e.checkKept()
			}
		})
	}
}

// poplibScript is the Python client. Its configuration file has one
// value a line: mode, host, port, user, secret, CA file, output
// directory, and "true" to delete the odd-numbered messages.
const poplibScript = `import os, poplib, ssl, sys
mode, host, port, user, secret, cafile, out, dele = open(sys.argv[1]).read().split("\n")[:8]
ctx = ssl.create_default_context(cafile=cafile)
if mode == "ssl":
    p = poplib.POP3_SSL(host, int(port), context=ctx, timeout=30)
else:
    p = poplib.POP3(host, int(port), timeout=30)
if mode == "stls":
    p.stls(context=ctx)
if mode == "apop":
    p.apop(user, secret)
else:
    p.user(user)
    p.pass_(secret)
count = p.stat()[0]
with open(os.path.join(out, "uidl"), "wb") as f:
    for line in p.uidl()[1]:
        f.write(line + b"\n")
for i in range(1, count + 1):
    lines = p.retr(i)[1]
    with open(os.path.join(out, str(i)), "wb") as f:
        f.write(b"".join(line + b"\r\n" for line in lines))
    if dele == "true" and i % 2 == 1:
        p.dele(i)
p.quit()
`

// uidlListing is the UIDL listing's lines, each ended by eol.
func (e *interopEnv) uidlListing(eol string) string {
	var b strings.Builder
	for i, m := range e.want {
		fmt.Fprintf(&b, "%d %s%s", i+1, m.digest, eol)
	}
	return b.String()
}

// listListing is the LIST listing's lines, each ended by CRLF: sizes
// are the octets RETR sends before dot-stuffing (decision 16).
func (e *interopEnv) listListing() string {
	var b strings.Builder
	for i, m := range e.want {
		fmt.Fprintf(&b, "%d %d\r\n", i+1, len(m.wire))
	}
	return b.String()
}

// TestInteropCurl drives curl: LIST, RETR of every message (one URL
// glob, one connection) and -X UIDL over a plain connection, pop3s://
// (implicit TLS) and STLS (--ssl-reqd). curl writes the listings' and
// the messages' bytes as received, CRLF included, with dot-stuffing
// undone and without the terminating ".": the wire form exactly.
func TestInteropCurl(t *testing.T) {
	curl := testenv.NeedProgram(t, "curl")
	for _, tc := range []struct {
		name       string
		allowPlain bool
		scheme     string
		extra      string
	}{
		{"plain", true, "pop3", ""},
		{"pop3s", false, "pop3s", ""},
		{"stls", false, "pop3", "ssl-reqd\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newInteropEnv(t, tc.allowPlain)
			addr := e.addr
			if tc.scheme == "pop3s" {
				addr = e.tlsAddr
			}
			conf := e.writeFile("curlrc", fmt.Sprintf("silent\nshow-error\nuser = \"%s:%s\"\ncacert = \"%s\"\n%s",
				ioUser, ioPass, e.cert.CertFile, tc.extra))
			base := fmt.Sprintf("%s://%s/", tc.scheme, addr)
			if got := e.run(curl, "-K", conf, base); string(got) != e.listListing() {
				t.Errorf("LIST:\n got  %q\n want %q", got, e.listListing())
			}
			if got := e.run(curl, "-K", conf, "-X", "UIDL", base); string(got) != e.uidlListing("\r\n") {
				t.Errorf("UIDL:\n got  %q\n want %q", got, e.uidlListing("\r\n"))
			}
			glob := fmt.Sprintf("%s[1-%d]", base, len(e.want))
			e.run(curl, "-K", conf, glob, "-o", filepath.Join(e.dir, "msg#1"))
			e.checkMessages(testenv.ReadNumbered(t, func(n int) string { return filepath.Join(e.dir, "msg"+strconv.Itoa(n)) }),
				func(m storedMsg) []byte { return m.wire })
			e.checkKept()
		})
	}
}
