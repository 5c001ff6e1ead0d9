//go:build !plan9

package ninep

import (
	"sync"
	"testing"
)

// BenchmarkReadFile reads a 2 KB file through Attach over a Unix-domain
// socket to a srv9p server: one goroutine, and 8 sharing the attach.
func BenchmarkReadFile(b *testing.B) {
	fsys := mountTest(b)
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
