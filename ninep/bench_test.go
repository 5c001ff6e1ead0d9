//go:build !plan9

package ninep

import (
	"net"
	"sync"
	"testing"
)

// BenchmarkReadFile reads a 2 KB file through Attach over a Unix-domain
// socket to a srv9p server: one goroutine, and 8 sharing the attach.
// "seq-nogate" is the sequential case without the fidGate, to show its
// cost (one goroutine cannot race itself).
func BenchmarkReadFile(b *testing.B) {
	fsys := mountTest(b)
	b.Run("seq-nogate", func(b *testing.B) {
		c, err := net.Dial("unix", startServer(b, newTestServer(b)))
		if err != nil {
			b.Fatal(err)
		}
		raw, err := attach(c, testUser, "")
		if err != nil {
			b.Fatal(err)
		}
		defer raw.Close()
		b.SetBytes(2048)
		for b.Loop() {
			if data, err := raw.ReadFile("msg"); err != nil || len(data) != 2048 {
				b.Fatalf("ReadFile = %d bytes, %v", len(data), err)
			}
		}
	})
	read := func() {
		data, err := fsys.ReadFile("msg")
		if err != nil || len(data) != 2048 {
			b.Fatalf("ReadFile = %d bytes, %v", len(data), err)
		}
	}
	b.Run("seq", func(b *testing.B) {
		b.SetBytes(2048)
		for b.Loop() {
			read()
		}
	})
	b.Run("par8", func(b *testing.B) {
		b.SetBytes(2048)
		work := make(chan struct{})
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range work {
					read()
				}
			}()
		}
		for b.Loop() {
			work <- struct{}{}
		}
		close(work)
		wg.Wait()
	})
}
