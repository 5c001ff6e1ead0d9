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

// BenchmarkSelect selects a 10,000-message INBOX again and again in one
// session, the in-process emulator behind it: what a warm SELECT costs
// (bench/imap.sh compares it with Dovecot's).
func BenchmarkSelect(b *testing.B) {
	command, done := benchSession(b, benchServer(b, 10000))
	defer done()
	command("b", "SELECT INBOX")
	for b.Loop() {
		command("c", "SELECT INBOX")
	}
}

// benchServer is a server over glenda's INBOX of n generated messages,
// with its in-process emulator.
func benchServer(b *testing.B, n int) *imap.Server {
	var mbox bytes.Buffer
	if _, err := testenv.WriteMbox(&mbox, 1, n); err != nil {
		b.Fatal(err)
	}
	root := testenv.MailRoot(b, "glenda")
	testenv.WriteFixture(b, root, "glenda", "mbox", mbox.Bytes())
	keys, err := auth.OpenKeys(testenv.WriteKeys(b, root, map[string]string{"glenda": "s3cret"}))
	if err != nil {
		b.Fatal(err)
	}
	srv, err := imap.New(imap.Config{Source: &mailfs.Source{Root: root}, Keys: keys, AllowPlain: true})
	if err != nil {
		b.Fatal(err)
	}
	return srv
}

// benchSession logs in to srv over a pipe; command sends one command
// and reads to its tagged reply, which must be OK; done hangs up.
func benchSession(b *testing.B, srv *imap.Server) (command func(tag, cmd string), done func()) {
	c1, c2 := net.Pipe()
	go srv.ServeConn(c1, false)
	r := bufio.NewReader(c2)
	command = func(tag, cmd string) {
		fmt.Fprintf(c2, "%s %s\r\n", tag, cmd)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				b.Fatal(err)
			}
			if strings.HasPrefix(line, tag+" ") {
				if !strings.HasPrefix(line, tag+" OK") {
					b.Fatal(line)
				}
				return
			}
		}
	}
	if _, err := r.ReadString('\n'); err != nil { // greeting
		b.Fatal(err)
	}
	command("a", "LOGIN glenda s3cret")
	return command, func() { c2.Close() }
}

// BenchmarkFetchListing is a FETCH of the listing items of a
// 2,000-message INBOX by a server just started: cold (no index), and
// warm after a restart (the index another server wrote), with a
// structure front of 500 to show it does not matter.
func BenchmarkFetchListing(b *testing.B) {
	root, keys := indexRoot(b, 2000)
	warmDir := b.TempDir()
	dialIndexed(b, indexServer(b, root, keys, warmDir)).cmd(listing)
	st, err := os.Stat(filepath.Join(warmDir, "glenda", "mbox.idx"))
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		dir  func() string
	}{{"cold", func() string { return "" }}, {"warm-after-restart", func() string { return warmDir }}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				srv := indexServer(b, root, keys, bc.dir())
				srv.SetFront(500)
				dialIndexed(b, srv).cmd(listing)
			}
			b.ReportMetric(float64(st.Size())/2000, "index-B/msg")
		})
	}
}
