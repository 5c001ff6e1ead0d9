package imap_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"p9mail/protocol/auth"
	"p9mail/protocol/imap"
	"p9mail/protocol/mailfs"
	"p9mail/testenv"
	"p9mail/upasfs/mbox"
	"p9mail/upasfs/server"
)

// bigMessages is an mbox of n messages of about size bytes each, with
// distinct Message-IDs.
func bigMessages(n, size int, tag string) []byte {
	var b bytes.Buffer
	line := strings.Repeat("x", 70) + "\n"
	for i := range n {
		fmt.Fprintf(&b, "From %s@example.com Mon Jan  2 15:04:05 2006\nMessage-ID: <%s%d@example.com>\nSubject: %s %d\n\n", tag, tag, i, tag, i)
		for b.Len() < (i+1)*size {
			b.WriteString(line)
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

// TestCopyCutUpasfs is the crash campaign's bug 3 made repeatable: the
// upasfs serving a mailbox goes away (its connections cut) during a
// large COPY, so the front end cannot cut the destination back. The
// append record it wrote before each message lets the next writer
// under L.mbox (or upasfs, when it reads the changed file) take the
// torn message out: afterwards the destination holds its old messages,
// the copies that were written whole before the cut (the client was
// told nothing of them: whole unacknowledged copies are what a crash
// may leave, a torn one never is), and the one appended later, each
// whole and as sent, and no record.
func TestCopyCutUpasfs(t *testing.T) {
	if testing.Short() {
		t.Skip("copies some tens of MB")
	}
	root := testenv.MailRoot(t, ioUser)
	testenv.WriteFixture(t, root, ioUser, "mbox", bigMessages(80, 256<<10, "big"))
	old := bigMessages(2, 1<<10, "old")
	dest := testenv.WriteFixture(t, root, ioUser, "saved", old)
	e := testenv.StartEmulator(t, root, server.Config{})
	addr, cut := testenv.Proxy(t, e.Addr)
	keysDir := testenv.WriteKeys(t, t.TempDir(), map[string]string{ioUser: ioPass})
	keys, err := auth.OpenKeys(keysDir)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := imap.New(imap.Config{Source: &mailfs.Source{Addr: addr}, Keys: keys, AllowPlain: true,
		ServerName: "test.example", Delay: auth.Delay{Base: time.Millisecond, Max: time.Millisecond, Limit: 3}})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go srv.Serve(l, false)
	login := func() *imapclient.Client {
		c, err := imapclient.DialInsecure(l.Addr().String(), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if err := c.Login(ioUser, ioPass).Wait(); err != nil {
			t.Fatalf("LOGIN: %v", err)
		}
		return c
	}

	c := login()
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatalf("SELECT: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.Copy(goimap.SeqSetNum(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
			21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
			41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60,
			61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80), "saved").Wait()
		done <- err
	}()
	// Cut once the copy is well under way: a few messages in, with a
	// record naming one being written.
	rec := mbox.IntentPath(dest)
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := os.Stat(dest)
		if err == nil && st.Size() > int64(len(old))+(1<<20) {
			if _, err := os.Stat(rec); err == nil {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("COPY ended before the cut (%v): make it larger", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the COPY did not get under way")
		}
		time.Sleep(200 * time.Microsecond)
	}
	cut()
	if err := <-done; err == nil {
		t.Fatal("COPY succeeded although its upasfs went away")
	}
	if _, err := os.Stat(rec); err != nil {
		t.Fatalf("no append record after the cut: %v", err)
	}

	// The record names the message being written when the cut came,
	// whole or torn: it must say which.
	time.Sleep(100 * time.Millisecond) // the emulator's last writes
	b, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	in, err := mbox.ParseIntent(b)
	if err != nil {
		t.Fatalf("the append record does not parse: %v", err)
	}
	f, err := os.Open(dest)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	from, to, err := in.Damage(f, st.Size())
	f.Close()
	switch {
	case err != nil:
		t.Fatal(err)
	case st.Size() == in.Start+in.Len && from != to:
		t.Errorf("a whole last message (%d bytes at %d) is taken for torn: %d-%d", in.Len, in.Start, from, to)
	case st.Size() < in.Start+in.Len && st.Size() > in.From && (from != in.Start || to != st.Size()):
		t.Errorf("a torn last message (%d of %d bytes at %d) would be cut at %d-%d", st.Size()-in.Start, in.Len, in.Start, from, to)
	}
	t.Logf("cut with %d of %d bytes of the message at %d written", st.Size()-in.Start, in.Len, in.Start)

	// A new session appends: the torn batch goes first.
	c2 := login()
	msg := "Message-ID: <later@example.com>\r\nSubject: later\r\n\r\nafter the cut\r\n"
	ac := c2.Append("saved", int64(len(msg)), nil)
	if _, err := ac.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	if err := ac.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := ac.Wait(); err != nil {
		t.Fatalf("APPEND after the cut: %v", err)
	}
	data, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, old) {
		t.Errorf("the old messages of saved changed")
	}
	msgs, err := mbox.Scan(bytes.NewReader(data), 0)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(filepath.Dir(dest), "mbox"))
	if err != nil {
		t.Fatal(err)
	}
	srcMsgs, err := mbox.Scan(bytes.NewReader(src), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) < 3 || len(msgs) > 2+len(srcMsgs) {
		t.Fatalf("saved holds %d messages", len(msgs))
	}
	copied := msgs[2 : len(msgs)-1]
	for i, m := range copied {
		got, want := data[m.Off:m.Off+m.Len], src[srcMsgs[i].Off:srcMsgs[i].Off+srcMsgs[i].Len]
		if !bytes.Equal(got, want) {
			t.Errorf("copy %d: %d bytes, not the %d of the source message", i+1, len(got), len(want))
		}
	}
	t.Logf("%d whole copies left of %d", len(copied), len(srcMsgs))
	last := data[msgs[len(msgs)-1].Off:]
	if !bytes.Contains(last, []byte("Message-ID: <later@example.com>")) || !bytes.HasSuffix(last, []byte("after the cut\n\n")) {
		t.Errorf("the last message is not the later APPEND: %.200q", last)
	}
	if _, err := os.Stat(rec); err == nil {
		t.Errorf("append record %s left", filepath.Base(rec))
	}
	mb, err := c2.Select("saved", nil).Wait()
	if err != nil || mb.NumMessages != uint32(len(msgs)) {
		t.Errorf("SELECT saved: %v messages, %v", mb, err)
	}
}
