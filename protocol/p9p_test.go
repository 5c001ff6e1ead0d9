//go:build unix

package protocol_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/textproto"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"p9mail/protocol/auth"
	"p9mail/protocol/mailfs"
	"p9mail/testenv"
)

// TestServersOnP9P runs our IMAP and POP3 servers on a real plan9port
// upas/fs instead of the emulator (-fs), as a user of plan9port would:
// every message fetched whole must be the stored bytes, and an EXPUNGE
// and a POP3 deletion must take the messages out of the file. It needs
// $P9MAIL_P9P_UPASFS (see testenv.P9PEnv) and the directory
// /mail/box/<login>, which plan9port's upas/fs opens literally
// (p9p-upasfs.md §9), without an mbox in it: the test writes one there
// and removes what it wrote at the end.
func TestServersOnP9P(t *testing.T) {
	bin, login, maildir := p9pSetup(t)
	mboxPath := filepath.Join(maildir, "mbox")
	data := testenv.Fixture("all")
	imapAddr, pop3Addr := serveOnP9P(t, bin, login, maildir, data)
	raws := testenv.Raws(data)
	count := func() int {
		b, err := os.ReadFile(mboxPath)
		if err != nil {
			t.Fatal(err)
		}
		return len(testenv.SplitMbox(b))
	}

	// IMAP: every message whole, then message 2 expunged.
	c, err := imapclient.DialInsecure(imapAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(login, "s3cret").Wait(); err != nil {
		t.Fatal(err)
	}
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil || int(sel.NumMessages) != len(raws) {
		t.Fatalf("SELECT: %v messages, %v; want %d", sel, err, len(raws))
	}
	whole := &goimap.FetchItemBodySection{Peek: true}
	var set goimap.SeqSet
	set.AddRange(1, 0)
	msgs, err := c.Fetch(set, &goimap.FetchOptions{RFC822Size: true, BodySection: []*goimap.FetchItemBodySection{whole}}).Collect()
	if err != nil || len(msgs) != len(raws) {
		t.Fatalf("FETCH 1:*: %d messages, %v", len(msgs), err)
	}
	for i, m := range msgs {
		// The stored bytes, each NUL sent as 0x80 (decision 6). Of some
		// messages with a NUL plan9port serves a shorter raw (its
		// nullsqueeze; docs/plan9port.md): logged, not failed.
		want := bytes.ReplaceAll(crlf(raws[i]), []byte{0}, []byte{0x80})
		got := m.FindBodySection(whole)
		if bytes.IndexByte(raws[i], 0) >= 0 && !bytes.Equal(got, want) {
			t.Logf("message %d, with a NUL: plan9port served %d of its %d octets", i+1, len(got), len(want))
			continue
		}
		if !bytes.Equal(got, want) || m.RFC822Size != int64(len(want)) {
			t.Errorf("message %d: %d bytes (RFC822.SIZE %d), want %d: %.60q", i+1, len(got), m.RFC822Size, len(want), got)
		}
	}
	var two goimap.SeqSet
	two.AddNum(2)
	if err := c.Store(two, &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Silent: true, Flags: []goimap.Flag{goimap.FlagDeleted}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if exp, err := c.Expunge().Collect(); err != nil || !slices.Equal(exp, []uint32{2}) {
		t.Fatalf("EXPUNGE: %v, %v", exp, err)
	}
	if err := c.Logout().Wait(); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != len(raws)-1 {
		t.Fatalf("after EXPUNGE the mbox holds %d messages, want %d", n, len(raws)-1)
	}

	// POP3: the first message, then deleted.
	conn, err := net.Dial("tcp", pop3Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tp := textproto.NewConn(conn)
	step := func(cmd string) string {
		t.Helper()
		if cmd != "" {
			if err := tp.PrintfLine("%s", cmd); err != nil {
				t.Fatal(err)
			}
		}
		line, err := tp.ReadLine()
		if err != nil || !strings.HasPrefix(line, "+OK") {
			t.Fatalf("%s: %q, %v", cmd, line, err)
		}
		return line
	}
	step("")
	step("USER " + login)
	step("PASS s3cret")
	if line := step("STAT"); !strings.HasPrefix(line, fmt.Sprintf("+OK %d ", len(raws)-1)) {
		t.Fatalf("STAT: %q", line)
	}
	step("RETR 1")
	got, err := tp.ReadDotBytes() // undoes the dot-stuffing and makes CRLF LF
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, raws[0]) && !bytes.Equal(append(got[:len(got):len(got)], '\n'), raws[0]) {
		t.Errorf("RETR 1: %.60q, want %.60q", got, raws[0])
	}
	step("DELE 1")
	step("QUIT")
	if n := count(); n != len(raws)-2 {
		t.Fatalf("after QUIT the mbox holds %d messages, want %d", n, len(raws)-2)
	}
}

// p9pSetup returns the plan9port upas/fs binary, the login name and
// its mail directory /mail/box/<login>, which plan9port's upas/fs opens
// literally (p9p-upasfs.md §9), or skips: without $P9MAIL_P9P_UPASFS,
// without the directory, or with an mbox in it (a real mailbox is
// never touched).
func p9pSetup(t *testing.T) (bin, login, maildir string) {
	t.Helper()
	bin = testenv.P9PBinary(t)
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	login = u.Username
	maildir = filepath.Join("/mail/box", login)
	if st, err := os.Stat(maildir); err != nil || !st.IsDir() {
		t.Skipf("make the directory %s (a symlink to an empty directory will do) to run this test", maildir)
	}
	if _, err := os.Lstat(filepath.Join(maildir, "mbox")); err == nil {
		t.Skipf("%s exists: this test does not touch a real mailbox", filepath.Join(maildir, "mbox"))
	}
	return bin, login, maildir
}

// serveOnP9P writes data as maildir's mbox, starts plan9port's upas/fs
// (-p -n: the servers open the mailbox through its ctl) and our IMAP
// and POP3 servers on it with -fs, the mail directory being maildir
// (password s3cret), and returns their addresses. What the test wrote
// in maildir is removed when it ends, and the upas/fs is stopped.
func serveOnP9P(t *testing.T, bin, login, maildir string, data []byte) (imapAddr, pop3Addr string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(maildir, "mbox"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, f := range []string{"mbox", "mbox.imp", "mbox.tmp", "L.mbox", "L.pop3.mbox"} {
			os.Remove(filepath.Join(maildir, f))
		}
	})
	addr := testenv.StartP9P(t, bin, login, func(string) []string { return []string{"-p", "-n"} })
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "box"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(maildir, filepath.Join(root, "box", login)); err != nil {
		t.Fatal(err)
	}
	keys, err := auth.OpenKeys(testenv.WriteKeys(t, root, map[string]string{login: "s3cret"}))
	if err != nil {
		t.Fatal(err)
	}
	src := &mailfs.Source{Addr: addr, Root: root}
	return serveBoth(t, src, keys)
}

// TestSectionsAgreeOnP9P is TestSectionsAgree on a real plan9port
// upas/fs: for every part of every message of the fixtures, what our
// IMAP server's BODYSTRUCTURE says is what its BODY sections return,
// although plan9port types a digest's untyped parts text/plain
// (docs/upasfs.md). Opt-in as TestServersOnP9P.
func TestSectionsAgreeOnP9P(t *testing.T) {
	bin, login, maildir := p9pSetup(t)
	for name, data := range sectionFixtures(t) {
		t.Run(name, func(t *testing.T) {
			imapAddr, _ := serveOnP9P(t, bin, login, maildir, data)
			n := checkSectionsAgree(t, imapAddr, login, "s3cret", len(testenv.Raws(data)))
			t.Logf("%d parts", n)
		})
	}
}

// crlf is BODY[] of a stored message: LF not after CR made CRLF.
func crlf(raw []byte) []byte {
	var b bytes.Buffer
	r := bufio.NewReader(bytes.NewReader(raw))
	prev := byte(0)
	for {
		c, err := r.ReadByte()
		if err != nil {
			return b.Bytes()
		}
		if c == '\n' && prev != '\r' {
			b.WriteByte('\r')
		}
		b.WriteByte(c)
		prev = c
	}
}
