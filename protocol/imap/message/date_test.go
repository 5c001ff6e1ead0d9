package message

import (
	"testing"
	"time"
)

func TestInternalDate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Mon Jan  6 10:00:00 2025", "2025-01-06 10:00:00 +0000"},
		{"Fri Jan  3 08:00:00 GMT 2025", "2025-01-03 08:00:00 +0000"},
		{"Tue Jan  7 11:30:00 EST 2025", "2025-01-07 11:30:00 -0500"},
		{"Tue Jan  7 11:30:00 CES 2025", "2025-01-07 11:30:00 +0200"},
		{"Tue Jan  7 11:30:00 +0100 2025", "2025-01-07 11:30:00 +0100"},
		{"Tue Jan  7 11:30:00 2025 -0330", "2025-01-07 11:30:00 -0330"},
		{"Tue Jan  7 11:30 2025", "2025-01-07 11:30:00 +0000"},
		{"Tue Jan  7 11:30:00 XYZ 2025", "2025-01-07 11:30:00 +0000"},
		{"dec 31 23:59:60 1999", "2000-01-01 00:00:00 +0000"},
	}
	for _, tt := range tests {
		got, ok := InternalDate(tt.in)
		if !ok || got.Format("2006-01-02 15:04:05 -0700") != tt.want {
			t.Errorf("InternalDate(%q) = %v, %v; want %s", tt.in, got, ok, tt.want)
		}
	}
	for _, bad := range []string{"", "???", "Thu Jan 1 1970", "Mon Jan  6 25:00:00 2025", "Mon Foo  6 10:00:00 2025", "Mon Jan 6 10:00:00", "Mon Jan 1:2:3:4 2025"} {
		if got, ok := InternalDate(bad); ok {
			t.Errorf("InternalDate(%q) = %v, want failure", bad, got)
		}
	}
	// The p9p fixture's From lines.
	if got, _ := InternalDate("Fri Jan 10 16:45:00 2025"); !got.Equal(time.Date(2025, 1, 10, 16, 45, 0, 0, time.UTC)) {
		t.Errorf("got %v", got)
	}
}
