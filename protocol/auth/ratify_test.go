package auth

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestRatify(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "trusted"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ addr, file string }{
		{"192.0.2.7", "192.0.2.7#32"},
		{"::ffff:192.0.2.8", "192.0.2.8#32"},
		{"2001:db8::1", "2001:db8::1#128"},
		{"fe80::1%eth0", "fe80::1#128"},
	}
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	for _, tt := range tests {
		path := filepath.Join(dir, "trusted", tt.file)
		if err := os.WriteFile(path, []byte("stale"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, old, old); err != nil {
			t.Fatal(err)
		}
		if err := Ratify(dir, netip.MustParseAddr(tt.addr)); err != nil {
			t.Fatalf("Ratify(%s): %v", tt.addr, err)
		}
		info, err := os.Stat(path)
		if err != nil {
			t.Fatalf("Ratify(%s): %v", tt.addr, err)
		}
		if info.Size() != 0 || !info.ModTime().After(old.Add(30*time.Minute)) {
			t.Errorf("Ratify(%s): %s size %d time %v; want empty and fresh", tt.addr, tt.file, info.Size(), info.ModTime())
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "trusted"))
	if len(entries) != len(tests) {
		t.Errorf("trusted holds %d files; want %d", len(entries), len(tests))
	}
	// A first ratification creates the file.
	if err := Ratify(dir, netip.MustParseAddr("198.51.100.1")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "trusted", "198.51.100.1#32")); err != nil {
		t.Error(err)
	}
}

func TestRatifyErrors(t *testing.T) {
	if err := Ratify(t.TempDir(), netip.Addr{}); err == nil {
		t.Error("Ratify(zero Addr) succeeded")
	}
	if err := Ratify(t.TempDir(), netip.MustParseAddr("192.0.2.7")); err == nil {
		t.Error("Ratify without trusted/ succeeded")
	}
}
