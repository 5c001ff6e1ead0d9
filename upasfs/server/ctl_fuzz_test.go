package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCtl writes arbitrary bytes to the root ctl file of an instance
// over a mail directory with one mailbox (spec §1.6): never a panic,
// errors are Plan 9's strings, nothing outside the mail directory is
// opened, and the mailbox is never damaged (deletes only remove whole
// messages).
func FuzzCtl(f *testing.F) {
	for _, s := range []string{"open mbox", "open mbox x\ndelete x 1 2", "close mbox", "delete mbox 1",
		"open '/mail/box/u/mbox' 'a b'", "open ../../etc/passwd", "open '' ''", "bogus", "open 'unterminated", "\n"} {
		f.Add([]byte(s))
	}
	mbox := "From a@b Mon Jan  6 10:00:00 GMT 2025\nSubject: one\n\nbody\n\nFrom c@d Mon Jan  6 10:00:00 GMT 2025\nSubject: two\n\nbody\n\n"
	f.Fuzz(func(t *testing.T, data []byte) {
		root := t.TempDir()
		home := filepath.Join(root, "box", "u")
		if err := os.MkdirAll(home, 0700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(home, "mbox"), []byte(mbox), 0600); err != nil {
			t.Fatal(err)
		}
		srv, err := New(Config{Root: root, NoOpen: true})
		if err != nil {
			t.Fatal(err)
		}
		in := &instance{srv: srv, user: "u", home: home}
		defer in.closeAll()
		for _, cmd := range strings.SplitAfter(string(data), "\x00") {
			if err := in.ctl([]byte(cmd)); err != nil {
				switch err.Error() {
				case "unknown control message", "bad mbox name", "/ not allowed in mailbox name",
					"mbox name in use", "permission denied", "file does not exist":
				default:
					if !strings.Contains(err.Error(), "can't lock") {
						t.Fatalf("ctl %q: unexpected error %v", cmd, err)
					}
				}
			}
		}
		got, err := os.ReadFile(filepath.Join(home, "mbox"))
		if err != nil {
			t.Fatal(err)
		}
		if s := string(got); !strings.HasPrefix(mbox, s) && !strings.HasSuffix(mbox, s) && s != "" {
			t.Fatalf("mailbox damaged: %q", s)
		}
	})
}

// FuzzTokenize: tokenize never panics and never yields an empty field
// from unquoted text.
func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"open 'a b' c", "'it''s'", "  x\t\ty  ", "''", "'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, fld := range tokenize(s) {
			if fld == "" && !strings.Contains(s, "'") {
				t.Fatalf("empty field from %q", s)
			}
		}
	})
}
