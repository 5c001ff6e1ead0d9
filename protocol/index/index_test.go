package index

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func digestOf(i int) string { return fmt.Sprintf("%040x", i*7919+1) }

func payloadOf(i int) []byte {
	return bytes.Repeat([]byte(fmt.Sprintf("payload %d;", i)), 1+i%7)
}

// fill puts records 0..n-1 into a new file and returns its name.
func fill(t testing.TB, n int) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "mbox.idx")
	x, err := Open(name)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := x.Put(digestOf(i), payloadOf(i)); err != nil {
			t.Fatal(err)
		}
	}
	return name
}

// served checks that x serves nothing but the right payloads and
// returns how many it serves.
func served(t testing.TB, x *File, n int) int {
	t.Helper()
	k := 0
	for i := range n {
		p, ok := x.Get(digestOf(i))
		if !ok {
			continue
		}
		if !bytes.Equal(p, payloadOf(i)) {
			t.Fatalf("record %d: served %q, want %q", i, p, payloadOf(i))
		}
		k++
	}
	if _, ok := x.Get(digestOf(n + 1)); ok {
		t.Fatal("a digest never put is served")
	}
	return k
}

func TestRestart(t *testing.T) {
	name := fill(t, 100)
	x, err := Open(name)
	if err != nil {
		t.Fatal(err)
	}
	if got := served(t, x, 100); got != 100 || x.Len() != 100 {
		t.Fatalf("after a reopen %d records served, %d held, want 100", got, x.Len())
	}
}

func TestModes(t *testing.T) {
	root := filepath.Join(t.TempDir(), "index")
	d, err := OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	x, err := d.File("glenda", "sub/../odd box")
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Put(digestOf(1), []byte("x")); err != nil {
		t.Fatal(err)
	}
	want := map[string]os.FileMode{
		root:                          0o700 | os.ModeDir,
		filepath.Join(root, "glenda"): 0o700 | os.ModeDir,
		filepath.Join(root, "glenda", "sub%2F..%2Fodd%20box.idx"): 0o600,
	}
	for p, m := range want {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode() != m {
			t.Errorf("%s: mode %v, want %v", p, st.Mode(), m)
		}
	}
	if y, _ := d.File("glenda", "sub/../odd box"); y != x {
		t.Error("the same mailbox gave another File")
	}
	if escape(".hidden") != "%2Ehidden" || escape("..") != "%2E." {
		t.Errorf("escape: %q %q", escape(".hidden"), escape(".."))
	}
}

// TestTruncated: the file cut at every length serves only right
// payloads, all the records before the cut, and takes new ones.
func TestTruncated(t *testing.T) {
	const n = 20
	name := fill(t, n)
	full, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	for cut := range len(full) {
		if err := os.WriteFile(name, full[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		x, err := Open(name)
		if err != nil {
			t.Fatal(err)
		}
		whole := 0 // records wholly before the cut
		for off, i := int64(len(magic)), 0; i < n; i++ {
			off += headerSize + int64(1+40+len(payloadOf(i)))
			if off <= int64(cut) {
				whole++
			}
		}
		if got := served(t, x, n); got != whole {
			t.Fatalf("cut at %d: %d records served, want %d", cut, got, whole)
		}
		if err := x.Put(digestOf(n+5), []byte("new")); err != nil {
			t.Fatal(err)
		}
		y, err := Open(name)
		if err != nil {
			t.Fatal(err)
		}
		if p, ok := y.Get(digestOf(n + 5)); !ok || string(p) != "new" || served(t, y, n) != whole {
			t.Fatalf("cut at %d: after a put the file does not read back", cut)
		}
		x.f.Close()
		y.f.Close()
	}
}

// TestGarbled: any byte of the file changed, before or after it is
// opened, never makes it serve a wrong payload.
func TestGarbled(t *testing.T) {
	const n = 12
	name := fill(t, n)
	full, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	for i := range full {
		for _, flip := range []byte{0x01, 0x80, 0xff} {
			c := bytes.Clone(full)
			c[i] ^= flip
			if err := os.WriteFile(name, c, 0o600); err != nil {
				t.Fatal(err)
			}
			x, err := Open(name)
			if err != nil {
				t.Fatal(err)
			}
			served(t, x, n)
			x.f.Close()
			// Garbled after the scan: the check on reading catches it.
			if err := os.WriteFile(name, full, 0o600); err != nil {
				t.Fatal(err)
			}
			y, err := Open(name)
			if err != nil {
				t.Fatal(err)
			}
			w, err := os.OpenFile(name, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.WriteAt(c[i:i+1], int64(i)); err != nil {
				t.Fatal(err)
			}
			w.Close()
			if i >= len(magic) {
				if got := served(t, y, n); got != n-1 {
					t.Fatalf("byte %d garbled after the scan: %d served, want %d", i, got, n-1)
				}
			}
			y.f.Close()
		}
	}
}

// TestConcurrent: sessions of one server (one File) and two servers
// (two Files on one path) putting at once lose and corrupt nothing.
func TestConcurrent(t *testing.T) {
	name := filepath.Join(t.TempDir(), "mbox.idx")
	a, err := Open(name)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(name)
	if err != nil {
		t.Fatal(err)
	}
	const per = 200
	var wg sync.WaitGroup
	for w, x := range []*File{a, a, b, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w * per; i < (w+1)*per; i++ {
				if err := x.Put(digestOf(i), payloadOf(i)); err != nil {
					t.Error(err)
				}
				x.Get(digestOf(i - 3))
			}
		}()
	}
	wg.Wait()
	c, err := Open(name)
	if err != nil {
		t.Fatal(err)
	}
	if got := served(t, c, 4*per); got != 4*per {
		t.Fatalf("%d records of %d after concurrent puts", got, 4*per)
	}
	// What one server put, the other finds.
	if got := served(t, a, 4*per); got != 4*per {
		t.Fatalf("the first server serves %d of %d", got, 4*per)
	}
}

// TestCompact: a file mostly of dead records is rewritten with the
// live ones; the other server sharing it follows to the new file.
func TestCompact(t *testing.T) {
	name := fill(t, 200)
	a, err := Open(name)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(name)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(name)
	live := func(d string) bool {
		for i := range 50 {
			if d == digestOf(i) {
				return true
			}
		}
		return false
	}
	if err := a.Compact(50, live); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(name)
	if after.Size() >= before.Size()/2 || a.Len() != 50 {
		t.Fatalf("compacted %d to %d bytes, %d records", before.Size(), after.Size(), a.Len())
	}
	if got := served(t, a, 50); got != 50 {
		t.Fatalf("%d live records served after compaction", got)
	}
	if err := b.Put(digestOf(300), payloadOf(300)); err != nil {
		t.Fatal(err)
	}
	if p, ok := a.Get(digestOf(300)); !ok || !bytes.Equal(p, payloadOf(300)) {
		t.Fatal("a put by the other server after compaction is lost")
	}
	if err := a.Compact(50, live); err != nil || a.Len() != 51 {
		t.Fatalf("a second compaction of a file half live: %v, %d records", err, a.Len())
	}
	if st, _ := os.Stat(name); st.Mode() != 0o600 {
		t.Fatalf("compacted file mode %v", st.Mode())
	}
}

// TestDeleted: deleting the file costs only its records.
func TestDeleted(t *testing.T) {
	name := fill(t, 10)
	x, err := Open(name)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(name)
	if err := x.Put(digestOf(20), []byte("after")); err != nil {
		t.Fatal(err)
	}
	y, err := Open(name)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := y.Get(digestOf(20)); !ok || string(p) != "after" || y.Len() != 1 {
		t.Fatalf("after deletion: %q %v, %d records", p, ok, y.Len())
	}
}

// FuzzScan: any file contents open without panic, are served only as
// records whose check passes, and are cut to a file that reopens the
// same and takes new records.
func FuzzScan(f *testing.F) {
	name := fill(f, 5)
	full, err := os.ReadFile(name)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	f.Add(full[:len(full)-3])
	f.Add([]byte(magic + "\x00\x00\x00\x05"))
	f.Fuzz(func(t *testing.T, b []byte) {
		name := filepath.Join(t.TempDir(), "x.idx")
		if err := os.WriteFile(name, b, 0o600); err != nil {
			t.Fatal(err)
		}
		x, err := Open(name)
		if err != nil {
			t.Fatal(err)
		}
		defer x.f.Close()
		n := x.Len()
		for d := range x.recs {
			if _, ok := x.Get(d); !ok {
				t.Fatalf("a scanned record %q does not read back", d)
			}
		}
		_, had := x.recs["new"]
		if err := x.Put("new", []byte("payload")); err != nil {
			t.Fatal(err)
		}
		y, err := Open(name)
		if err != nil {
			t.Fatal(err)
		}
		defer y.f.Close()
		if p, ok := y.Get("new"); !ok || string(p) != "payload" {
			t.Fatal("a record put after the scan does not read back")
		}
		if y.Len() != n+1 && !(had && y.Len() == n) {
			t.Fatalf("%d records, then %d after one put", n, y.Len())
		}
	})
}

// FuzzRecords: the record reader on any bytes never panics, reads only
// records that encode back to the bytes they came from, and bounds
// what it allocates by the length it accepts.
func FuzzRecords(f *testing.F) {
	f.Add(append(encodeRecord(digestOf(1), payloadOf(1)), encodeRecord("d", nil)...))
	f.Add([]byte("\x00\x00\x00\x05junk"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		var body []byte
		at := 0
		for {
			d, n, err := readRecord(r, &body)
			if err != nil {
				return
			}
			rec := b[at : at+headerSize+int(n)]
			if want := encodeRecord(d, body[1+len(d):n]); !bytes.Equal(rec, want) {
				t.Fatalf("record %q read from %q", want, rec)
			}
			at += len(rec)
		}
	})
}

// TestSibling: a mailbox's sibling file is its own, and no mailbox's
// file, whatever its name, is another's sibling.
func TestSibling(t *testing.T) {
	d, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	main, err := d.File("glenda", "mbox")
	if err != nil {
		t.Fatal(err)
	}
	if d.HasSibling("glenda", "mbox", "sort") {
		t.Fatal("a sibling exists before it is opened")
	}
	sib, err := d.Sibling("glenda", "mbox", "sort")
	if err != nil {
		t.Fatal(err)
	}
	if !d.HasSibling("glenda", "mbox", "sort") {
		t.Fatal("an opened sibling does not exist")
	}
	other, err := d.File("glenda", "mbox~sort")
	if err != nil {
		t.Fatal(err)
	}
	if main == sib || sib == other || main.name == sib.name || sib.name == other.name {
		t.Fatalf("files collide: %s %s %s", main.name, sib.name, other.name)
	}
	if err := sib.Put(digestOf(1), []byte("key")); err != nil {
		t.Fatal(err)
	}
	if _, ok := main.Get(digestOf(1)); ok {
		t.Error("a sibling's record is in the mailbox's file")
	}
	if b, ok := sib.Get(digestOf(1)); !ok || string(b) != "key" {
		t.Errorf("sibling Get = %q, %v", b, ok)
	}
}
