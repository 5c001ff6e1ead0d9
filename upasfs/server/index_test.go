package server_test

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"p9mail/testenv"
	"p9mail/upasfs"
	"p9mail/upasfs/server"
)

// TestIndexAcrossRestart: an emulator started again with the same
// -index directory serves an unchanged mailbox without scanning it,
// with the digests of the first emulator's parse.
func TestIndexAcrossRestart(t *testing.T) {
	root := t.TempDir()
	box := filepath.Join(root, "box", "glenda")
	if err := os.MkdirAll(box, 0700); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(box, "mbox"))
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if _, err := testenv.WriteMbox(w, 3, 1200); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	idx := filepath.Join(t.TempDir(), "index")
	var first []string
	for run := range 2 {
		emu := testenv.StartEmulator(t, root, server.Config{Index: idx})
		c := upasfs.New(emu.Pipe(t, "glenda", ""), "")
		nums, err := c.List("mbox")
		if err != nil {
			t.Fatal(err)
		}
		digests, err := c.Digests("mbox", nums)
		if err != nil {
			t.Fatal(err)
		}
		scanned := emu.Server.Store().ScannedBytes()
		switch run {
		case 0:
			first = digests
			if len(digests) != 1200 || scanned == 0 {
				t.Fatalf("cold: %d messages, %d bytes scanned", len(digests), scanned)
			}
		case 1:
			if scanned != 0 {
				t.Errorf("restart scanned %d bytes", scanned)
			}
			if !slices.Equal(digests, first) {
				t.Error("restart: digests differ")
			}
		}
	}
}
