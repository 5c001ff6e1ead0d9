package loadkit

import (
	"os"
	"runtime"
	"testing"
	"time"
)

// TestTreeMemSelf: 64 MiB this process touches shows in its RssAnon,
// and WatchMem's peak holds it after it is given back.
func TestTreeMemSelf(t *testing.T) {
	stop := WatchMem(os.Getpid(), 5*time.Millisecond)
	_, before, err := TreeMem(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 64<<20)
	for i := range b {
		b[i] = byte(i)
	}
	rss, anon, err := TreeMem(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if anon < before+60<<20 || rss < anon {
		t.Errorf("after 64 MiB: RSS %d, RssAnon %d (was %d)", rss, anon, before)
	}
	runtime.KeepAlive(b)
	time.Sleep(20 * time.Millisecond)
	_, peak := stop()
	if peak < anon {
		t.Errorf("peak RssAnon %d below a sample of %d", peak, anon)
	}
}
