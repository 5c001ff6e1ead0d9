package pop3_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"p9mail/protocol/auth"
	"p9mail/protocol/mailfs"
	"p9mail/protocol/pop3"
	"p9mail/testenv"
	"p9mail/upasfs/mbox"
)

// startServer serves root with clear-text passwords allowed and returns
// the address.
func startServer(t testing.TB, root string, secrets map[string]string) string {
	t.Helper()
	keys, err := auth.OpenKeys(testenv.WriteKeys(t, root, secrets))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := pop3.New(pop3.Config{
		Source: &mailfs.Source{Root: root}, Keys: keys, AllowPlain: true,
		Delay: auth.Delay{Base: time.Millisecond, Max: time.Millisecond, Limit: 3},
	})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l, false)
	t.Cleanup(func() { l.Close() })
	return l.Addr().String()
}

// client is a minimal POP3 client for tests.
type client struct {
	t  testing.TB
	c  net.Conn
	tp *textproto.Conn
}

func dial(t testing.TB, addr, user, pass string) *client {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	cl := &client{t: t, c: c, tp: textproto.NewConn(c)}
	cl.ok("")
	cl.ok("USER " + user)
	cl.ok("PASS " + pass)
	return cl
}

// ok sends cmd (none if empty) and returns the +OK line's text.
func (cl *client) ok(cmd string) string {
	cl.t.Helper()
	cl.c.SetDeadline(time.Now().Add(20 * time.Second))
	if cmd != "" {
		if err := cl.tp.PrintfLine("%s", cmd); err != nil {
			cl.t.Fatal(err)
		}
	}
	line, err := cl.tp.ReadLine()
	if err != nil {
		cl.t.Fatalf("%s: %v", cmd, err)
	}
	if !strings.HasPrefix(line, "+OK") {
		cl.t.Fatalf("%s: %s", cmd, line)
	}
	return line
}

// multi reads a dot-terminated body, undoing dot-stuffing, with CRLF
// kept as sent (textproto's DotReader would turn CRLF into LF).
func (cl *client) multi() []byte {
	cl.t.Helper()
	var out []byte
	r := cl.tp.R
	for {
		line, err := r.ReadBytes('\n')
		if err != nil {
			cl.t.Fatal(err)
		}
		if !bytes.HasSuffix(line, []byte("\r\n")) {
			cl.t.Fatalf("line without CRLF: %q", line)
		}
		if string(line) == ".\r\n" {
			return out
		}
		if line[0] == '.' {
			line = line[1:]
		}
		out = append(out, line...)
	}
}

// wire is what RETR must send for a stored message: bare LF as CRLF and
// a final line ended (decision 16, 17); the test's own conversion.
func wire(raw []byte) []byte {
	var b bytes.Buffer
	for i, c := range raw {
		if c == '\n' && (i == 0 || raw[i-1] != '\r') {
			b.WriteByte('\r')
		}
		b.WriteByte(c)
	}
	if len(raw) > 0 && raw[len(raw)-1] != '\n' {
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// TestRetrEveryMessage checks, for every message of every fixture and a
// generated mailbox, that RETR sends exactly the stored bytes in CRLF
// form and that LIST's size is the octet count sent (RFC 1939, decision
// 16), including NUL bytes, "." lines, a final line with no newline and
// MIME parts nested 64 and 80 levels deep.
func TestRetrEveryMessage(t *testing.T) {
	var gen bytes.Buffer
	testenv.WriteMbox(&gen, 11, 60)
	boxes := map[string][]byte{"generated": gen.Bytes(), "dots": []byte("From a@b Mon Jan  6 10:00:00 GMT 2025\nSubject: dots\n\n.\n..\n.x\nend\n\nFrom c@d Mon Jan  6 10:00:00 GMT 2025\nSubject: cr\r\n\r\nbare\rcr\nno newline at the end")}
	for _, name := range testenv.FixtureNames() {
		boxes[name] = testenv.Fixture(name)
	}
	// Parts nested deeper than one Twalk reaches (MAXWELEM), and past
	// the emulator's nesting limit: RETR is the raw file all the same.
	boxes["nested"] = append(testenv.NestedMessage(64, false), testenv.NestedMessage(64, true)...)
	boxes["nested past the limit"] = append(testenv.NestedMessage(80, false), testenv.NestedMessage(80, true)...)
	for name, data := range boxes {
		t.Run(name, func(t *testing.T) {
			root := testenv.MailRoot(t, "glenda")
			testenv.WriteFixture(t, root, "glenda", "mbox", data)
			addr := startServer(t, root, map[string]string{"glenda": "pw"})
			cl := dial(t, addr, "glenda", "pw")
			raws := testenv.Raws(data)
			cl.ok("LIST")
			list := string(cl.multi())
			lines := strings.Split(strings.TrimSuffix(list, "\r\n"), "\r\n")
			if len(lines) != len(raws) {
				t.Fatalf("LIST has %d messages, mbox %d", len(lines), len(raws))
			}
			for i, raw := range raws {
				want := wire(raw)
				if lines[i] != fmt.Sprintf("%d %d", i+1, len(want)) {
					t.Errorf("LIST line %q, want size %d", lines[i], len(want))
				}
				st := cl.ok("RETR " + strconv.Itoa(i+1))
				got := cl.multi()
				if !bytes.Equal(got, want) {
					t.Errorf("RETR %d: got %q, want %q", i+1, trunc(got), trunc(want))
				}
				if st != fmt.Sprintf("+OK %d octets", len(want)) {
					t.Errorf("RETR %d: %q", i+1, st)
				}
			}
			cl.ok("QUIT")
		})
	}
}

func trunc(b []byte) []byte {
	if len(b) > 300 {
		return b[:300]
	}
	return b
}

// TestManySessions runs sessions of several users at once while mail is
// delivered to each maildrop; each session deletes what it retrieved.
// Afterwards every message is either retrieved-and-deleted or still in
// the mbox: nothing is lost or duplicated.
func TestManySessions(t *testing.T) {
	users := []string{"u1", "u2", "u3", "u4", "u5", "u6"}
	root := testenv.MailRoot(t, users...)
	secrets := map[string]string{}
	for i, u := range users {
		var b bytes.Buffer
		testenv.WriteMbox(&b, int64(i), 30)
		testenv.WriteFixture(t, root, u, "mbox", b.Bytes())
		secrets[u] = "pw-" + u
	}
	addr := startServer(t, root, secrets)
	var wg sync.WaitGroup
	var mu sync.Mutex
	retrieved := map[string]map[string]int{} // user -> Message-ID -> count
	const delivered = 10
	for _, u := range users {
		retrieved[u] = map[string]int{}
		wg.Add(2)
		go func(u string) { // delivery
			defer wg.Done()
			for k := 0; k < delivered; k++ {
				var m bytes.Buffer
				mbox.Format(&m, "x@example.com", time.Now(), testenv.Message(100, k, testenv.Plain))
				if err := mbox.Append(filepath.Join(root, "box", u, "mbox"), m.Bytes(), 30*time.Second); err != nil {
					t.Error(err)
				}
			}
		}(u)
		go func(u string) { // three sessions in a row
			defer wg.Done()
			for round := 0; round < 3; round++ {
				cl := dial(t, addr, u, secrets[u])
				st := cl.ok("STAT")
				n, _ := strconv.Atoi(strings.Fields(st)[1])
				for i := 1; i <= n; i++ {
					cl.ok("RETR " + strconv.Itoa(i))
					msg := cl.multi()
					mu.Lock()
					retrieved[u][messageID(msg)]++
					mu.Unlock()
					cl.ok("DELE " + strconv.Itoa(i))
				}
				cl.ok("QUIT")
			}
		}(u)
	}
	wg.Wait()
	for _, u := range users {
		data, err := os.ReadFile(filepath.Join(root, "box", u, "mbox"))
		if err != nil {
			t.Fatal(err)
		}
		left := map[string]int{}
		for _, raw := range testenv.Raws(data) {
			left[messageID(raw)]++
		}
		total := 0
		for id, n := range retrieved[u] {
			if n != 1 || left[id] != 0 {
				t.Errorf("%s: message %s retrieved %d times, %d left", u, id, n, left[id])
			}
			total++
		}
		for id, n := range left {
			if n != 1 {
				t.Errorf("%s: message %s is left %d times", u, id, n)
			}
			total++
		}
		if total != 30+delivered {
			t.Errorf("%s: %d messages accounted for, want %d", u, total, 30+delivered)
		}
	}
}

// messageID returns a message's Message-ID header, its identity here.
func messageID(msg []byte) string {
	r := textproto.NewReader(bufio.NewReader(io.MultiReader(bytes.NewReader(msg), strings.NewReader("\r\n\r\n"))))
	h, _ := r.ReadMIMEHeader()
	return h.Get("Message-Id")
}

// TestSizesIndexRestart: a server restarted on its sizes index
// (Config.IndexDir) gives the same LIST as one that measured every
// message, and a garbled index costs only a new measure.
func TestSizesIndexRestart(t *testing.T) {
	root := testenv.MailRoot(t, "glenda")
	testenv.WriteFixture(t, root, "glenda", "mbox", testenv.Fixture("all"))
	keys, err := auth.OpenKeys(testenv.WriteKeys(t, root, map[string]string{"glenda": "pw"}))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "pop3")
	var srv *pop3.Server
	list := func() string {
		var tp *textproto.Conn
		var done func()
		srv, tp, done = dialPOP3(t, pop3.Config{Source: &mailfs.Source{Root: root}, Keys: keys, AllowPlain: true, IndexDir: dir})
		defer done()
		var out []string
		for _, cmd := range []string{"", "USER glenda", "PASS pw", "LIST"} {
			if cmd != "" {
				tp.PrintfLine("%s", cmd)
			}
			line, err := tp.ReadLine()
			if err != nil || !strings.HasPrefix(line, "+OK") {
				t.Fatalf("%s: %q %v", cmd, line, err)
			}
		}
		lines, err := tp.ReadDotLines()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, lines...)
		tp.PrintfLine("QUIT")
		// Read to the end: the server closes the connection after it
		// has let the maildrop go, so the next server finds it free.
		for {
			if _, err := tp.ReadLine(); err != nil {
				break
			}
		}
		return strings.Join(out, "\n")
	}
	want := list()
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.idx"))
	if len(files) != 1 {
		t.Fatalf("index files %v, want one", files)
	}
	if pop3.Measured(srv) == 0 {
		t.Fatal("the first server measured nothing")
	}
	if got := list(); got != want {
		t.Errorf("LIST after a restart on the index:\n%s\nwant\n%s", got, want)
	}
	if n := pop3.Measured(srv); n != 0 {
		t.Errorf("the restarted server read %d messages for their sizes; the index has them all", n)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	for i := len(data) / 2; i < len(data); i++ {
		data[i] ^= 0x5a
	}
	if err := os.WriteFile(files[0], data, 0600); err != nil {
		t.Fatal(err)
	}
	if got := list(); got != want {
		t.Errorf("LIST on a garbled index:\n%s\nwant\n%s", got, want)
	}
	if pop3.Measured(srv) == 0 {
		t.Error("a garbled index was used whole")
	}
}

// dialPOP3 starts a POP3 server with cfg on loopback and connects to
// it; done closes both.
func dialPOP3(tb testing.TB, cfg pop3.Config) (srv *pop3.Server, tp *textproto.Conn, done func()) {
	tb.Helper()
	srv, err := pop3.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go srv.Serve(l, false)
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		l.Close()
		tb.Fatal(err)
	}
	return srv, textproto.NewConn(c), func() { c.Close(); l.Close() }
}
