package lmtp_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"p9mail/protocol/lmtp"
	"p9mail/protocol/mailfs"
	"p9mail/testenv"
	"p9mail/upasfs/mbox"
	"p9mail/upasfs/server"
)

// TestNSDelivererOver9P delivers through a upasfs over 9P (-fs, its
// box attach, no host directory): the message lands whole, +detail
// finds the mailbox, and a torn append left under an append record is
// cut back before the next delivery. (That the box attach takes the
// Unix dotlock with L.mbox is upasfs/server's TestAppendWaitsForDotlock.)
func TestNSDelivererOver9P(t *testing.T) {
	root := testenv.MailRoot(t, "glenda")
	for _, box := range []string{"mbox", "lists"} {
		if err := os.WriteFile(filepath.Join(root, "box", "glenda", box), nil, 0600); err != nil {
			t.Fatal(err)
		}
	}
	key := bytes.Repeat([]byte("k"), 32)
	e := testenv.StartEmulatorKey(t, root, server.Config{}, key)
	d := &lmtp.NSDeliverer{Source: &mailfs.Source{Addr: e.Addr, Key: key}, LockTimeout: 2 * time.Second}
	if _, err := d.Resolve("nobody", ""); err != lmtp.ErrNoUser {
		t.Errorf("Resolve(nobody): %v", err)
	}
	if box, err := d.Resolve("glenda", "lists"); err != nil || box != "lists" {
		t.Errorf("Resolve(glenda, lists) = %q, %v", box, err)
	}
	if box, err := d.Resolve("glenda", "L.mbox"); err != nil || box != "mbox" {
		t.Errorf("Resolve(glenda, L.mbox) = %q, %v", box, err)
	}
	var a, b bytes.Buffer
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	mbox.Format(&a, "x@y", now, []byte("Subject: a\r\n\r\nFrom a\r\n"))
	mbox.Format(&b, "x@y", now, []byte("Subject: b\r\n\r\nbody b\r\n"))
	path := filepath.Join(root, "box", "glenda", "mbox")
	if err := d.Deliver("glenda", "mbox", a.Bytes()); err != nil {
		t.Fatal(err)
	}
	// A writer killed 40 bytes into b.
	in := mbox.NewIntent(int64(a.Len()), 0, b.Bytes())
	if err := os.WriteFile(mbox.IntentPath(path), in.Marshal(), 0600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(b.Bytes()[:40]); err != nil {
		t.Fatal(err)
	}
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
}
