package imap_test

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"p9mail/protocol/auth"
	"p9mail/protocol/imap"
	"p9mail/protocol/mailfs"
	"p9mail/testenv"
	"p9mail/upasfs/server"
)

// TestFSAuthKey runs IMAP sessions against an emulator that requires
// the shared key (upasfs -authkey), as imap4d -fs addr -authkey file
// does: with the key LOGIN, SELECT and FETCH BODY[] work, and APPEND
// writes through the authenticated "box" attach; without the key, or
// with another, the emulator refuses the attach and LOGIN fails.
func TestFSAuthKey(t *testing.T) {
	key := []byte("a shared key of the gateway and the store")
	data := testenv.Fixture("all")
	want := splitStored(data)
	root := testenv.MailRoot(t, ioUser)
	testenv.WriteFixture(t, root, ioUser, "mbox", data)
	e := testenv.StartEmulatorKey(t, root, server.Config{}, key)
	keysDir := testenv.WriteKeys(t, t.TempDir(), map[string]string{ioUser: ioPass})
	for _, tc := range []struct {
		name string
		key  []byte
	}{
		{"right key", key},
		{"no key", nil},
		{"wrong key", []byte("some other key, not the one")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys, err := auth.OpenKeys(keysDir)
			if err != nil {
				t.Fatal(err)
			}
			srv, err := imap.New(imap.Config{
				Source: &mailfs.Source{Addr: e.Addr, Key: tc.key}, Keys: keys, AllowPlain: true,
				ServerName: "test.example", Delay: auth.Delay{Base: time.Millisecond, Max: time.Millisecond, Limit: 3},
			})
			if err != nil {
				t.Fatal(err)
			}
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
			go srv.Serve(l, false)
			c, err := imapclient.DialInsecure(l.Addr().String(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			err = c.Login(ioUser, ioPass).Wait()
			if tc.key == nil || string(tc.key) != string(key) {
				if err == nil {
					t.Errorf("LOGIN with %s succeeded", tc.name)
				}
				return
			}
			if err != nil {
				t.Fatalf("LOGIN: %v", err)
			}
			if _, err := c.Select("INBOX", nil).Wait(); err != nil {
				t.Fatalf("SELECT: %v", err)
			}
			whole := &goimap.FetchItemBodySection{Peek: true}
			msgs, err := c.Fetch(seqRange(1, 3), &goimap.FetchOptions{BodySection: []*goimap.FetchItemBodySection{whole}}).Collect()
			if err != nil || len(msgs) != 3 {
				t.Fatalf("FETCH 1:3: %d messages, %v", len(msgs), err)
			}
			for i, m := range msgs {
				compareMessage(t, "BODY[]", m.FindBodySection(whole), want[i].wire)
			}
			msg := "From: a@b.example\r\nSubject: appended\r\n\r\nthrough the box attach\r\n"
			ap := c.Append("INBOX", int64(len(msg)), nil)
			if _, err := ap.Write([]byte(msg)); err != nil {
				t.Fatal(err)
			}
			if err := ap.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := ap.Wait(); err != nil {
				t.Fatalf("APPEND: %v", err)
			}
			stored, err := os.ReadFile(filepath.Join(root, "box", ioUser, "mbox"))
			if err != nil || !bytes.Contains(stored, []byte("\nthrough the box attach\n")) {
				t.Errorf("the appended message is not in the mbox (%v)", err)
			}
		})
	}
}
