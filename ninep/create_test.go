package ninep

import (
	"os"
	"path/filepath"
	"testing"

	"9fans.net/go/plan9"
)

// TestCreateModes: Plan 9's create truncates and opens with any mode,
// OREAD included, and DMEXCL/DMAPPEND are accepted (on Unix L.* files
// get flock instead).
func TestCreateModes(t *testing.T) {
	dir := t.TempDir()
	fs, err := Local(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	os.WriteFile(filepath.Join(dir, "x"), []byte("old"), 0600)
	for _, c := range []struct {
		name string
		mode uint8
		perm plan9.Perm
	}{
		{"x", plan9.OREAD, 0600},
		{"L.mbox", plan9.OREAD, plan9.DMEXCL | 0666},
		{"y", plan9.OWRITE, plan9.DMAPPEND | 0600},
		{"z", plan9.ORDWR, 0600},
	} {
		f, err := fs.Create(c.name, c.mode, c.perm)
		if err != nil {
			t.Errorf("create %s mode %d perm %v: %v", c.name, c.mode, c.perm, err)
			continue
		}
		f.Close()
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "x")); len(b) != 0 {
		t.Errorf("create did not truncate: %q", b)
	}
}
