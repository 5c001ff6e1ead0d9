package mbox

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	rwA = "From a Mon Jan  6 10:00:00 2025\nSubject: a\n\nbody a\n"
	rwB = "From b Mon Jan  6 10:00:01 2025\nSubject: b\n\n>From b's body\n"
	rwC = "From c Mon Jan  6 10:00:02 2025\nSubject: c\n\nbody c, no newline"
	// rwBox: A and B with their separators, C last without a blank
	// line or even a final newline.
	rwBox = rwA + "\n" + rwB + "\n" + rwC
)

// openBox writes content to a new mailbox file and returns its path,
// the open file and its messages.
func openBox(t *testing.T, content string, perm fs.FileMode) (string, *os.File, []Msg) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mbox")
	writeFile(t, path, content)
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	msgs, err := Scan(f, 0)
	if err != nil {
		t.Fatal(err)
	}
	return path, f, msgs
}

func TestRewrite(t *testing.T) {
	for _, tt := range []struct {
		name string
		keep []int
		want string
	}{
		{"drop the middle", []int{0, 2}, rwA + "\n" + rwC + "\n"},
		{"drop the first", []int{1, 2}, rwB + "\n" + rwC + "\n"},
		{"drop the last", []int{0, 1}, rwA + "\n" + rwB + "\n"},
		{"keep all", []int{0, 1, 2}, rwBox + "\n"},
		{"keep none", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path, f, msgs := openBox(t, rwBox, 0640)
			var keep []Msg
			for _, i := range tt.keep {
				keep = append(keep, msgs[i])
			}
			got, err := Rewrite(path, f, keep)
			if err != nil {
				t.Fatal(err)
			}
			b, now := scanFile(t, path)
			if string(b) != tt.want {
				t.Errorf("file = %q, want %q", b, tt.want)
			}
			if !equalMsgs(got, now) {
				t.Errorf("Rewrite returned %+v, the new file scans as %+v", got, now)
			}
			for i := range got {
				if got[i].Digest != keep[i].Digest || got[i].Len != keep[i].Len {
					t.Errorf("message %d changed: %+v, was %+v", i, got[i], keep[i])
				}
			}
			st, err := os.Stat(path)
			if err != nil || st.Mode().Perm() != 0640 {
				t.Errorf("mode after Rewrite: %v, %v; want 0640", st, err)
			}
			if _, err := os.Stat(path + ".tmp"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf(".tmp left behind: %v", err)
			}
		})
	}
}

// TestRewriteNewInode: the old file is replaced, not written in place,
// so readers of the old file still see it whole.
func TestRewriteNewInode(t *testing.T) {
	path, f, msgs := openBox(t, rwBox, 0600)
	if _, err := Rewrite(path, f, msgs[1:]); err != nil {
		t.Fatal(err)
	}
	old := make([]byte, len(rwBox))
	if _, err := f.ReadAt(old, 0); err != nil || string(old) != rwBox {
		t.Errorf("old file now reads %q, %v", old, err)
	}
}

func TestRewriteDefaultPerm(t *testing.T) {
	path, f, msgs := openBox(t, rwBox, 0600)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := Rewrite(path, f, msgs[:1]); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0662 {
		t.Errorf("mode: %v, %v; want 0662", st, err)
	}
}

func TestRewriteStaleTmp(t *testing.T) {
	path, f, msgs := openBox(t, rwBox, 0600)
	writeFile(t, path+".tmp", "half a rewrite")
	if _, err := Rewrite(path, f, msgs[:1]); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != rwA+"\n" {
		t.Errorf("file = %q", b)
	}
}

// TestRewriteOnlyTmp: a .tmp without the mailbox may be the only copy;
// Rewrite leaves it alone.
func TestRewriteOnlyTmp(t *testing.T) {
	path, f, msgs := openBox(t, rwBox, 0600)
	os.Remove(path)
	writeFile(t, path+".tmp", rwBox)
	if _, err := Rewrite(path, f, msgs[:1]); err == nil {
		t.Fatal("Rewrite succeeded with only a .tmp present")
	}
	if b, _ := os.ReadFile(path + ".tmp"); string(b) != rwBox {
		t.Errorf(".tmp now %q", b)
	}
}

// TestRewriteChanged: if src does not hold the messages keep names,
// nothing is replaced.
func TestRewriteChanged(t *testing.T) {
	for _, tt := range []struct {
		name, src string
	}{
		{"changed", strings.Replace(rwBox, "body a", "body X", 1)},
		{"short", rwBox[:len(rwA)-3]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path, _, msgs := openBox(t, rwBox, 0600)
			_, err := Rewrite(path, strings.NewReader(tt.src), msgs)
			if err == nil {
				t.Fatal("Rewrite succeeded")
			}
			if b, _ := os.ReadFile(path); string(b) != rwBox {
				t.Errorf("file = %q, want it untouched", b)
			}
			if _, err := os.Stat(path + ".tmp"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf(".tmp left behind: %v", err)
			}
		})
	}
}

func TestRecover(t *testing.T) {
	for _, tt := range []struct {
		name            string
		box, tmp        string // "" = absent
		wantBox, wantTm string
	}{
		{"nothing", "", "", "", ""},
		{"no tmp", rwA, "", rwA, ""},
		{"only tmp", "", rwB, rwB, ""},
		{"both", rwA, rwB, rwA, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "mbox")
			for name, content := range map[string]string{path: tt.box, path + ".tmp": tt.tmp} {
				if content != "" {
					writeFile(t, name, content)
				}
			}
			if err := Recover(path); err != nil {
				t.Fatal(err)
			}
			for name, want := range map[string]string{path: tt.wantBox, path + ".tmp": tt.wantTm} {
				b, err := os.ReadFile(name)
				if want == "" && !errors.Is(err, fs.ErrNotExist) || want != "" && !bytes.Equal(b, []byte(want)) {
					t.Errorf("%s: %q, %v; want %q", filepath.Base(name), b, err, want)
				}
			}
		})
	}
}
