package imap_test

import (
	"os"
	"path/filepath"
	"testing"
)

// sortCommands are a client's SORT and THREAD of a whole mailbox.
var sortCommands = []string{
	"SORT (DATE) UTF-8 ALL", "SORT (REVERSE SUBJECT FROM) UTF-8 ALL", "SORT (DISPLAYTO CC SIZE) US-ASCII ALL",
	"THREAD REFERENCES UTF-8 ALL", "THREAD ORDEREDSUBJECT UTF-8 ALL", "UID THREAD REFS UTF-8 ALL",
}

// TestSortIndexRestart: SORT and THREAD answer with the index as
// without; a server restarted on the index, even without the structure
// file, answers them from the sort keys alone, loading no message; a
// garbled sort file costs only loads.
func TestSortIndexRestart(t *testing.T) {
	const n = 300
	root, keys := indexRoot(t, n)
	dir := filepath.Join(t.TempDir(), "index")
	plain := dialIndexed(t, indexServer(t, root, keys, ""))
	want := map[string]string{}
	for _, c := range sortCommands {
		want[c] = plain.cmd(c)
	}
	srv := indexServer(t, root, keys, dir)
	cl := dialIndexed(t, srv)
	for _, c := range sortCommands {
		if got := cl.cmd(c); got != want[c] {
			t.Fatalf("%s with the index differs from without", c)
		}
	}
	if srv.Loads() != n {
		t.Fatalf("the cold SORT loaded %d messages, want %d", srv.Loads(), n)
	}
	if err := os.Remove(filepath.Join(dir, "glenda", "mbox.idx")); err != nil {
		t.Fatal(err)
	}
	again := indexServer(t, root, keys, dir)
	cl2 := dialIndexed(t, again)
	for _, c := range sortCommands {
		if got := cl2.cmd(c); got != want[c] {
			t.Fatalf("%s after a restart differs", c)
		}
	}
	if again.Loads() != 0 {
		t.Fatalf("after a restart %d messages were loaded again, want 0", again.Loads())
	}

	sortFile := filepath.Join(dir, "glenda", "mbox~sort.idx")
	b, err := os.ReadFile(sortFile)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(b) / 3; i < len(b); i += 97 {
		b[i] ^= 0x5a
	}
	if err := os.WriteFile(sortFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	third := indexServer(t, root, keys, dir)
	cl3 := dialIndexed(t, third)
	for _, c := range sortCommands {
		if got := cl3.cmd(c); got != want[c] {
			t.Fatalf("%s with a garbled sort index differs", c)
		}
	}
	if third.Loads() == 0 || third.Loads() > n {
		t.Errorf("with a garbled sort index %d messages were loaded, want some", third.Loads())
	}
}

// BenchmarkSortWarm: a warm SORT (SUBJECT) and THREAD REFERENCES of
// 10,000 messages whose sort keys are in memory.
func BenchmarkSortWarm(b *testing.B) {
	root, keys := indexRoot(b, 10000)
	cl := dialIndexed(b, indexServer(b, root, keys, filepath.Join(b.TempDir(), "index")))
	cl.cmd("SORT (DATE) UTF-8 ALL")
	for _, c := range []string{"SORT (SUBJECT) UTF-8 ALL", "THREAD REFERENCES UTF-8 ALL"} {
		b.Run(c[:6], func(b *testing.B) {
			for range b.N {
				cl.cmd(c)
			}
		})
	}
}
