package mbox

import (
	"bytes"
	"runtime"
	"sync"
	"testing"
)

var benchMbox = sync.OnceValue(func() []byte { return genMbox(42, 100<<20, 40<<10) })

// BenchmarkScan scans a generated 100 MB mbox held in memory. It
// reports MB/s and the bytes allocated per message found (the returned
// slice and its growth included, the 1 MB read buffer amortised).
func BenchmarkScan(b *testing.B) {
	in := benchMbox()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	var msgs int
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for b.Loop() {
		m, err := Scan(bytes.NewReader(in), 0)
		if err != nil {
			b.Fatal(err)
		}
		msgs += len(m)
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(msgs), "B/msg")
	b.ReportMetric(float64(msgs)/float64(b.N), "msgs/op")
}
