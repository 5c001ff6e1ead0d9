package imap_test

// Interoperability tests: real IMAP clients (Python's imaplib, curl,
// go-imap v2, fetchmail, getmail6, mutt, mbsync, offlineimap) against
// the server, driven as /work/shared/spec/clients.md describes. Each
// test checks (a) that the client received every message exactly as
// stored — BODY[] is the upasfs raw file (spec §1.4: the mbox bytes
// after the From line, minus the separator) with bare LF turned into
// CRLF and NUL sent as 0x80 (decisions 5 and 6) — after undoing only the
// transformations that client is known to apply, and (b) what is left
// behind: the mbox, byte for byte, and its .imp (spec §2.5), parsed here
// independently of package imp.
//
// This file holds the environment, the checks, imaplib and curl; the
// others are in interop_*_test.go. A failing test logs the end of the
// server's protocol trace; with P9MAIL_IMAP_TRACE set to a directory the
// whole trace of each test is written there.

import (
	"bytes"
	"crypto/sha1"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"p9mail/protocol/auth"
	"p9mail/protocol/imap"
	"p9mail/protocol/mailfs"
	"p9mail/testenv"
)

const (
	ioUser = "glenda"
	ioPass = "interop-secret-9"
)

// A storedMsg is one message of the test mailbox as the server must
// present it.
type storedMsg struct {
	unix   []byte // the mbox bytes from its From line through its separator
	raw    []byte // upasfs raw: after the From line, without the separator
	wire   []byte // BODY[]: raw with bare LF → CRLF and NUL → 0x80
	digest string // SHA-1 of the From line and raw (spec §1.4 digest)
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
		msgs = append(msgs, storedMsg{unix: unix, raw: raw, wire: toWire(raw), digest: hex.EncodeToString(sum[:])})
	}
	return msgs
}

// toWire turns LF not preceded by CR into CRLF and NUL into 0x80,
// adding nothing (decisions 5, 6).
func toWire(raw []byte) []byte {
	var b bytes.Buffer
	for i, c := range raw {
		switch {
		case c == '\n' && (i == 0 || raw[i-1] != '\r'):
			b.WriteString("\r\n")
		case c == 0:
			b.WriteByte(0x80)
		default:
			b.WriteByte(c)
		}
	}
	return b.Bytes()
}

// allWithout is fixture "all" without the messages of the given
// kinds, for a client that chokes on them (clients.md).
func allWithout(t *testing.T, kinds ...testenv.Kind) []byte {
	t.Helper()
	var out []byte
	for i, m := range splitStored(testenv.Fixture("all")) {
		drop := false
		for _, k := range kinds {
			drop = drop || testenv.Kind(i) == k
		}
		if !drop {
			out = append(out, m.unix...)
		}
	}
	return out
}

// An interopEnv is a running server over one user's mailbox and a
// directory for one client's files.
type interopEnv struct {
	t       *testing.T
	dir     string // client configuration and output (0700)
	root    string // the mail root
	mbox    string // the user's INBOX file
	orig    []byte // the mailbox as written
	want    []storedMsg
	cert    *testenv.Cert
	addr    string // plain listener: LOGIN only with allowPlain, STARTTLS offered
	tlsAddr string // implicit-TLS listener
	trace   *lockedBuffer
}

// newInteropEnv starts a server with a certificate (so STARTTLS is
// offered) over data, or over the "all" fixture when data is nil.
func newInteropEnv(t *testing.T, allowPlain bool, data []byte) *interopEnv {
	t.Helper()
	return newInteropEnvTLS(t, allowPlain, data, nil)
}

// newInteropEnvTLS is newInteropEnv with the server's TLS
// configuration changed by adjust.
func newInteropEnvTLS(t *testing.T, allowPlain bool, data []byte, adjust func(*tls.Config)) *interopEnv {
	t.Helper()
	if data == nil {
		data = testenv.Fixture("all")
		// The content checks rely on one message of every kind, among
		// them a NUL byte and escaped "From " body lines.
		if n := len(splitStored(data)); n != int(testenv.NumKinds) || !bytes.Contains(data, []byte{0}) ||
			!bytes.Contains(data, []byte("\n From ")) {
			t.Fatalf("fixture \"all\" changed: %d messages, want %d of every kind", n, testenv.NumKinds)
		}
	}
	root := testenv.MailRoot(t, ioUser)
	e := &interopEnv{t: t, dir: t.TempDir(), root: root, orig: data, want: splitStored(data),
		cert: testenv.NewCert(t), trace: &lockedBuffer{}}
	e.mbox = testenv.WriteFixture(t, root, ioUser, "mbox", data)
	keys, err := auth.OpenKeys(testenv.WriteKeys(t, root, map[string]string{ioUser: ioPass}))
	if err != nil {
		t.Fatal(err)
	}
	tcfg := e.cert.Server
	if adjust != nil {
		tcfg = tcfg.Clone()
		adjust(tcfg)
	}
	srv, err := imap.New(imap.Config{
		Source: &mailfs.Source{Root: root}, Keys: keys, TLS: tcfg,
		AllowPlain: allowPlain, ServerName: "test.example", Debug: e.trace,
		IdlePoll: 50 * time.Millisecond,
		Delay:    auth.Delay{Base: time.Millisecond, Max: time.Millisecond, Limit: 3},
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
	t.Cleanup(e.dumpTrace)
	return e
}

// dumpTrace logs the end of the protocol trace of a failed test and
// writes all of it under $P9MAIL_IMAP_TRACE when that is set.
func (e *interopEnv) dumpTrace() {
	tr := e.trace.Bytes()
	if dir := os.Getenv("P9MAIL_IMAP_TRACE"); dir != "" {
		name := fmt.Sprintf("%s.%d.trace", strings.NewReplacer("/", "_").Replace(e.t.Name()), traceSeq.Add(1))
		if err := os.WriteFile(filepath.Join(dir, name), tr, 0644); err != nil {
			e.t.Log(err)
		}
	}
	if e.t.Failed() {
		e.t.Logf("end of the server's trace (lines cut at 160 bytes):\n%s", traceTail(tr, 40))
	}
}

// traceTail is the last n lines of a trace, each cut short.
func traceTail(tr []byte, n int) string {
	lines := strings.Split(strings.TrimSuffix(string(tr), "\n"), "\n")
	lines = lines[max(len(lines)-n, 0):]
	for i, l := range lines {
		if len(l) > 160 {
			lines[i] = l[:160] + "..."
		}
	}
	return strings.Join(lines, "\n")
}

// traceSeq tells apart the traces of one test run several times.
var traceSeq atomic.Int64

// A lockedBuffer is a bytes.Buffer safe for the server's sessions and
// the test at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

// writeFile writes a client file (configuration files hold the
// password: mode 0600, which fetchmail insists on) and returns its
// path.
func (e *interopEnv) writeFile(name, content string) string {
	e.t.Helper()
	path := filepath.Join(e.dir, name)
	if err := os.WriteFile(path, []byte(content), 0600); err != nil {
		e.t.Fatal(err)
	}
	return path
}

// mkdir makes a directory under e.dir and returns its path.
func (e *interopEnv) mkdir(name string) string {
	e.t.Helper()
	path := filepath.Join(e.dir, name)
	if err := os.MkdirAll(path, 0700); err != nil {
		e.t.Fatal(err)
	}
	return path
}

// run runs a client program in e.dir with HOME there (so no dotfile of
// the real user applies), and fails the test if it fails.
func (e *interopEnv) run(prog string, args ...string) []byte {
	e.t.Helper()
	out, err := e.runErr(nil, prog, args...)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// runErr is run with extra environment and the failure returned.
func (e *interopEnv) runErr(env []string, prog string, args ...string) ([]byte, error) {
	return testenv.RunClient(e.dir, env, prog, args...)
}

// checkMessages compares what a client delivered, message by message,
// with want(m) for each stored message.
func (e *interopEnv) checkMessages(got [][]byte, want func(storedMsg) []byte) {
	e.t.Helper()
	checkMessageList(e.t, got, e.want, want)
}

func checkMessageList(t *testing.T, got [][]byte, stored []storedMsg, want func(storedMsg) []byte) {
	t.Helper()
	if len(got) != len(stored) {
		t.Fatalf("client delivered %d messages, want %d", len(got), len(stored))
	}
	for i, m := range stored {
		compareMessage(t, fmt.Sprintf("message %d", i+1), got[i], want(m))
	}
}

// compareMessage reports where got first differs from want.
func compareMessage(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	at := 0
	for at < len(want) && at < len(got) && got[at] == want[at] {
		at++
	}
	t.Errorf("%s differs at byte %d of %d/%d:\n got  %q\n want %q",
		what, at, len(got), len(want), testenv.Excerpt(got, at), testenv.Excerpt(want, at))
}

// checkKept checks that the mailbox is byte-identical to the original.
func (e *interopEnv) checkKept() {
	e.t.Helper()
	e.checkMailbox(e.orig)
}

// checkRemaining checks that the mailbox holds exactly the stored
// messages for which keep is true (numbered from 1): the rewrite writes
// each kept message followed by one newline (spec §1.5), giving back
// its original bytes.
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

// An impLine is one message line of a .imp file (spec §2.5).
type impLine struct {
	digest string
	uid    uint32
	flags  string // 8 characters, "safDdr--" positions
}

func (l impLine) String() string { return fmt.Sprintf("%s %010d %s", l.digest, l.uid, l.flags) }

var impFormat = regexp.MustCompile(`^imap internal mailbox description\n([0-9]{10}) ([0-9]{10})\n((?:[0-9a-f]{40} [0-9]{10} [-sa][-a][-f][-D][-d][-r]--\n)*)$`)

// readImp parses the INBOX .imp exactly as spec §2.5 lays it out.
func (e *interopEnv) readImp() (next uint32, lines []impLine) {
	e.t.Helper()
	data, err := os.ReadFile(e.mbox + ".imp")
	if err != nil {
		e.t.Fatalf("no .imp: %v", err)
	}
	m := impFormat.FindSubmatch(data)
	if m == nil {
		e.t.Fatalf("malformed .imp:\n%s", data)
	}
	n, _ := strconv.ParseUint(string(m[2]), 10, 32)
	for _, l := range strings.SplitAfter(string(m[3]), "\n") {
		if l == "" {
			continue
		}
		uid, _ := strconv.ParseUint(l[41:51], 10, 32)
		lines = append(lines, impLine{l[:40], uint32(uid), l[52:60]})
	}
	return uint32(n), lines
}

// checkImp checks the .imp's UIDNEXT and message lines.
func (e *interopEnv) checkImp(wantNext uint32, want []impLine) {
	e.t.Helper()
	next, got := e.readImp()
	if next != wantNext {
		e.t.Errorf(".imp uidnext %d, want %d", next, wantNext)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		e.t.Errorf(".imp lines:\n got  %v\n want %v", got, want)
	}
}

// impAll is the .imp lines for the stored messages for which keep is
// true, UIDs 1, 2, ... in mailbox order, with flags(i) (i from 1).
func (e *interopEnv) impAll(keep func(i int) bool, flags func(i int) string) []impLine {
	var out []impLine
	for i, m := range e.want {
		if keep(i + 1) {
			out = append(out, impLine{m.digest, uint32(i + 1), flags(i + 1)})
		}
	}
	return out
}

func everyMsg(int) bool { return true }

func flagsAll(f string) func(int) string { return func(int) string { return f } }

// headerField returns the named field of a message in wire form,
// continuation lines included, as HEADER.FIELDS returns it: the
// field's lines, then the empty line (RFC 3501 §6.4.5).
func headerField(wire []byte, name string) []byte {
	hdr, _, _ := bytes.Cut(wire, []byte("\r\n\r\n"))
	var out []byte
	in := false
	for _, l := range strings.SplitAfter(string(hdr)+"\r\n", "\r\n") {
		if l == "" {
			continue
		}
		if l[0] != ' ' && l[0] != '\t' {
			n, _, _ := strings.Cut(l, ":")
			in = strings.EqualFold(strings.TrimSpace(n), name)
		}
		if in {
			out = append(out, l...)
		}
	}
	return append(out, "\r\n"...)
}
