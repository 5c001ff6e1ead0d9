package mbox

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestAppend(t *testing.T) {
	const msg = "From b Mon Jan  6 10:00:00 GMT 2025\nS: b\n\nhi\n\n"
	for _, tt := range []struct {
		name, old, want string
	}{
		{"empty file", "", msg},
		{"ends in a blank line", "From a\n\nx\n\n", "From a\n\nx\n\n" + msg},
		{"ends in a newline", "From a\n\nx\n", "From a\n\nx\n\n" + msg},
		{"no final newline", "From a\n\nx", "From a\n\nx\n\n" + msg},
		{"one newline", "\n", "\n\n" + msg},
		{"one byte", "x", "x\n\n" + msg},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "mbox")
			writeFile(t, path, tt.old)
			if err := Append(path, []byte(msg), time.Second); err != nil {
				t.Fatal(err)
			}
			if b, _ := os.ReadFile(path); string(b) != tt.want {
				t.Errorf("file = %q, want %q", b, tt.want)
			}
		})
	}
}

func TestAppendCreates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mbox")
	msg := taggedMsg("new")
	if err := Append(path, msg, time.Second); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0600 {
		t.Fatalf("created mailbox: %v, %v; want mode 0600", st, err)
	}
	if b, _ := os.ReadFile(path); string(b) != string(msg) {
		t.Errorf("file = %q, want %q", b, msg)
	}
	if _, err := os.Stat(path + ".lock"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("dotlock left behind: %v", err)
	}
}

// TestAppendRecovers: Append finishes a crashed rewrite first, so that
// the .tmp holding the mail is not later taken for an unfinished one.
func TestAppendRecovers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mbox")
	writeFile(t, path+".tmp", rwA+"\n")
	msg := taggedMsg("new")
	if err := Append(path, msg, time.Second); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != rwA+"\n"+string(msg) {
		t.Errorf("file = %q", b)
	}
}

func TestAppendRejects(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mbox")
	if err := Append(path, []byte("Subject: no From line\n\n"), time.Second); err == nil {
		t.Error("Append of data without a From line succeeded")
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("mailbox after a rejected Append: %v", err)
	}
}
