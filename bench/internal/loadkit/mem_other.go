//go:build !linux

package loadkit

import (
	"errors"
	"time"
)

// TreeMem is only implemented on Linux (/proc).
func TreeMem(pid int) (rss, anon int64, err error) {
	return 0, 0, errors.New("memory: needs Linux /proc")
}

// WatchMem reports nothing without Linux /proc.
func WatchMem(pid int, interval time.Duration) (stop func() (peakRSS, peakAnon int64)) {
	return func() (int64, int64) { return 0, 0 }
}
