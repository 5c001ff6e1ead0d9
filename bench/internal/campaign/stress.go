//go:build unix

package campaign

import (
	"bytes"
	"crypto/sha1"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"p9mail/testenv"
)

// StressConfig sizes a stress run.
type StressConfig struct {
	Clients  int
	Duration time.Duration
	Boxes    int // 1: every client on INBOX; n: client i on box<i%n>
	Messages int // messages generated into each mailbox at the start
	Seed     uint64
	FS       bool // imap4d -fs on a upasfs process, instead of embedded
	Bin      *Bin
	Dir      string
	Log      io.Writer
	// Tamper, if not nil, may change each untagged response before the
	// client checks it: tests break the server's answers there to see
	// the checks fail.
	Tamper func(r *Resp)
	// Settle is how long to wait after the load for each server's RSS
	// to come within RSSSlack (default rssSlack) of its baseline: the
	// Go runtime collects an idle heap only every 2 minutes and returns
	// memory to the system gradually.
	Settle   time.Duration
	RSSSlack int64
	// GCTrace runs the servers with GODEBUG=gctrace=1 and reads their
	// live heap after each collection (ProcStats.Heap*); with Settle,
	// RunStress waits for a collection after the load.
	GCTrace bool
}

// StressResult is what a stress run saw.
type StressResult struct {
	Ops       map[string]int64 // commands answered OK, by verb
	AllowedNO map[string]int64 // tagged NO the checks allow (RFC 2180), by text
	Errors    []string         // broken invariants and unexpected replies
	Known     []string         // findings explained by KnownAppendUID
	// The server processes' RSS (bytes) and open descriptors before
	// the clients, at their peak, and after they all logged out.
	Mem     []ProcStats
	Elapsed time.Duration
}

// ProcStats are one process's figures.
type ProcStats struct {
	Name                       string
	RSSBase, RSSPeak, RSSAfter int64
	FDBase, FDPeak, FDAfter    int
	FDAllow                    int           // descriptors allowed above FDBase after the load
	Settled                    time.Duration // how long RSSAfter was waited for
	LogTail                    string        // the last lines of its standard error
	// The live heap (GCTrace) at the last collection before the load,
	// the largest during it, and at the first one after it; -1: none.
	HeapBase, HeapPeak, HeapAfter int64
	Extra                         []string // what the descriptors were, if more than allowed
}

// KnownAppendUID names the open bug that an APPEND outside a selected
// mailbox while another session expunges can make APPENDUID name a
// wrong UID, so that a UID's body seems to change.
const KnownAppendUID = "appenduid-vs-expunge"

// Report prints the result.
func (r *StressResult) Report(w io.Writer) {
	fmt.Fprintf(w, "%v of load\n", r.Elapsed.Round(time.Second))
	var verbs []string
	for v := range r.Ops {
		verbs = append(verbs, v)
	}
	sort.Strings(verbs)
	for _, v := range verbs {
		fmt.Fprintf(w, "  %-8s %8d\n", v, r.Ops[v])
	}
	for t, n := range r.AllowedNO {
		fmt.Fprintf(w, "  allowed NO %d: %s\n", n, t)
	}
	for _, m := range r.Mem {
		fmt.Fprintf(w, "%s: RSS %.1f MiB before, %.1f peak, %.1f after (%v later); fds %d before, %d peak, %d after (%d allowed)\n",
			m.Name, mib(m.RSSBase), mib(m.RSSPeak), mib(m.RSSAfter), m.Settled.Round(time.Second), m.FDBase, m.FDPeak, m.FDAfter, m.FDBase+m.FDAllow)
		if m.HeapBase >= 0 || m.HeapAfter >= 0 {
			fmt.Fprintf(w, "  %s live heap: %.0f MiB before, %.0f peak, %.0f after (-1: no collection then)\n",
				m.Name, mibOr(m.HeapBase), mibOr(m.HeapPeak), mibOr(m.HeapAfter))
		}
		if m.Extra != nil {
			fmt.Fprintf(w, "  %s's descriptors: %s\n", m.Name, strings.Join(m.Extra, " "))
		}
	}
	fmt.Fprintf(w, "%d errors, %d known (%s)\n", len(r.Errors), len(r.Known), KnownAppendUID)
	// Errors by kind (numbers blanked), each with its first instance.
	kinds := map[string]int{}
	first := map[string]string{}
	for _, e := range r.Errors {
		k := digits.ReplaceAllString(e, "N")
		if kinds[k]++; kinds[k] == 1 {
			first[k] = e
		}
	}
	for k, n := range kinds {
		fmt.Fprintf(w, "%d x %s\n", n, first[k])
	}
	for i, e := range r.Known {
		if i == 5 {
			break
		}
		fmt.Fprintln(w, "known:", e)
	}
}

var digits = regexp.MustCompile(`[0-9]+`)

func mibOr(n int64) float64 {
	if n < 0 {
		return -1
	}
	return mib(n)
}

// collectedSince reports whether p collected garbage after t.
func collectedSince(p *Proc, t time.Time) bool {
	h := p.Heap()
	return len(h) > 0 && h[len(h)-1].At.After(t)
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// A stress is the state the clients share: what each UID's body is.
type stress struct {
	cfg    StressConfig
	mu     sync.Mutex
	bodies map[string][20]byte // box/uidvalidity/uid -> SHA-1 of BODY[]
	fromAp map[string]bool     // keys that an APPENDUID set
	valid  map[string]int64    // box -> UIDVALIDITY
	res    *StressResult
}

func (s *stress) errorf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.res.Errors) < 1000 {
		s.res.Errors = append(s.res.Errors, fmt.Sprintf(format, args...))
	}
}

func (s *stress) op(verb string) {
	s.mu.Lock()
	s.res.Ops[verb]++
	s.mu.Unlock()
}

// body checks (or records) the SHA-1 of a UID's body; appended says it
// comes from APPENDUID.
func (s *stress) body(box string, validity, uid int64, sum [20]byte, appended bool) {
	key := fmt.Sprintf("%s/%d/%d", box, validity, uid)
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.bodies[key]
	if !ok {
		s.bodies[key] = sum
		s.fromAp[key] = appended
		return
	}
	if old != sum {
		msg := fmt.Sprintf("%s UID %d: body changed (%x, was %x)", box, uid, sum[:4], old[:4])
		if appended || s.fromAp[key] {
			s.res.Known = append(s.res.Known, msg+" [an APPENDUID named it]")
			return
		}
		s.res.Errors = append(s.res.Errors, msg)
	}
}

// RunStress starts imap4d over generated mailboxes, runs cfg.Clients
// checking clients for cfg.Duration, and measures the servers before,
// during and after.
func RunStress(cfg StressConfig) (*StressResult, error) {
	root := filepath.Join(cfg.Dir, "root")
	keys := filepath.Join(cfg.Dir, "keys")
	dir := filepath.Join(root, "box", "glenda")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(keys, "glenda"), 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(keys, "glenda", "secret"), []byte("pw"), 0o600); err != nil {
		return nil, err
	}
	names := boxNames(cfg.Boxes)
	for i, name := range names {
		file := name
		if name == "INBOX" {
			file = "mbox"
		}
		var b bytes.Buffer
		if _, err := testenv.WriteMbox(&b, int64(cfg.Seed)+int64(i), cfg.Messages); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, file), b.Bytes(), 0o600); err != nil {
			return nil, err
		}
	}
	var procs []*Proc
	defer func() {
		for _, p := range procs {
			p.Kill()
		}
	}()
	if cfg.RSSSlack == 0 {
		cfg.RSSSlack = rssSlack
	}
	// A client that reconnects may find its last connection not yet
	// counted out (-maxconns, default 200 a listener).
	args := []string{"-p", "-l", "127.0.0.1:0", "-keys", keys, "-maxconns", fmt.Sprint(2*cfg.Clients + 10)}
	var env []string
	if cfg.GCTrace {
		env = []string{"GODEBUG=gctrace=1"}
	}
	if cfg.FS {
		sock := filepath.Join(cfg.Dir, "fs.sock")
		p, err := StartEnv("upasfs", cfg.Bin.UpasFS, []string{"-l", "unix!" + sock, "-root", root, "-index", filepath.Join(cfg.Dir, "index", "upasfs")}, env, false, sock)
		if err != nil {
			return nil, err
		}
		procs = append(procs, p)
		args = append(args, "-fs", "unix!"+sock)
	} else {
		args = append(args, "-root", root)
	}
	args = append(args, "-index", filepath.Join(cfg.Dir, "index"))
	p, err := StartEnv("imap4d", cfg.Bin.IMAP4d, args, env, true, "")
	if err != nil {
		return nil, err
	}
	procs = append(procs, p)
	addr := p.Addr
	s := &stress{cfg: cfg, bodies: map[string][20]byte{}, fromAp: map[string]bool{}, valid: map[string]int64{},
		res: &StressResult{Ops: map[string]int64{}, AllowedNO: map[string]int64{}}}
	// One warm-up session per mailbox reads everything once, so that
	// the baseline includes what the server caches for the mailboxes.
	for _, name := range names {
		c := &client{s: s, addr: addr, box: name, rng: rand.New(rand.NewPCG(cfg.Seed, 99)), local: loopback(0)}
		if err := c.connect(false); err != nil {
			return nil, fmt.Errorf("warm-up: %w", err)
		}
		c.cmd("FETCH", "FETCH 1:* (UID BODY.PEEK[])")
		c.logout()
	}
	s.res.Errors = nil
	stats := make([]ProcStats, len(procs))
	for i, p := range procs {
		stats[i].Name = p.Name
		stats[i].FDAllow = fdSlack
		if p.Name == "upasfs" || !cfg.FS {
			// The emulator keeps the open file of each of the 64 most
			// recently released mailboxes (docs/upasfs.md).
			stats[i].FDAllow += min(len(names), 64)
		}
		if p.Name == "imap4d" {
			// imap4d keeps the index file of each of the 256 mailboxes
			// it used last (protocol/index, -index).
			stats[i].FDAllow += min(len(names), 256)
		}
		stats[i].RSSBase, _ = RSS(p.Pid())
		stats[i].FDBase, _ = FDs(p.Pid())
	}
	stop := make(chan struct{})
	var sampled sync.WaitGroup
	sampled.Add(1)
	go func() {
		defer sampled.Done()
		for {
			for i, p := range procs {
				r, _ := RSS(p.Pid())
				f, _ := FDs(p.Pid())
				stats[i].RSSPeak = max(stats[i].RSSPeak, r)
				stats[i].FDPeak = max(stats[i].FDPeak, f)
			}
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	var wg sync.WaitGroup
	var running atomic.Int64
	for i := 0; i < cfg.Clients; i++ {
		wg.Add(1)
		running.Add(1)
		go func(i int) {
			defer wg.Done()
			defer running.Add(-1)
			c := &client{s: s, addr: addr, box: names[i%len(names)], id: i,
				rng: rand.New(rand.NewPCG(cfg.Seed, uint64(i))), local: loopback(i)}
			c.run(deadline)
		}(i)
	}
	wg.Wait()
	s.res.Elapsed = time.Since(start)
	end := time.Now()
	close(stop)
	sampled.Wait()
	// Sessions end asynchronously in the server: give it up to 20 s to
	// close their descriptors, then read its memory.
	for i, p := range procs {
		for t := 0; t < 100; t++ {
			stats[i].FDAfter, _ = FDs(p.Pid())
			if stats[i].FDAfter <= stats[i].FDBase+stats[i].FDAllow {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if stats[i].FDAfter > stats[i].FDBase+stats[i].FDAllow {
			stats[i].Extra = fdNames(p.Pid())
		}
		stats[i].RSSAfter, _ = RSS(p.Pid())
		for t0 := time.Now(); stats[i].RSSAfter > stats[i].RSSBase+cfg.RSSSlack && time.Since(t0) < cfg.Settle; {
			time.Sleep(time.Second)
			stats[i].RSSAfter, _ = RSS(p.Pid())
			stats[i].Settled = time.Since(t0)
		}
		stats[i].LogTail = p.log.String()
		stats[i].HeapBase, stats[i].HeapPeak, stats[i].HeapAfter = -1, -1, -1
		if cfg.GCTrace {
			for t0 := time.Now(); time.Since(t0) < cfg.Settle && !collectedSince(p, end); {
				time.Sleep(time.Second)
			}
			for _, h := range p.Heap() {
				switch {
				case h.At.Before(start):
					stats[i].HeapBase = h.Live
				case h.At.Before(end):
					stats[i].HeapPeak = max(stats[i].HeapPeak, h.Live)
				case stats[i].HeapAfter < 0:
					stats[i].HeapAfter = h.Live
				}
			}
		}
		if !p.Alive() {
			s.errorf("%s died: %s", p.Name, p.log)
		}
	}
	s.res.Mem = stats
	return s.res, nil
}

// loopback spreads clients over 127.0.0.1 to 127.0.0.254, so that no
// address reaches the server's per-address connection cap.
func loopback(i int) net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+i%254))}
}

func boxNames(n int) []string {
	if n <= 1 {
		return []string{"INBOX"}
	}
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("box%d", i)
	}
	return names
}

// sum is the SHA-1 of b.
func sum(b []byte) [20]byte { return sha1.Sum(b) }

// The tolerances of the return to baseline: descriptors must all be
// closed but for fdSlack and those of the emulator's idle mailboxes
// (ProcStats.FDAllow); RSS may stay up by rssSlack, because the Go
// runtime returns freed memory to the system only gradually and the
// server keeps, for the life of the process, what each new message's
// digest fixes (docs/servers.md).
const (
	fdSlack  = 4
	rssSlack = 64 << 20
)

// fdNames lists what a process's descriptors are open on.
func fdNames(pid int) []string {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range ents {
		if l, err := os.Readlink(filepath.Join(dir, e.Name())); err == nil {
			names = append(names, l)
		}
	}
	sort.Strings(names)
	return names
}
