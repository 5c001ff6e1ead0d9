//go:build !plan9

package ninep

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"9fans.net/go/plan9"
)

func TestRemoteReadFile(t *testing.T) {
	fsys := mountTest(t)
	tests := []struct {
		name    string
		want    string
		wantErr string // substring; "" = success
	}{
		{"hello", "hello, world\n", ""},
		{"/hello", "hello, world\n", ""},
		{"sub/a", "A\n", ""},
		{"./sub//b", "B\n", ""},
		{"sub/../hello", "hello, world\n", ""},
		{"/../../hello", "hello, world\n", ""}, // cannot climb above the root
		{"big", bigData, ""},                   // several reads (msize 8216)
		{"nosuch", "", "open nosuch: file not found"},
		{"sub/nosuch", "", "open sub/nosuch: file 'sub/nosuch' not found"},
		{"hello/x", "", "not found"},
		{"sub", "", ""}, // a directory reads as its packed entries
	}
	for _, tt := range tests {
		got, err := fsys.ReadFile(tt.name)
		switch {
		case tt.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ReadFile(%q) error = %v, want %q", tt.name, err, tt.wantErr)
			}
			if !IsNotExist(err) || !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("ReadFile(%q): IsNotExist(%v) = false", tt.name, err)
			}
		case err != nil:
			t.Errorf("ReadFile(%q): %v", tt.name, err)
		case tt.name != "sub" && string(got) != tt.want:
			t.Errorf("ReadFile(%q) = %q (%d bytes), want %d bytes", tt.name, trunc(got), len(got), len(tt.want))
		}
	}
}

func trunc(b []byte) []byte { return b[:min(len(b), 40)] }

func dirNames(dirs []*plan9.Dir) []string {
	var names []string
	for _, d := range dirs {
		names = append(names, d.Name)
	}
	slices.Sort(names)
	return names
}

func TestRemoteReadDir(t *testing.T) {
	fsys := mountTest(t)
	tests := []struct {
		name string
		want []string
	}{
		{"", []string{"big", "hello", "msg", "ro", "sub"}},
		{"/", []string{"big", "hello", "msg", "ro", "sub"}},
		{"sub", []string{"a", "b"}},
	}
	for _, tt := range tests {
		dirs, err := fsys.ReadDir(tt.name)
		if err != nil {
			t.Fatalf("ReadDir(%q): %v", tt.name, err)
		}
		if got := dirNames(dirs); !slices.Equal(got, tt.want) {
			t.Errorf("ReadDir(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	if _, err := fsys.ReadDir("nosuch"); !IsNotExist(err) {
		t.Errorf("ReadDir(nosuch) error = %v, want not exist", err)
	}
}

// TestReadDirEntries: the names and directory bits ReadDirEntries takes
// from the stat bytes are ReadDir's, through a 9P attach, a name space
// over it, and a host directory (the fallback through ReadDir).
func TestReadDirEntries(t *testing.T) {
	remote := mountTest(t)
	ns := NewNS()
	ns.Bind("/mnt/x", remote)
	local, err := Local(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	local.WriteFile("f", []byte("x"))
	local.Create("d", plan9.OREAD, plan9.DMDIR|0700)
	for _, c := range []struct {
		fs   FS
		dirs []string
	}{
		{remote, []string{"", "sub"}},
		{ns, []string{"/mnt/x", "/mnt/x/sub"}},
		{local, []string{""}},
	} {
		for _, dir := range c.dirs {
			dirs, err := c.fs.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var want []Entry
			for _, d := range dirs {
				want = append(want, Entry{d.Name, d.Qid.Type&plan9.QTDIR != 0})
			}
			got, err := ReadDirEntries(c.fs, dir)
			if err != nil || !slices.Equal(got, want) || len(got) == 0 {
				t.Errorf("ReadDirEntries(%q) = %v, %v; want %v", dir, got, err, want)
			}
		}
	}
	if _, err := ReadDirEntries(remote, "nosuch"); !IsNotExist(err) {
		t.Errorf("ReadDirEntries(nosuch) error = %v, want not exist", err)
	}
	if _, err := ReadDirEntries(ns, "/mnt/x/nosuch"); !IsNotExist(err) {
		t.Errorf("ReadDirEntries(/mnt/x/nosuch) error = %v, want not exist", err)
	}
}

func TestRemoteOpenRead(t *testing.T) {
	fsys := mountTest(t)
	f, err := fsys.Open("big", plan9.OREAD)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := make([]byte, 10)
	if n, err := f.ReadAt(p, 25); n != 10 || err != nil || string(p) != bigData[25:35] {
		t.Errorf("ReadAt(10, 25) = %d, %v, %q", n, err, p)
	}
	p = make([]byte, 100)
	if n, err := f.ReadAt(p, int64(len(bigData)-30)); n != 30 || err != io.EOF {
		t.Errorf("ReadAt at end-30 = %d, %v; want 30, EOF", n, err)
	}
	if _, err := f.ReadAt(p, -1); err == nil {
		t.Error("ReadAt(-1) succeeded")
	}
	if n, err := f.Read(nil); n != 0 || err != nil {
		t.Errorf("Read(nil) = %d, %v", n, err)
	}
	all, err := io.ReadAll(f) // the offset was not moved by ReadAt
	if err != nil || string(all) != bigData {
		t.Errorf("ReadAll = %d bytes, %v", len(all), err)
	}
	d, err := f.Stat()
	if err != nil || d.Name != "big" || d.Length != uint64(len(bigData)) {
		t.Errorf("Stat = %+v, %v", d, err)
	}
	dir, err := fsys.Open("sub", plan9.OREAD)
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	dirs, err := dir.ReadDir()
	if got := dirNames(dirs); err != nil || !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("File.ReadDir = %q, %v", got, err)
	}
}

func TestRemoteWrite(t *testing.T) {
	fsys := mountTest(t)
	f, err := fsys.Open("hello", plan9.ORDWR|plan9.OTRUNC)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := f.Write([]byte("howdy")); n != 5 || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if n, err := f.WriteAt([]byte("H"), 0); n != 1 || err != nil {
		t.Fatalf("WriteAt = %d, %v", n, err)
	}
	p := make([]byte, 5)
	if _, err := f.ReadAt(p, 0); err != nil || string(p) != "Howdy" {
		t.Errorf("ReadAt = %q, %v", p, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err == nil {
		t.Error("second Close succeeded")
	}
	for _, tt := range []struct{ name, data string }{
		{"hello", "x"},          // existing: truncated
		{"sub/c", "new file\n"}, // absent: created
		{"sub/c", ""},
	} {
		if err := fsys.WriteFile(tt.name, []byte(tt.data)); err != nil {
			t.Fatalf("WriteFile(%q): %v", tt.name, err)
		}
		if got, err := fsys.ReadFile(tt.name); err != nil || string(got) != tt.data {
			t.Errorf("ReadFile(%q) = %q, %v; want %q", tt.name, got, err, tt.data)
		}
	}
	err = fsys.WriteFile("nosuchdir/x", []byte("x"))
	if !IsNotExist(err) {
		t.Errorf("WriteFile(nosuchdir/x) = %v, want not exist", err)
	}
}

func TestRemoteCreateRemoveStat(t *testing.T) {
	fsys := mountTest(t)
	f, err := fsys.Create("sub/new", plan9.ORDWR, 0644)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("12345"))
	f.Close()
	d, err := fsys.Stat("sub/new")
	if err != nil || d.Name != "new" || d.Length != 5 || d.Mode != 0644 || d.Uid != testUser {
		t.Errorf("Stat(sub/new) = %+v, %v", d, err)
	}
	dir, err := fsys.Create("/sub/dir", plan9.OREAD, plan9.DMDIR|0755)
	if err != nil {
		t.Fatal(err)
	}
	dir.Close()
	if d, err := fsys.Stat("sub/dir"); err != nil || d.Mode&plan9.DMDIR == 0 || d.Qid.Type&plan9.QTDIR == 0 {
		t.Errorf("Stat(sub/dir) = %+v, %v", d, err)
	}
	for _, name := range []string{"sub/new", "sub/dir"} {
		if err := fsys.Remove(name); err != nil {
			t.Errorf("Remove(%q): %v", name, err)
		}
		if _, err := fsys.Stat(name); !IsNotExist(err) {
			t.Errorf("Stat(%q) after Remove = %v, want not exist", name, err)
		}
	}
	if err := fsys.Remove("sub/new"); !IsNotExist(err) {
		t.Errorf("second Remove = %v, want not exist", err)
	}
	if _, err := fsys.Create("hello/x", plan9.OWRITE, 0666); err == nil || err.Error() != "create hello/x: create in non-directory" {
		t.Errorf("Create(hello/x) = %v, want create in non-directory", err)
	}
}

func TestRemoteErrors(t *testing.T) {
	fsys := mountTest(t)
	tests := []struct {
		op      string
		err     error
		wantErr string
		perm    bool
	}{
		{"open ro OWRITE", open(fsys, "ro", plan9.OWRITE), "open ro: permission denied", true},
		{"open sub OWRITE", open(fsys, "sub", plan9.OWRITE), "open sub: is a directory", false},
		{"wstat", fsys.Wstat("hello", nullDir("x")), "wstat hello: wstat prohibited", false},
		{"stat nosuch", stat(fsys, "nosuch"), "stat nosuch: file not found", false},
	}
	for _, tt := range tests {
		if tt.err == nil || tt.err.Error() != tt.wantErr {
			t.Errorf("%s: error %v, want %q", tt.op, tt.err, tt.wantErr)
		}
		if IsPermission(tt.err) != tt.perm || errors.Is(tt.err, fs.ErrPermission) != tt.perm {
			t.Errorf("%s: IsPermission = %v, want %v", tt.op, !tt.perm, tt.perm)
		}
		var e Error
		if !errors.As(tt.err, &e) {
			t.Errorf("%s: %T is not an Error", tt.op, tt.err)
		}
	}
}

func open(fsys FS, name string, mode uint8) error {
	f, err := fsys.Open(name, mode)
	if err == nil {
		f.Close()
	}
	return err
}

func stat(fsys FS, name string) error {
	_, err := fsys.Stat(name)
	return err
}

func nullDir(name string) *plan9.Dir {
	var d plan9.Dir
	d.Null()
	d.Name = name
	return &d
}

func TestAttachWrongUser(t *testing.T) {
	sock := startServer(t, newTestServer(t))
	_, err := Mount(sock, "mallory", "")
	if err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("Mount as mallory = %v, want permission denied", err)
	}
	if _, err := Mount(sock+".none", testUser, ""); err == nil {
		t.Fatal("Mount of a missing socket succeeded")
	}
}

func TestRemoteClose(t *testing.T) {
	fsys := mountTest(t)
	f, err := fsys.Open("hello", plan9.OREAD)
	if err != nil {
		t.Fatal(err)
	}
	if err := fsys.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := fsys.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := f.Read(make([]byte, 10)); err == nil {
		t.Error("Read after Close succeeded")
	}
	if _, err := fsys.ReadFile("hello"); err == nil {
		t.Error("ReadFile after Close succeeded")
	}
}

func TestServeConnPipe(t *testing.T) {
	c1, c2 := netPipe()
	go ServeConn(c2, newTestServer(t))
	fsys, err := Attach(c1, testUser, "")
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	if got, err := fsys.ReadFile("sub/a"); err != nil || !bytes.Equal(got, []byte("A\n")) {
		t.Errorf("ReadFile over a pipe = %q, %v", got, err)
	}
}
