package server_test

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"p9mail/testenv"
	"p9mail/upasfs"
	"p9mail/upasfs/server"
)

// Benchmark mail roots are generated once per size and removed at exit.
var (
	benchMu    sync.Mutex
	benchRoots = map[int]string{}
	benchDirs  []string
)

func cleanupBench() {
	for _, d := range benchDirs {
		os.RemoveAll(d)
	}
}

// benchRoot returns a mail root whose user glenda has an mbox of n
// generated messages, and the mbox size.
func benchRoot(b *testing.B, n int) (string, int64) {
	benchMu.Lock()
	defer benchMu.Unlock()
	root := benchRoots[n]
	if root == "" {
		dir, err := os.MkdirTemp("", "p9bench")
		if err != nil {
			b.Fatal(err)
		}
		benchDirs = append(benchDirs, dir)
		box := filepath.Join(dir, "box", "glenda")
		if err := os.MkdirAll(box, 0700); err != nil {
			b.Fatal(err)
		}
		f, err := os.Create(filepath.Join(box, "mbox"))
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		if _, err := testenv.WriteMbox(w, 1, n); err != nil {
			b.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		f.Close()
		root = dir
		benchRoots[n] = root
	}
	st, err := os.Stat(filepath.Join(root, "box", "glenda", "mbox"))
	if err != nil {
		b.Fatal(err)
	}
	return root, st.Size()
}

// BenchmarkOpen100k opens a 100,000-message mbox through 9P: the ctl
// open parses the whole file (scan + digests). It reports MB/s, the
// heap kept per message and the process's peak RSS.
func BenchmarkOpen100k(b *testing.B) {
	const n = 100000
	root, size := benchRoot(b, n)
	emu := testenv.StartEmulator(b, root, server.Config{NoOpen: true})
	// Every open parses the file: no parse is kept between them.
	emu.Server.Store().IdleBoxes = 0
	fs := emu.Mount(b, "glenda", "")
	c := upasfs.New(fs, "")
	clearPeakRSS()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := c.Open("mbox", "mbox"); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if i == 0 {
			nums, err := c.List("mbox")
			if err != nil || len(nums) != n {
				b.Fatalf("listed %d messages, want %d (%v)", len(nums), n, err)
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
		}
		if err := c.Close("mbox"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heapB/msg")
	b.ReportMetric(float64(peakRSS())/(1<<20), "peakRSS-MB")
}

// BenchmarkRestart100k opens a 100,000-message mbox through 9P in an
// emulator just started, as after a restart: "cold" without an index
// (the whole file is scanned), "index" with the index an earlier
// emulator left (nothing is scanned). It reports the heap kept per
// message and the process's peak RSS.
func BenchmarkRestart100k(b *testing.B) {
	const n = 100000
	root, size := benchRoot(b, n)
	idx := b.TempDir()
	for _, c := range []struct {
		name  string
		index string
	}{{"cold", ""}, {"index", idx}} {
		b.Run(c.name, func(b *testing.B) {
			if c.index != "" {
				// The emulator before the restart, which writes the index.
				emu := testenv.StartEmulator(b, root, server.Config{NoOpen: true, Index: c.index})
				if err := upasfs.New(emu.Pipe(b, "glenda", ""), "").Open("mbox", "mbox"); err != nil {
					b.Fatal(err)
				}
			}
			var heap uint64
			clearPeakRSS()
			b.SetBytes(size)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				emu := testenv.StartEmulator(b, root, server.Config{NoOpen: true, Index: c.index})
				fs := emu.Pipe(b, "glenda", "")
				cl := upasfs.New(fs, "")
				b.StartTimer()
				if err := cl.Open("mbox", "mbox"); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if nums, err := cl.List("mbox"); err != nil || len(nums) != n {
					b.Fatalf("listed %d messages, want %d (%v)", len(nums), n, err)
				}
				if got := emu.Server.Store().ScannedBytes(); c.index != "" && got != 0 {
					b.Fatalf("the restart scanned %d bytes", got)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				heap = after.HeapAlloc - before.HeapAlloc
				if err := cl.Close("mbox"); err != nil {
					b.Fatal(err)
				}
				fs.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(heap)/n, "heapB/msg")
			b.ReportMetric(float64(peakRSS())/(1<<20), "peakRSS-MB")
		})
	}
}

// BenchmarkReadRaw reads every message's raw file through 9P over a
// unix socket, 16 requests in flight; BenchmarkFileCopy reads the same
// mbox as a plain file, for the ratio.
func BenchmarkReadRaw(b *testing.B) {
	const n = 20000
	root, size := benchRoot(b, n)
	emu := testenv.StartEmulator(b, root, server.Config{})
	c := upasfs.New(emu.Mount(b, "glenda", ""), "")
	nums, err := c.List("mbox")
	if err != nil || len(nums) != n {
		b.Fatalf("listed %d, %v", len(nums), err)
	}
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		raws, err := c.ReadFiles("mbox", nums, upasfs.FileRaw)
		if err != nil {
			b.Fatal(err)
		}
		if len(raws) != n || raws[n-1] == nil {
			b.Fatal("short read")
		}
	}
}

func BenchmarkFileCopy(b *testing.B) {
	root, size := benchRoot(b, 20000)
	b.SetBytes(size)
	for i := 0; i < b.N; i++ {
		f, err := os.Open(filepath.Join(root, "box", "glenda", "mbox"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, struct{ io.Reader }{f}); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

// BenchmarkSmallFile reads one small file (a message's rawheader) per
// iteration, one request at a time, over the in-process pipe the front
// ends use by default: the cost of a walk, open, read and clunk.
func BenchmarkSmallFile(b *testing.B) {
	const n = 1000
	root, _ := benchRoot(b, n)
	emu := testenv.StartEmulator(b, root, server.Config{})
	c := upasfs.New(emu.Pipe(b, "glenda", ""), "")
	if err := c.Open("mbox", "mbox"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.ReadFile("mbox", 1+i%n, nil, upasfs.FileRawHeader); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkList lists a 10,000-message mailbox over the in-process
// pipe, as every SELECT does.
func BenchmarkList(b *testing.B) {
	const n = 10000
	root, _ := benchRoot(b, n)
	emu := testenv.StartEmulator(b, root, server.Config{})
	c := upasfs.New(emu.Pipe(b, "glenda", ""), "")
	b.ReportAllocs()
	for b.Loop() {
		if nums, err := c.List("mbox"); err != nil || len(nums) != n {
			b.Fatalf("listed %d, %v", len(nums), err)
		}
	}
}

// BenchmarkInfoAll reads the info file of every message of a
// 20,000-message mailbox, as imap4d does at SELECT (spec §2.6).
func BenchmarkInfoAll(b *testing.B) {
	const n = 20000
	root, _ := benchRoot(b, n)
	emu := testenv.StartEmulator(b, root, server.Config{})
	c := upasfs.New(emu.Mount(b, "glenda", ""), "")
	nums, err := c.List("mbox")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Infos("mbox", nums); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/msg")
}

// clearPeakRSS resets the kernel's peak RSS of this process (Linux).
func clearPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS returns VmHWM in bytes, or 0 where it is not known.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}
