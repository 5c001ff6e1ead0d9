//go:build !plan9

package ninep

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"9fans.net/go/plan9"
)

// newLocalTree makes this layout in a temp dir and returns Local(root):
//
//	root/mbox             "From a\n"
//	root/sub/x            "x\n"
//	root/in  -> sub/x     (relative, inside)
//	root/abs -> <tmp>/outside/secret
//	root/rel -> ../outside/secret
//	root/absin -> <root>/mbox  (absolute, though inside: refused too)
//	outside/secret        "secret\n"
func newLocalTree(t *testing.T) (FS, string) {
	t.Helper()
	tmp := t.TempDir()
	root := filepath.Join(tmp, "root")
	for _, d := range []string{root + "/sub", tmp + "/outside"} {
		if err := os.MkdirAll(d, 0755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{root + "/mbox": "From a\n", root + "/sub/x": "x\n", tmp + "/outside/secret": "secret\n"}
	for name, data := range files {
		if err := os.WriteFile(name, []byte(data), 0644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{"in": "sub/x", "abs": tmp + "/outside/secret", "rel": "../outside/secret", "absin": root + "/mbox"}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	fsys, err := Local(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	return fsys, root
}

func TestLocalEscapes(t *testing.T) {
	fsys, root := newLocalTree(t)
	escapes := []string{
		"..", "../outside/secret", "/../outside/secret", "a/../../x",
		"sub/../../outside/secret", "abs", "rel", "absin", "sub/../../x",
	}
	for _, name := range escapes {
		if got, err := fsys.ReadFile(name); err == nil {
			t.Errorf("ReadFile(%q) = %q, want an error", name, got)
		} else if !IsPermission(err) && !IsNotExist(err) {
			t.Errorf("ReadFile(%q) error = %v, want permission denied", name, err)
		}
		if _, err := fsys.Stat(name); err == nil {
			t.Errorf("Stat(%q) succeeded", name)
		}
		if err := fsys.WriteFile(name, []byte("pwned")); err == nil {
			t.Errorf("WriteFile(%q) succeeded", name)
		}
		if f, err := fsys.Create(name, plan9.OWRITE, 0666); err == nil {
			f.Close()
			t.Errorf("Create(%q) succeeded", name)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(root, "../outside/secret")); string(got) != "secret\n" {
		t.Errorf("outside file changed: %q", got)
	}
	if err := fsys.Remove(".."); err == nil {
		t.Error("Remove(..) succeeded")
	}
	for name, want := range map[string]string{"in": "x\n", "sub/../mbox": "From a\n", "/sub/x": "x\n", "./mbox": "From a\n"} {
		if got, err := fsys.ReadFile(name); err != nil || string(got) != want {
			t.Errorf("ReadFile(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	err := fsys.WriteFile("../x", nil)
	if err == nil || err.Error() != "open ../x: permission denied" || !errors.Is(err, fs.ErrPermission) {
		t.Errorf("WriteFile(../x) = %v, want open ../x: permission denied", err)
	}
}

func TestLocalExclusive(t *testing.T) {
	fsys, root := newLocalTree(t)
	if err := fsys.WriteFile("L.mbox", []byte("lock")); err != nil {
		t.Fatal(err)
	}
	other, err := Local(root)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	held, err := fsys.Open("L.mbox", plan9.OREAD)
	if err != nil {
		t.Fatal(err)
	}
	tries := []struct {
		what string
		try  func() error
	}{
		{"Open, same FS", func() error { return open(fsys, "L.mbox", plan9.OREAD) }},
		{"Open, other FS", func() error { return open(other, "/L.mbox", plan9.ORDWR) }},
		{"Create", func() error { f, err := other.Create("L.mbox", plan9.OWRITE, 0666); closeIf(f, err); return err }},
		{"ReadFile", func() error { _, err := other.ReadFile("L.mbox"); return err }},
		{"WriteFile", func() error { return other.WriteFile("L.mbox", nil) }},
	}
	for _, tt := range tries {
		err := tt.try()
		if !IsLocked(err) || !strings.HasSuffix(err.Error(), "L.mbox: file locked") {
			t.Errorf("%s while held: %v, want file locked", tt.what, err)
		}
	}
	if got, _ := os.ReadFile(root + "/L.mbox"); string(got) != "lock" {
		t.Errorf("locked file changed to %q", got)
	}
	if err := held.Close(); err != nil {
		t.Fatal(err)
	}
	if err := open(other, "L.mbox", plan9.OREAD); err != nil {
		t.Errorf("Open after Close: %v", err)
	}
	d, err := fsys.Stat("L.mbox")
	if err != nil || d.Mode&plan9.DMEXCL == 0 || d.Qid.Type&plan9.QTEXCL == 0 {
		t.Errorf("Stat(L.mbox) = %+v, %v; want DMEXCL", d, err)
	}
	if err := open(fsys, "mbox", plan9.OREAD); err != nil {
		t.Errorf("plain file: %v", err)
	}
}

func closeIf(f File, err error) {
	if err == nil {
		f.Close()
	}
}

func TestLocalReadWrite(t *testing.T) {
	fsys, root := newLocalTree(t)
	for _, tt := range []struct{ name, data string }{
		{"new", "first version, longer\n"},
		{"new", "second\n"}, // truncates
		{"/sub/y", ""},
	} {
		if err := fsys.WriteFile(tt.name, []byte(tt.data)); err != nil {
			t.Fatal(err)
		}
		if got, err := fsys.ReadFile(tt.name); err != nil || string(got) != tt.data {
			t.Errorf("ReadFile(%q) = %q, %v; want %q", tt.name, got, err, tt.data)
		}
	}
	if fi, err := os.Stat(root + "/new"); err != nil || fi.Mode().Perm() != 0666&^umask() {
		t.Errorf("mode of new file = %v, %v", fi.Mode(), err)
	}
	f, err := fsys.Open("mbox", plan9.ORDWR|plan9.OTRUNC)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("From b\n"))
	f.WriteAt([]byte("F"), 0)
	p := make([]byte, 4)
	if n, err := f.ReadAt(p, 5); n != 2 || string(p[:n]) != "b\n" {
		t.Errorf("ReadAt = %d %q, %v", n, p[:n], err)
	}
	f.Close()
	_, err = fsys.ReadFile("nosuch")
	if err == nil || err.Error() != "open nosuch: file does not exist" || !IsNotExist(err) {
		t.Errorf("ReadFile(nosuch) = %v", err)
	}
	if _, err := fsys.Open("sub", plan9.OWRITE); err == nil {
		t.Error("Open(sub, OWRITE) succeeded")
	}
	f, err = fsys.Open("sub", plan9.OREAD)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Read(p); err == nil || strings.Contains(err.Error(), root) {
		t.Errorf("Read of a directory = %v, want an error without the host path", err)
	}
}

func umask() os.FileMode {
	m := syscall.Umask(0)
	syscall.Umask(m)
	return os.FileMode(m)
}

func TestLocalCreateRemove(t *testing.T) {
	fsys, root := newLocalTree(t)
	d, err := fsys.Create("box", plan9.OREAD, plan9.DMDIR|0700)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	if st, err := fsys.Stat("box"); err != nil || st.Mode != plan9.DMDIR|0700 || st.Qid.Type != plan9.QTDIR {
		t.Errorf("Stat(box) = %+v, %v", st, err)
	}
	if _, err := fsys.Create("box", plan9.OREAD, plan9.DMDIR|0700); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second Create(box) = %v, want exists", err)
	}
	f, err := fsys.Create("mbox", plan9.ORDWR, 0600) // existing: truncated
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if got, _ := os.ReadFile(root + "/mbox"); len(got) != 0 {
		t.Errorf("Create did not truncate: %q", got)
	}
	f, err = fsys.Create("tmp", plan9.ORDWR|plan9.ORCLOSE, 0600)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := fsys.Stat("tmp"); !IsNotExist(err) {
		t.Errorf("ORCLOSE file still there: %v", err)
	}
	for _, name := range []string{"box", "mbox"} {
		if err := fsys.Remove(name); err != nil {
			t.Errorf("Remove(%q): %v", name, err)
		}
	}
	if err := fsys.Remove("mbox"); err == nil || err.Error() != "remove mbox: file does not exist" {
		t.Errorf("second Remove = %v", err)
	}
	if err := fsys.Remove("/"); !IsPermission(err) {
		t.Errorf("Remove(/) = %v", err)
	}
}

func TestLocalStatReadDir(t *testing.T) {
	fsys, root := newLocalTree(t)
	fi, err := os.Stat(root + "/mbox")
	if err != nil {
		t.Fatal(err)
	}
	d, err := fsys.Stat("mbox")
	if err != nil {
		t.Fatal(err)
	}
	ino := fi.Sys().(*syscall.Stat_t).Ino
	if d.Name != "mbox" || d.Qid.Path != ino || d.Qid.Type != plan9.QTFILE || d.Length != 7 ||
		d.Mode != 0644 || d.Mtime != uint32(fi.ModTime().Unix()) || d.Uid == "" || d.Gid == "" {
		t.Errorf("Stat(mbox) = %+v; inode %d", d, ino)
	}
	vers := d.Qid.Vers
	if err := os.Chtimes(root+"/mbox", time.Time{}, fi.ModTime().Add(time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if d, _ := fsys.Stat("mbox"); d.Qid.Vers == vers {
		t.Errorf("Qid.Vers did not change with mtime: %d", vers)
	}
	if d, err := fsys.Stat(""); err != nil || d.Name != "/" || d.Mode&plan9.DMDIR == 0 || d.Length != 0 {
		t.Errorf("Stat(root) = %+v, %v", d, err)
	}
	dirs, err := fsys.ReadDir("/")
	// abs, absin and rel lead outside the tree or are absolute: left out.
	if got := dirNames(dirs); err != nil || !slices.Equal(got, []string{"in", "mbox", "sub"}) {
		t.Errorf("ReadDir(/) = %q, %v", got, err)
	}
	for _, d := range dirs {
		if d.Name == "in" && (d.Length != 2 || d.Mode&plan9.DMDIR != 0) {
			t.Errorf("symlink entry = %+v, want the target's", d)
		}
	}
}

func TestLocalWstat(t *testing.T) {
	fsys, root := newLocalTree(t)
	fsys.WriteFile("sub/y", []byte("y"))
	tests := []struct {
		name    string
		dir     func(d *plan9.Dir)
		wantErr string
	}{
		{"mbox", func(d *plan9.Dir) { d.Name = "mbox2" }, ""},
		{"mbox2", func(d *plan9.Dir) { d.Length = 0; d.Mode = 0600 }, ""},
		{"sub/x", func(d *plan9.Dir) { d.Name = "y" }, "wstat sub/x: file already exists"},
		{"sub/x", func(d *plan9.Dir) { d.Name = "../x" }, "wstat sub/x: bad character in file name"},
		{"sub/x", func(d *plan9.Dir) { d.Gid = "wheel" }, "wstat sub/x: permission denied"},
		{"sub", func(d *plan9.Dir) { d.Mode = 0700 }, "wstat sub: wstat cannot change DMDIR bit"},
		{"nosuch", func(d *plan9.Dir) { d.Name = "x" }, "wstat nosuch: file does not exist"},
	}
	for _, tt := range tests {
		var d plan9.Dir
		d.Null()
		tt.dir(&d)
		err := fsys.Wstat(tt.name, &d)
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr) {
			t.Errorf("Wstat(%q) = %v, want %q", tt.name, err, tt.wantErr)
		}
	}
	if _, err := os.Stat(root + "/mbox"); !os.IsNotExist(err) {
		t.Errorf("mbox still there after rename: %v", err)
	}
	if fi, err := os.Stat(root + "/mbox2"); err != nil || fi.Size() != 0 || fi.Mode() != 0600 {
		t.Errorf("mbox2 = %v, %v; want empty, 0600", fi, err)
	}
	if got, _ := os.ReadFile(root + "/sub/y"); string(got) != "y" {
		t.Errorf("rename onto existing clobbered it: %q", got)
	}
}

func TestLocalBadDir(t *testing.T) {
	if _, err := Local(filepath.Join(t.TempDir(), "nosuch")); err == nil {
		t.Error("Local of a missing dir succeeded")
	}
}
