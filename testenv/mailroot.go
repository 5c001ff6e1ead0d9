package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// MailRoot creates a temporary mail root for a test, with an empty
// directory <root>/box/<user>/ for each user (the layout of Plan 9's
// /mail, spec §1.1), and returns root. It is removed when the test ends.
func MailRoot(t testing.TB, users ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, u := range users {
		if err := os.MkdirAll(filepath.Join(root, "box", u), 0o755); err != nil {
			t.Fatalf("mail root: %v", err)
		}
	}
	return root
}

// WriteFixture writes data to root/box/<user>/<name>, creating the
// directories on the way (name may contain '/'), and returns the file's
// path. The file has mode 0644.
func WriteFixture(t testing.TB, root, user, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(root, "box", user, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatalf("write fixture: %v", err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatalf("write fixture: %v", err)
	}
	return path
}
