//go:build !plan9

package ninep

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"9fans.net/go/plan9"
)

// localWith returns Local over a temp dir holding one file "id" with
// content id.
func localWith(t *testing.T, id string) FS {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "id"), []byte(id), 0644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "alice"), 0755); err != nil {
		t.Fatal(err)
	}
	fsys, err := Local(dir)
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

func TestNSRouting(t *testing.T) {
	ns := NewNS()
	defer ns.Close()
	ns.Bind("/", localWith(t, "root"))
	ns.Bind("/mail/box", localWith(t, "box"))
	ns.Bind("/mail/box/alice/", localWith(t, "alice"))
	ns.Bind("/mail/fs", mountTest(t))
	tests := []struct{ name, want string }{
		{"/id", "root"},
		{"/mail/box/id", "box"},
		{"/mail/box/alice/id", "alice"},
		{"mail/box/alice/id", "alice"}, // names are taken from the root
		{"/mail/box/alice/../id", "box"},
		{"/mail/fs/hello", "hello, world\n"},
		{"/mail/fs/sub/a", "A\n"},
	}
	for _, tt := range tests {
		if got, err := ns.ReadFile(tt.name); err != nil || string(got) != tt.want {
			t.Errorf("ReadFile(%q) = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	// "/mail/boxes" is not under "/mail/box": it falls to "/".
	if _, err := ns.Stat("/mail/boxes/id"); !IsNotExist(err) {
		t.Errorf("Stat(/mail/boxes/id) = %v, want not exist", err)
	}
	dirs, err := ns.ReadDir("/mail/box/alice")
	if got := dirNames(dirs); err != nil || !slices.Equal(got, []string{"alice", "id"}) {
		t.Errorf("ReadDir(/mail/box/alice) = %q, %v", got, err)
	}
	if d, err := ns.Stat("/mail/fs"); err != nil || d.Mode&plan9.DMDIR == 0 {
		t.Errorf("Stat(/mail/fs) = %+v, %v", d, err)
	}

	old := localWith(t, "old")
	defer old.Close()
	ns.Bind("/mail/box/alice", old) // replaces
	if got, _ := ns.ReadFile("/mail/box/alice/id"); string(got) != "old" {
		t.Errorf("after rebinding: %q, want old", got)
	}
	ns.Bind("/mail/box/alice", nil) // unbinds: /mail/box's empty alice shows
	if _, err := ns.ReadFile("/mail/box/alice/id"); !IsNotExist(err) {
		t.Errorf("after unbinding: %v, want not exist", err)
	}
	if dirs, err := ns.ReadDir("/mail/box/alice"); err != nil || len(dirs) != 0 {
		t.Errorf("after unbinding: ReadDir = %d entries, %v", len(dirs), err)
	}
	ns.Bind("/nothing", nil)
	if _, err := ns.Stat("/nothing"); !IsNotExist(err) {
		t.Errorf("Stat(/nothing) = %v", err)
	}
}

func TestNSOps(t *testing.T) {
	ns := NewNS()
	defer ns.Close()
	ns.Bind("/mail/box/alice", localWith(t, "alice"))
	const name = "/mail/box/alice/new"
	if err := ns.WriteFile(name, []byte("x")); err != nil {
		t.Fatal(err)
	}
	f, err := ns.Open(name, plan9.OREAD)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := ns.Wstat(name, nullDir("renamed")); err != nil {
		t.Fatal(err)
	}
	if err := ns.Remove("/mail/box/alice/renamed"); err != nil {
		t.Fatal(err)
	}
	f, err = ns.Create("/mail/box/alice/d", plan9.OREAD, plan9.DMDIR|0700)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if d, err := ns.Stat("/mail/box/alice/d"); err != nil || d.Mode != plan9.DMDIR|0700 {
		t.Errorf("Stat = %+v, %v", d, err)
	}
}

func TestNSErrors(t *testing.T) {
	ns := NewNS()
	ns.Bind("/mail/box/alice", localWith(t, "alice"))
	errs := []error{
		ns.WriteFile("/mail/box/bob/x", nil),
		ns.Remove("/mail"),
		ns.Wstat("/", nullDir("x")),
		second(ns.Stat("/other")),
		second(ns.ReadFile("/mail/box")),
		second(ns.ReadDir("/mail/box/alicex")),
		second(ns.Open("/", plan9.OREAD)),
		second(ns.Create("/x", plan9.OREAD, 0666)),
	}
	for i, err := range errs {
		if !IsNotExist(err) {
			t.Errorf("#%d: %v, want file does not exist", i, err)
		}
	}
	if got := errs[0].Error(); got != "open /mail/box/bob/x: file does not exist" {
		t.Errorf("error text %q", got)
	}
	if _, err := ns.ReadFile("/mail/box/alice/nosuch"); err == nil || err.Error() != "open /mail/box/alice/nosuch: file does not exist" {
		t.Errorf("ReadFile(nosuch) = %v", err)
	}
	if err := ns.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := ns.ReadFile("/mail/box/alice/id"); !IsNotExist(err) {
		t.Errorf("after Close: %v", err)
	}
}

func second[T any](_ T, err error) error { return err }
