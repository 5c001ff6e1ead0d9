package loadkit

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"sync"
	"time"
)

// TreeMem returns the resident memory, in bytes, of process pid and its
// descendants: the sums of their VmRSS and of RssAnon, the part that is
// not file pages (proc(5)). A process that vanishes meanwhile counts 0.
func TreeMem(pid int) (rss, anon int64, err error) {
	procs, err := readProcs()
	if err != nil {
		return 0, 0, err
	}
	children := map[int][]int{}
	for p, st := range procs {
		children[st.ppid] = append(children[st.ppid], p)
	}
	todo := []int{pid}
	for len(todo) > 0 {
		p := todo[len(todo)-1]
		todo = append(todo[:len(todo)-1], children[p]...)
		r, a := procMem(p)
		rss += r
		anon += a
	}
	return rss, anon, nil
}

// procMem reads VmRSS and RssAnon of /proc/<pid>/status, in bytes.
func procMem(pid int) (rss, anon int64) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) < 2 {
			continue
		}
		kb, err := strconv.ParseInt(string(f[1]), 10, 64)
		if err != nil {
			continue
		}
		switch string(f[0]) {
		case "VmRSS:":
			rss = kb << 10
		case "RssAnon:":
			anon = kb << 10
		}
	}
	return rss, anon
}

// WatchMem samples TreeMem(pid) every interval until stop, which
// returns the peaks seen (the tree's sums, sampled together).
func WatchMem(pid int, interval time.Duration) (stop func() (peakRSS, peakAnon int64)) {
	var mu sync.Mutex
	var pr, pa int64
	sample := func() {
		r, a, err := TreeMem(pid)
		if err != nil {
			return
		}
		mu.Lock()
		pr, pa = max(pr, r), max(pa, a)
		mu.Unlock()
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			sample()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() (int64, int64) {
		close(done)
		<-finished
		sample()
		mu.Lock()
		defer mu.Unlock()
		return pr, pa
	}
}
