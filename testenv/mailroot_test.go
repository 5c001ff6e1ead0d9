package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMailRoot(t *testing.T) {
	root := MailRoot(t, "glenda", "testuser")
	for _, u := range []string{"glenda", "testuser"} {
		fi, err := os.Stat(filepath.Join(root, "box", u))
		if err != nil || !fi.IsDir() {
			t.Errorf("box/%s: %v", u, err)
		}
	}
	entries, err := os.ReadDir(filepath.Join(root, "box"))
	if err != nil || len(entries) != 2 {
		t.Errorf("box holds %d entries, %v; want 2", len(entries), err)
	}
}

func TestWriteFixture(t *testing.T) {
	root := MailRoot(t, "glenda")
	data := Fixture("p9p")
	tests := []struct{ user, name, want string }{
		{"glenda", "mbox", "box/glenda/mbox"},
		{"glenda", "lists/9fans", "box/glenda/lists/9fans"},
		{"newuser", "mbox", "box/newuser/mbox"},
	}
	for _, tt := range tests {
		path := WriteFixture(t, root, tt.user, tt.name, data)
		if path != filepath.Join(root, filepath.FromSlash(tt.want)) {
			t.Errorf("path %q, want %q under %q", path, tt.want, root)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != string(data) {
			t.Errorf("%s: %d bytes read, %v", tt.want, len(got), err)
		}
	}
}
