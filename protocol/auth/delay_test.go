package auth

import (
	"context"
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

func TestDelayWait(t *testing.T) {
	d := Delay{Base: 5 * time.Millisecond, Max: 20 * time.Millisecond, Limit: 4}
	for n, want := range []bool{1: true, 2: true, 3: true, 4: false, 5: false} {
		if n == 0 {
			continue
		}
		start := time.Now()
		got := d.Wait(context.Background(), n)
		if slept := time.Since(start); slept < d.Duration(n) {
			t.Errorf("Wait(%d) slept %v; want ≥ %v", n, slept, d.Duration(n))
		}
		if got != want {
			t.Errorf("Wait(%d) = %v; want %v", n, got, want)
		}
	}
	if !(Delay{}).Wait(context.Background(), 1000) {
		t.Error("zero Delay ended the session")
	}
}

func TestDelayWaitCancel(t *testing.T) {
	d := Delay{Base: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(10*time.Millisecond, cancel)
	start := time.Now()
	if d.Wait(ctx, 1) {
		t.Error("Wait after cancel = true; want false")
	}
	if slept := time.Since(start); slept > 10*time.Second {
		t.Errorf("Wait ignored cancellation: slept %v", slept)
	}
	if (Delay{}).Wait(ctx, 1) {
		t.Error("Wait with a done ctx and no delay = true; want false")
	}
}

// Sessions sleep independently: two concurrent waits take one delay, not two.
func TestDelayConcurrent(t *testing.T) {
	d := Delay{Base: 100 * time.Millisecond}
	start := time.Now()
	done := make(chan bool)
	for range 2 {
		go func() { done <- d.Wait(context.Background(), 1) }()
	}
	<-done
	<-done
	if el := time.Since(start); el >= 190*time.Millisecond {
		t.Errorf("two concurrent 100 ms waits took %v", el)
	}
}
