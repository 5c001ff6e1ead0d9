package auth

import (
	"testing"
	"time"
)

func TestDelayDuration(t *testing.T) {
	plan9 := Delay{Base: 10 * time.Second, Max: 30 * time.Minute, Limit: 20}
	tests := []struct {
		d    Delay
		n    int
		want time.Duration
	}{
		{plan9, 1, 10 * time.Second},
		{plan9, 2, 20 * time.Second},
		{plan9, 3, 40 * time.Second},
		{plan9, 8, 1280 * time.Second},
		{plan9, 9, 30 * time.Minute}, // 2560 s capped
		{plan9, 1 << 40, 30 * time.Minute},
		{plan9, 0, 0},
		{plan9, -3, 0},
		{DefaultDelay, 1, 10 * time.Second},
		{DefaultDelay, 2, 20 * time.Second},
		{DefaultDelay, 3, 30 * time.Second},
		{DefaultDelay, 20, 30 * time.Second},
		{Delay{Base: time.Millisecond}, 11, 1024 * time.Millisecond}, // no cap
		{Delay{Base: time.Millisecond}, 1000, time.Duration(1<<63 - 1)},
		{Delay{Base: time.Hour, Max: time.Minute}, 1, time.Minute},
		{Delay{Max: time.Minute, Limit: 3}, 5, 0},
	}
	for _, tt := range tests {
		got := tt.d.Duration(tt.n)
		if tt.want == time.Duration(1<<63-1) {
			if got < time.Duration(1<<62) {
				t.Errorf("%+v.Duration(%d) = %v; want huge, not overflowed", tt.d, tt.n, got)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("%+v.Duration(%d) = %v; want %v", tt.d, tt.n, got, tt.want)
		}
	}
}
