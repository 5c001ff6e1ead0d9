//go:build !plan9

package ninep

import (
	"io"
	"testing"
)

// TestOpenWhole: a file opened whole reads to the end with one read
// fewer, and files longer than one read still come whole.
func TestOpenWhole(t *testing.T) {
	fs := mountTest(t)
	for _, name := range []string{"hello", "big"} {
		want, err := fs.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := OpenWhole(fs, name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(f)
		f.Close()
		if err != nil || string(got) != string(want) {
			t.Errorf("%s: %d bytes, %v; want %d bytes", name, len(got), err, len(want))
		}
	}
}
