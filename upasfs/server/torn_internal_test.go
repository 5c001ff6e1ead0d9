package server

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"p9mail/upasfs/mbox"
)

// TestSyncCutsTornAppend: a reader's sync finds the record of an
// append whose writer died and, the locks being free, cuts the torn
// tail off before parsing: it never shows the torn message. While a
// writer holds the locks the record is left alone.
func TestSyncCutsTornAppend(t *testing.T) {
	date := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	var a, b bytes.Buffer
	mbox.Format(&a, "x@y", date, []byte("Subject: a\n\nbody a\n"))
	mbox.Format(&b, "x@y", date, []byte("Subject: b\n\nbody b, long enough to be torn\n"))
	path := filepath.Join(t.TempDir(), "mbox")
	if err := os.WriteFile(path, a.Bytes(), 0600); err != nil {
		t.Fatal(err)
	}
	s := NewStore()
	s.Logf = func(string, ...any) {}
	box := s.box(path)
	defer s.release(box)
	count := func() int {
		t.Helper()
		box.mu.Lock()
		defer box.mu.Unlock()
		if err := box.sync(); err != nil {
			t.Fatal(err)
		}
		return len(box.msgs)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d messages at first, want 1", n)
	}
	// A writer dies 30 bytes into b.
	rec := mbox.NewIntent(int64(a.Len()), 0, b.Bytes())
	if err := os.WriteFile(mbox.IntentPath(path), rec.Marshal(), 0600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(b.Bytes()[:60]); err != nil {
		t.Fatal(err)
	}
	f.Close()
	// A live writer holds the locks: the record stays.
	l, err := mbox.Lock(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	count()
	if _, err := os.Stat(mbox.IntentPath(path)); err != nil {
		t.Errorf("the record went while its writer held the locks: %v", err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	// Dead: the next sync cuts it.
	if err := os.Chtimes(path, time.Now(), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Errorf("%d messages after the torn append, want 1", n)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, a.Bytes()) {
		t.Errorf("file after sync: %q", got)
	}
	if _, err := os.Stat(mbox.IntentPath(path)); !os.IsNotExist(err) {
		t.Errorf("record left: %v", err)
	}
}
