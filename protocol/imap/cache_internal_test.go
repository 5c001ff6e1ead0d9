package imap

import (
	"fmt"
	"testing"
	"time"
)

// TestDateCacheBound: the INTERNALDATE cache never holds more than
// maxDates entries, and keeps what was put last.
func TestDateCacheBound(t *testing.T) {
	var c dateCache
	when := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range maxDates + 10 {
		c.put(fmt.Sprintf("%040d", i), when)
		if len(c.m) > maxDates {
			t.Fatalf("%d dates cached", len(c.m))
		}
	}
	if got, ok := c.get(fmt.Sprintf("%040d", maxDates+9)); !ok || !got.Equal(when) {
		t.Fatalf("last date: %v, %v", got, ok)
	}
}
