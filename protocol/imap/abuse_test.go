package imap_test

import (
	"bufio"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"p9mail/protocol/auth"
	"p9mail/protocol/imap"
	"p9mail/protocol/mailfs"
	"p9mail/testenv"
)

// abuseServer serves glenda's fixture mailbox on loopback with cfg's
// limits and returns its address.
func abuseServer(t *testing.T, cfg imap.Config) string {
	t.Helper()
	root := testenv.MailRoot(t, "glenda")
	testenv.WriteFixture(t, root, "glenda", "mbox", testenv.Fixture("p9p"))
	keys, err := auth.OpenKeys(testenv.WriteKeys(t, root, map[string]string{"glenda": "pw"}))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Source, cfg.Keys, cfg.AllowPlain = &mailfs.Source{Root: root}, keys, true
	srv, err := imap.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go srv.Serve(l, false)
	return l.Addr().String()
}

// heapInUse is the process's live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// peakHeap samples the heap in use until stop is called, which returns
// the largest value seen.
func peakHeap() (stop func() uint64) {
	done := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var top uint64
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			top = max(top, m.HeapInuse)
			select {
			case <-done:
				peak <- top
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(done); return <-peak }
}

// TestAbusePreauthLiteral: clients that have not logged in announce a
// huge non-synchronizing LOGIN literal and send its data. Each must be
// answered NO [TOOBIG] and BYE before its data is read, and the server
// must hold no more than a few KiB per connection while they push
// (before the pre-authentication limit, each literal was held whole:
// 20 connections of 60 MB reached 3.8 GB).
func TestAbusePreauthLiteral(t *testing.T) {
	const conns, size = 20, 8 << 20
	addr := abuseServer(t, imap.Config{})
	before := heapInUse()
	stop := peakHeap()
	chunk := make([]byte, 64<<10)
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	sent := make(chan int, conns)
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			r := bufio.NewReader(c)
			if _, err := r.ReadString('\n'); err != nil {
				errs <- err
				return
			}
			fmt.Fprintf(c, "a1 LOGIN glenda {%d+}\r\n", size)
			// Push the data as a hostile client would, in the
			// background; the server must answer without reading it.
			go func() {
				n := 0
				for n < size {
					w, err := c.Write(chunk)
					n += w
					if err != nil {
						break
					}
				}
				sent <- n
			}()
			var got []string
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					break
				}
				got = append(got, strings.TrimRight(line, "\r\n"))
			}
			want := []string{"a1 NO [TOOBIG] LOGIN literal of 8388608 octets too big (limit 4096)",
				"* BYE command too big before authentication"}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				errs <- fmt.Errorf("replies %q, want %q", got, want)
			}
		}()
	}
	wg.Wait()
	grown := int64(stop()) - int64(before)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// The bound: 20 connections' buffers (16 KiB read, 32 KiB write),
	// the clients' and goroutines, far below one literal.
	if grown > 8<<20 {
		t.Errorf("heap grew by %d bytes for %d hostile connections", grown, conns)
	}
	for i := 0; i < conns; i++ {
		if n := <-sent; n >= size {
			t.Errorf("the server read all %d octets of a refused literal", n)
		}
	}
}
