package server

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"p9mail/upasfs/mbox"
)

// genMbox returns n messages of assorted shapes, numbered from first:
// bodies of varying length, one with a header and no body, one that is
// only a From line, and a last message without its final newline.
func genMbox(first, n int) []byte {
	var b bytes.Buffer
	for i := first; i < first+n; i++ {
		switch i % 7 {
		case 3:
			fmt.Fprintf(&b, "From a%d@b Mon Jan  1 00:00:00 2024\nSubject: only header %d\n\n", i, i)
		case 5:
			fmt.Fprintf(&b, "From c%d@d Tue Jan  2 00:00:00 2024\n\n", i)
		default:
			fmt.Fprintf(&b, "From u%d@h Wed Jan  3 00:00:00 2024\nSubject: message %d\nX-N: %d\n\n%s\n\n",
				i, i, i, bytes.Repeat([]byte("body line\n"), i%13))
		}
	}
	return b.Bytes()
}

// indexFixture is a mail file, an index directory and a store that
// indexes every mailbox.
type indexFixture struct {
	t    *testing.T
	path string
	dir  string
}

func newIndexFixture(t *testing.T, data []byte) *indexFixture {
	t.Helper()
	root := t.TempDir()
	path := filepath.Join(root, "glenda", "mbox")
	if err := os.MkdirAll(filepath.Dir(path), 0700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0600); err != nil {
		t.Fatal(err)
	}
	return &indexFixture{t: t, path: path, dir: filepath.Join(root, "cache", "p9mail", "upasfs")}
}

// open runs a fresh store (a restart) over the mailbox, and returns
// its messages' locations and the bytes the store scanned.
func (x *indexFixture) open() ([]mbox.Msg, int64) {
	x.t.Helper()
	if err := PrepareIndexDir(x.dir); err != nil {
		x.t.Fatal(err)
	}
	s := NewStore()
	s.IndexDir, s.IndexMin = x.dir, 1
	s.Logf = func(string, ...any) {}
	b := s.box(x.path)
	defer s.release(b)
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.sync(); err != nil {
		x.t.Fatal(err)
	}
	locs := make([]mbox.Msg, len(b.msgs))
	for i, m := range b.msgs {
		locs[i] = m.loc
	}
	return locs, s.ScannedBytes()
}

// fresh is a parse of the whole file, for comparison.
func (x *indexFixture) fresh() []mbox.Msg {
	x.t.Helper()
	data, err := os.ReadFile(x.path)
	if err != nil {
		x.t.Fatal(err)
	}
	locs, err := mbox.Scan(bytes.NewReader(data), 0)
	if err != nil {
		x.t.Fatal(err)
	}
	return locs
}

func (x *indexFixture) size() int64 {
	st, err := os.Stat(x.path)
	if err != nil {
		x.t.Fatal(err)
	}
	return st.Size()
}

func (x *indexFixture) indexFile() string { return indexName(x.dir, x.path) }

// check opens the mailbox again and wants every message as a fresh
// parse finds it, after scanning want bytes.
func (x *indexFixture) check(what string, want int64) {
	x.t.Helper()
	locs, scanned := x.open()
	if !slices.Equal(locs, x.fresh()) {
		x.t.Errorf("%s: the messages differ from a fresh parse", what)
	}
	if scanned != want {
		x.t.Errorf("%s: scanned %d bytes, want %d", what, scanned, want)
	}
}

// TestIndexRestart: a restart over an unchanged mailbox scans nothing
// and serves the parse the index recorded; the index is 0600 in a 0700
// directory.
func TestIndexRestart(t *testing.T) {
	x := newIndexFixture(t, genMbox(0, 200))
	x.check("cold", x.size())
	x.check("restart", 0)
	x.check("restart again", 0)
	st, err := os.Stat(x.indexFile())
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0600 {
		t.Errorf("index mode %v, want 0600", st.Mode().Perm())
	}
	for _, d := range []string{x.dir, filepath.Dir(x.dir)} {
		if st, err := os.Stat(d); err != nil || st.Mode().Perm() != 0700 {
			t.Errorf("%s: %v %v, want 0700", d, st.Mode().Perm(), err)
		}
	}
	if ents, _ := os.ReadDir(x.dir); len(ents) != 1 {
		t.Errorf("index directory holds %d files, want 1", len(ents))
	}
}

// TestIndexChanged: a mailbox changed in any way but by appending is
// parsed whole again, and the index is rebuilt.
func TestIndexChanged(t *testing.T) {
	orig := genMbox(0, 100)
	for _, c := range []struct {
		name   string
		change func(x *indexFixture)
	}{
		{"same size, other content, mtime kept", func(x *indexFixture) {
			st, _ := os.Stat(x.path)
			data := bytes.Clone(orig)
			i := bytes.Index(data, []byte("message 50"))
			data[i] = 'M'
			f, err := os.OpenFile(x.path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteAt(data, 0); err != nil {
				t.Fatal(err)
			}
			f.Close()
			if err := os.Chtimes(x.path, st.ModTime(), st.ModTime()); err != nil {
				t.Fatal(err)
			}
		}},
		{"last message changed, size kept", func(x *indexFixture) {
			data := bytes.Clone(orig)
			data[len(data)-3] = 'X'
			writeInPlace(t, x.path, data)
		}},
		{"truncated", func(x *indexFixture) {
			if err := os.Truncate(x.path, int64(len(orig)/2)); err != nil {
				t.Fatal(err)
			}
		}},
		{"replaced by a copy", func(x *indexFixture) {
			if err := os.WriteFile(x.path+".new", orig, 0600); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(x.path+".new", x.path); err != nil {
				t.Fatal(err)
			}
		}},
		{"grown, first message rewritten", func(x *indexFixture) {
			data := append(bytes.Clone(orig), genMbox(100, 5)...)
			data[len("From u0@h")] = 'Z'
			writeInPlace(t, x.path, data)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			x := newIndexFixture(t, orig)
			x.check("cold", x.size())
			c.change(x)
			x.check("changed", x.size())
			x.check("after", 0)
		})
	}
}

// writeInPlace writes data over path's bytes, keeping its inode.
func writeInPlace(t *testing.T, path string, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestIndexGrown: mail appended after the index was written is parsed
// from the last recorded message on, and the index then covers it.
func TestIndexGrown(t *testing.T) {
	x := newIndexFixture(t, genMbox(0, 100))
	cold := x.fresh()
	x.check("cold", x.size())
	f, err := os.OpenFile(x.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(genMbox(100, 20)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	x.check("grown", x.size()-cold[len(cold)-1].Off)
	x.check("after", 0)
}

// TestIndexCorrupt: an index truncated at any length, with any byte
// flipped, or with valid checksum but records that are not the file's,
// is refused, the mailbox parsed whole, and the index rebuilt.
func TestIndexCorrupt(t *testing.T) {
	x := newIndexFixture(t, genMbox(0, 15))
	x.check("cold", x.size())
	good, err := os.ReadFile(x.indexFile())
	if err != nil {
		t.Fatal(err)
	}
	try := func(what string, data []byte) {
		t.Helper()
		if err := os.WriteFile(x.indexFile(), data, 0600); err != nil {
			t.Fatal(err)
		}
		x.check(what, x.size())
		if now, err := os.ReadFile(x.indexFile()); err != nil || !bytes.Equal(now, good) {
			t.Fatalf("%s: index not rebuilt (%v)", what, err)
		}
	}
	for n := range len(good) {
		try(fmt.Sprintf("truncated to %d", n), good[:n])
	}
	for i := range good {
		for _, bit := range []byte{0x01, 0x80} {
			bad := bytes.Clone(good)
			bad[i] ^= bit
			try(fmt.Sprintf("byte %d ^ %#x", i, bit), bad)
		}
	}
	try("longer", append(bytes.Clone(good), 0))
	x2, err := decodeIndex(good)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		break_ func(ix *index)
	}{
		{"first digest", func(ix *index) { ix.Msgs[0].Digest[0] ^= 1 }},
		{"last length", func(ix *index) { ix.Msgs[len(ix.Msgs)-1].Len-- }},
		{"shifted", func(ix *index) {
			for i := range ix.Msgs {
				ix.Msgs[i].Off++
			}
		}},
		{"other path", func(ix *index) { ix.Path += "x" }},
		{"other inode", func(ix *index) { ix.ID.Ino++ }},
		{"other mtime", func(ix *index) { ix.ID.MTime-- }},
		{"larger size", func(ix *index) { ix.ID.Size++ }},
		{"no messages", func(ix *index) { ix.Msgs = nil }},
	} {
		ix := *x2
		ix.Msgs = slices.Clone(x2.Msgs)
		c.break_(&ix)
		try(c.name, encodeIndex(&ix))
	}
}

// TestIndexSmall: a mailbox under IndexMin has no index, and one that
// shrank below it loses its stale index.
func TestIndexSmall(t *testing.T) {
	x := newIndexFixture(t, genMbox(0, 10))
	x.check("cold", x.size())
	s := NewStore()
	s.IndexDir = x.dir // IndexMin is DefaultIndexMin
	b := s.box(x.path)
	b.mu.Lock()
	err := b.sync() // the index is used,
	b.saveIndex()   // and a save removes it
	b.mu.Unlock()
	s.release(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(x.indexFile()); !os.IsNotExist(err) {
		t.Errorf("index of a mailbox under IndexMin: %v", err)
	}
}

// TestIndexRewrite: a delete's rewrite records the new file, so a
// restart after it scans nothing.
func TestIndexRewrite(t *testing.T) {
	x := newIndexFixture(t, genMbox(0, 40))
	x.check("cold", x.size())
	s := NewStore()
	s.IndexDir, s.IndexMin, s.LockTimeout = x.dir, 1, 10*time.Second
	b := s.box(x.path)
	b.mu.Lock()
	err := b.sync()
	del := []*Msg{b.msgs[0], b.msgs[17], b.msgs[39]}
	b.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.remove(del); err != nil {
		t.Fatal(err)
	}
	s.release(b)
	if s.ScannedBytes() != 0 {
		t.Errorf("the delete scanned %d bytes", s.ScannedBytes())
	}
	if n := len(x.fresh()); n != 37 {
		t.Fatalf("%d messages after the delete, want 37", n)
	}
	x.check("after the delete", 0)
}

// TestPrepareIndexDir refuses a directory others may write.
func TestPrepareIndexDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "open")
	if err := os.Mkdir(dir, 0700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0777); err != nil {
		t.Fatal(err)
	}
	if err := PrepareIndexDir(dir); err == nil {
		t.Error("a world-writable index directory was accepted")
	}
	if err := os.Chmod(dir, 0755); err != nil {
		t.Fatal(err)
	}
	if err := PrepareIndexDir(dir); err != nil {
		t.Error(err)
	}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// BenchmarkIndex100k encodes and writes, then reads and decodes, the
// index of 100,000 messages: the cost of a save after each tail parse
// and of a load at a restart.
func BenchmarkIndex100k(b *testing.B) {
	x := &index{Path: "/mail/box/glenda/mbox", Valid: true, Msgs: make([]mbox.Msg, 100000)}
	var off int64
	for i := range x.Msgs {
		x.Msgs[i] = mbox.Msg{Off: off, Len: 4000 + int64(i%300), FromLen: 40, HdrLen: 900, Digest: [20]byte{byte(i), byte(i >> 8)}}
		off = x.Msgs[i].End() + 1
	}
	name := filepath.Join(b.TempDir(), "x.idx")
	b.Run("save", func(b *testing.B) {
		for b.Loop() {
			if err := writeIndexFile(name, encodeIndex(x)); err != nil {
				b.Fatal(err)
			}
		}
		st, _ := os.Stat(name)
		b.ReportMetric(float64(st.Size()), "bytes")
	})
	b.Run("load", func(b *testing.B) {
		for b.Loop() {
			data, err := readIndexFile(name)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := decodeIndex(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
