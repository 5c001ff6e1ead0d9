package server_test

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"p9mail/ninep"
	"p9mail/testenv"
	"p9mail/upasfs"
	"p9mail/upasfs/server"
)

// TestIdleBoxKept: a mailbox no attach has open keeps its parse for the
// next session (Store.IdleMessages), and that session still sees every
// change made to the file meanwhile: an append, an in-place rewrite
// that shortens the file but keeps its modification time, a
// replacement by another file of the same size and time, and a larger
// mailbox copied over it in place.
func TestIdleBoxKept(t *testing.T) {
	root := testenv.MailRoot(t, "glenda")
	mboxOf := func(seed int64, n int) []byte {
		var buf bytes.Buffer
		if _, err := testenv.WriteMbox(&buf, seed, n); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	first := mboxOf(3, 5)
	path := testenv.WriteFixture(t, root, "glenda", "mbox", first)
	emu := testenv.StartEmulator(t, root, server.Config{})

	// session attaches, lists the mailbox and compares every digest with
	// the file's messages, then detaches.
	session := func(step string, want []byte) {
		t.Helper()
		fs := attach(t, emu)
		defer fs.Close()
		c := upasfs.New(fs, "")
		nums, err := c.List("mbox")
		if err != nil {
			t.Fatalf("%s: list: %v", step, err)
		}
		digests, err := c.ReadFiles("mbox", nums, upasfs.FileDigest)
		if err != nil {
			t.Fatalf("%s: digests: %v", step, err)
		}
		var got, exp []string
		for _, d := range digests {
			got = append(got, strings.TrimSpace(string(d)))
		}
		for _, m := range splitMbox(want) {
			sum := sha1.Sum(m)
			exp = append(exp, hex.EncodeToString(sum[:]))
		}
		if !slices.Equal(got, exp) {
			t.Fatalf("%s: digests\n got %q\nwant %q", step, got, exp)
		}
	}

	session("first", first)
	session("unchanged", first)

	grown := append(slices.Clone(first), mboxOf(4, 2)...)
	appendFile(t, path, grown[len(first):])
	session("appended", grown)

	// Rewritten in place, shorter, with the old modification time.
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	shorter := mboxOf(5, 2)
	if len(shorter) >= len(grown) {
		// A longer file of the same inode is taken for appended mail,
		// as by Plan 9's upas/fs.
		t.Fatalf("the rewritten mailbox is not shorter: %d >= %d", len(shorter), len(grown))
	}
	if err := os.WriteFile(path, shorter, 0600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	session("rewritten", shorter)

	// Replaced by another file of the same size and time: one byte of
	// a body differs.
	st, err = os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	other := slices.Clone(shorter)
	i := bytes.LastIndex(other, []byte("\n\n")) - 1
	other[i] ^= 1
	tmp := filepath.Join(filepath.Dir(path), "new")
	if err := os.WriteFile(tmp, other, 0600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(tmp, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	session("replaced", other)

	// A larger mailbox copied over it in place, as cp(1) does: the same
	// inode grows, but its messages are not the old ones plus new mail.
	bigger := mboxOf(6, 6)
	if len(bigger) <= len(other) {
		t.Fatalf("the copied mailbox is not larger: %d <= %d", len(bigger), len(other))
	}
	if err := os.WriteFile(path, bigger, 0600); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(2 * time.Second)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	session("copied over", bigger)

	// Removed while idle.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	fs := attach(t, emu)
	defer fs.Close()
	if _, err := upasfs.New(fs, "").List("mbox"); err == nil {
		t.Fatal("removed mailbox: listed")
	}
}

// attach attaches to emu as glenda over an in-process pipe; the caller
// closes it.
func attach(t *testing.T, emu *testenv.Emulator) ninep.FS {
	t.Helper()
	c1, c2 := ninep.Pipe()
	go ninep.ServeConn(c1, emu.Server.Srv9p(nil))
	fs, err := ninep.Attach(c2, "glenda", "")
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func appendFile(t *testing.T, path string, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// A later modification time than the parse saw, as a deliverer's
	// write a moment later would give.
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Second)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
}
