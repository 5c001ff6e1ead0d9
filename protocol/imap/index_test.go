package imap_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"p9mail/protocol/auth"
	"p9mail/protocol/imap"
	"p9mail/protocol/mailfs"
	"p9mail/testenv"
)

// indexRoot is a mail root whose INBOX holds n generated messages.
func indexRoot(t testing.TB, n int) (root string, keys *auth.Keys) {
	t.Helper()
	var mbox bytes.Buffer
	if _, err := testenv.WriteMbox(&mbox, 3, n); err != nil {
		t.Fatal(err)
	}
	root = testenv.MailRoot(t, "glenda")
	testenv.WriteFixture(t, root, "glenda", "mbox", mbox.Bytes())
	keys, err := auth.OpenKeys(testenv.WriteKeys(t, root, map[string]string{"glenda": "s3cret"}))
	if err != nil {
		t.Fatal(err)
	}
	return root, keys
}

// indexServer is a server on root with the index in dir ("" none).
func indexServer(t testing.TB, root string, keys *auth.Keys, dir string) *imap.Server {
	t.Helper()
	srv, err := imap.New(imap.Config{Source: &mailfs.Source{Root: root}, Keys: keys, AllowPlain: true, IndexDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// client is a logged-in session on srv with INBOX selected; cmd runs
// a command and returns its untagged responses.
type client struct {
	t  testing.TB
	c  net.Conn
	r  *bufio.Reader
	nt int
}

func dialIndexed(t testing.TB, srv *imap.Server) *client {
	t.Helper()
	c1, c2 := net.Pipe()
	go srv.ServeConn(c1, false)
	t.Cleanup(func() { c2.Close() })
	cl := &client{t: t, c: c2, r: bufio.NewReader(c2)}
	cl.r.ReadString('\n')
	cl.cmd("LOGIN glenda s3cret")
	cl.cmd("SELECT INBOX")
	return cl
}

func (cl *client) cmd(cmd string) string {
	cl.t.Helper()
	cl.nt++
	tag := fmt.Sprintf("t%d", cl.nt)
	fmt.Fprintf(cl.c, "%s %s\r\n", tag, cmd)
	var out strings.Builder
	for {
		line, err := cl.r.ReadString('\n')
		if err != nil {
			cl.t.Fatal(err)
		}
		if strings.HasPrefix(line, tag+" ") {
			if !strings.HasPrefix(line, tag+" OK") {
				cl.t.Fatalf("%s: %s", cmd, line)
			}
			return out.String()
		}
		out.WriteString(line)
	}
}

// listing is a client's listing FETCH, less FLAGS (\Recent goes to the first session only).
const listing = "FETCH 1:* (UID INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)"

// TestIndexRestart: a sequential FETCH of a mailbox larger than the
// in-memory bound loads each message once, the second FETCH none, and
// a server restarted on the same index directory none either; what it
// answers (sections too) is what a server without an index answers.
func TestIndexRestart(t *testing.T) {
	const n = 300
	root, keys := indexRoot(t, n)
	dir := filepath.Join(t.TempDir(), "index")

	plain := dialIndexed(t, indexServer(t, root, keys, ""))
	want := plain.cmd(listing)
	wantSecs := plain.cmd("FETCH 1:40 (BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[TEXT]<10.200>)")

	srv := indexServer(t, root, keys, dir)
	srv.SetFront(50)
	cl := dialIndexed(t, srv)
	if got := cl.cmd(listing); got != want {
		t.Fatal("a cold FETCH with the index differs from one without")
	}
	if srv.Loads() != n {
		t.Fatalf("the cold FETCH loaded %d messages, want %d", srv.Loads(), n)
	}
	if got := cl.cmd(listing); got != want || srv.Loads() != n {
		t.Fatalf("the second FETCH loaded %d more messages (cache bound 50)", srv.Loads()-n)
	}

	again := indexServer(t, root, keys, dir)
	again.SetFront(50)
	cl2 := dialIndexed(t, again)
	if got := cl2.cmd(listing); got != want {
		t.Fatal("after a restart the FETCH differs")
	}
	if got := cl2.cmd("FETCH 1:40 (BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[TEXT]<10.200>)"); got != wantSecs {
		t.Fatal("after a restart the sections differ")
	}
	if again.Loads() != 0 {
		t.Fatalf("after a restart %d messages were loaded again, want 0", again.Loads())
	}
	if got := cl2.cmd("SEARCH SUBJECT the FROM a"); got != plain.cmd("SEARCH SUBJECT the FROM a") || again.Loads() != 0 {
		t.Fatalf("SEARCH after a restart: %d loads", again.Loads())
	}

	for p, m := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, filepath.Join(dir, "glenda"): 0o700 | os.ModeDir, filepath.Join(dir, "glenda", "mbox.idx"): 0o600} {
		if st, err := os.Stat(p); err != nil || st.Mode() != m {
			t.Errorf("%s: %v %v, want mode %v", p, st.Mode(), err, m)
		}
	}
}

// TestIndexGarbled: an index file garbled or cut anywhere is never
// served: the FETCH answers as without an index and the file is
// repaired.
func TestIndexGarbled(t *testing.T) {
	const n = 20
	root, keys := indexRoot(t, n)
	dir := filepath.Join(t.TempDir(), "index")
	want := dialIndexed(t, indexServer(t, root, keys, "")).cmd(listing)
	dialIndexed(t, indexServer(t, root, keys, dir)).cmd(listing)
	file := filepath.Join(dir, "glenda", "mbox.idx")
	full, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(full); i += 1 + len(full)/97 {
		bad := bytes.Clone(full)
		bad[i] ^= 0x20
		for _, b := range [][]byte{bad, full[:i]} {
			if err := os.WriteFile(file, b, 0o600); err != nil {
				t.Fatal(err)
			}
			srv := indexServer(t, root, keys, dir)
			if got := dialIndexed(t, srv).cmd(listing); got != want {
				t.Fatalf("index garbled at %d: the FETCH differs", i)
			}
			if srv.Loads() > n {
				t.Fatalf("%d loads for %d messages", srv.Loads(), n)
			}
		}
	}
}

// TestIndexSharedDir: two servers on one index directory, their
// sessions fetching at once, leave a file that serves everything.
func TestIndexSharedDir(t *testing.T) {
	const n = 120
	root, keys := indexRoot(t, n)
	dir := filepath.Join(t.TempDir(), "index")
	want := dialIndexed(t, indexServer(t, root, keys, "")).cmd(listing)
	a, b := indexServer(t, root, keys, dir), indexServer(t, root, keys, dir)
	done := make(chan string, 4)
	for _, srv := range []*imap.Server{a, a, b, b} {
		cl := dialIndexed(t, srv)
		go func() { done <- cl.cmd(listing) }()
	}
	for range 4 {
		if got := <-done; got != want {
			t.Fatal("a concurrent FETCH differs")
		}
	}
	c := indexServer(t, root, keys, dir)
	if got := dialIndexed(t, c).cmd(listing); got != want || c.Loads() != 0 {
		t.Fatalf("after two servers shared the index: %d loads, want 0", c.Loads())
	}
}
