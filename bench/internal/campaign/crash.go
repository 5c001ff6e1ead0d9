//go:build unix

package campaign

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// CrashConfig sizes a crash campaign.
type CrashConfig struct {
	Trials int
	Seed   uint64
	Bin    *Bin
	Dir    string        // work directory: the mail root goes there
	Window time.Duration // kills fall uniformly in [0, Window) after the clients are ready
	// MDAPlan9 makes the delivery agent take Plan 9's L.mbox as well
	// as the Unix locks (mbox.Append); by default it takes only the
	// dotlock and fcntl lock, as procmail does.
	MDAPlan9 bool
	// MDARace adds APPENDs to the DELIVER phase's IMAP session; they
	// race with an agent that does not take L.mbox (KnownMDARace).
	MDARace bool
	Phases  []string // the phases to draw from; default all
	// Mutate, if not nil, is called with the mail directory after each
	// trial's kill: tests break an invariant there to see it caught.
	Mutate func(trial int, dir string) error
	Log    io.Writer // progress, if not nil
}

// A Finding is one broken invariant, found after a trial.
type Finding struct {
	Trial         int
	Phase, Mode   string
	Victim, Error string
	Known         string // the known bug that explains it, if any
}

// CrashResult is what a campaign saw.
type CrashResult struct {
	Trials   int
	Kills    map[string]map[string]int // phase -> victim -> kills
	Acked    map[string]int            // phase -> operations acknowledged
	Findings []Finding
	Elapsed  time.Duration
}

// Report prints the kills per phase and the findings.
func (r *CrashResult) Report(w io.Writer) {
	fmt.Fprintf(w, "%d trials in %v\n", r.Trials, r.Elapsed.Round(time.Second))
	fmt.Fprintf(w, "%-10s %6s %8s  %s\n", "phase", "kills", "acked", "victims")
	for _, p := range Phases {
		var vs []string
		total := 0
		for v, n := range r.Kills[p] {
			vs = append(vs, fmt.Sprintf("%s %d", v, n))
			total += n
		}
		sort.Strings(vs)
		fmt.Fprintf(w, "%-10s %6d %8d  %s\n", p, total, r.Acked[p], strings.Join(vs, ", "))
	}
	fmt.Fprintf(w, "%d findings\n", len(r.Findings))
	for _, f := range r.Findings {
		fmt.Fprintf(w, "trial %d %s %s killed %s: %s%s\n", f.Trial, f.Phase, f.Mode, f.Victim, f.Error, knownNote(f.Known))
	}
}

func knownNote(known string) string {
	if known == "" {
		return ""
	}
	return " [known: " + known + "]"
}

// A crasher runs trials on one mail root.
type crasher struct {
	cfg  CrashConfig
	rng  *rand.Rand
	root string
	keys string
	dir  string // glenda's mail directory
	m    *model
	res  *CrashResult
	fill int
	prev Finding // the trial now running
}

// RunCrash runs cfg.Trials trials. Each starts the servers in one of
// two modes (imap4d and pop3 on a upasfs process over a unix socket,
// or each with its embedded emulator), checks the mailboxes against
// what earlier trials' clients were told, runs a phase's clients and
// kills one process with SIGKILL at a random moment, then everything
// else. A last start checks the last trial.
func RunCrash(cfg CrashConfig) (*CrashResult, error) {
	if cfg.Window == 0 {
		cfg.Window = 60 * time.Millisecond
	}
	if len(cfg.Phases) == 0 {
		cfg.Phases = Phases
	}
	k := &crasher{
		cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 1)),
		root: filepath.Join(cfg.Dir, "root"), keys: filepath.Join(cfg.Dir, "keys"),
		m:   newModel(),
		res: &CrashResult{Kills: map[string]map[string]int{}, Acked: map[string]int{}},
	}
	k.dir = filepath.Join(k.root, "box", "glenda")
	if err := k.setup(); err != nil {
		return nil, err
	}
	start := time.Now()
	for t := 0; t <= cfg.Trials; t++ {
		if err := k.trial(t); err != nil {
			return k.res, fmt.Errorf("trial %d: %w", t, err)
		}
	}
	k.res.Trials = cfg.Trials
	k.res.Elapsed = time.Since(start)
	return k.res, nil
}

func (k *crasher) setup() error {
	if err := os.MkdirAll(k.dir, 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(k.keys, "glenda"), 0o700); err != nil {
		return err
	}
	if err := os.Chmod(k.keys, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(k.keys, "glenda", "secret"), []byte("pw"), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(k.dir, "saved"), nil, 0o600); err != nil {
		return err
	}
	return k.refill()
}

// refill delivers messages while no server runs, so that INBOX keeps
// at least 15.
func (k *crasher) refill() error {
	if n := len(k.m.want["INBOX"]); n >= 15 {
		return nil
	}
	for range 25 {
		k.fill++
		id := fmt.Sprintf("fill-%d@campaign", k.fill)
		if err := Deliver(filepath.Join(k.dir, "mbox"), id, true, 10*time.Second); err != nil {
			return err
		}
		k.m.set("INBOX", id, 1, 1)
	}
	return nil
}

// servers are one trial's processes.
type servers struct {
	upasfs, imap, pop3 *Proc
}

func (s *servers) all() []*Proc {
	var ps []*Proc
	for _, p := range []*Proc{s.upasfs, s.imap, s.pop3} {
		if p != nil {
			ps = append(ps, p)
		}
	}
	return ps
}

func (s *servers) killAll() {
	for _, p := range s.all() {
		p.Kill()
	}
}

// start starts the servers of mode ("fs" or "embedded"), pop3 only if
// asked.
func (k *crasher) start(mode string, pop bool, sock string) (*servers, error) {
	s := &servers{}
	// The indexes live beside the mail root and outlive the kills, so
	// the trials crash their writes too.
	index := filepath.Join(filepath.Dir(k.root), "index")
	common := []string{"-p", "-l", "127.0.0.1:0", "-keys", k.keys, "-maxperaddr", "0", "-index", index}
	src := []string{"-root", k.root}
	if mode == "fs" {
		os.Remove(sock)
		p, err := Start("upasfs", k.cfg.Bin.UpasFS, []string{"-l", "unix!" + sock, "-root", k.root, "-index", filepath.Join(index, "upasfs")}, false, sock)
		if err != nil {
			return nil, err
		}
		s.upasfs = p
		src = []string{"-fs", "unix!" + sock}
	}
	p, err := Start("imap4d", k.cfg.Bin.IMAP4d, append(common, src...), true, "")
	if err != nil {
		s.killAll()
		return nil, err
	}
	s.imap = p
	if pop {
		p, err := Start("pop3", k.cfg.Bin.POP3, append(common, src...), true, "")
		if err != nil {
			s.killAll()
			return nil, err
		}
		s.pop3 = p
	}
	return s, nil
}

// trial t checks the previous trial's outcome, then (unless t is the
// last) runs one crash.
func (k *crasher) trial(t int) error {
	mode := []string{"fs", "embedded"}[t%2]
	phase := k.cfg.Phases[k.rng.IntN(len(k.cfg.Phases))]
	last := t == k.cfg.Trials
	sock := filepath.Join(k.cfg.Dir, "fs.sock")
	s, err := k.start(mode, !last && phase == PhaseDele, sock)
	if err != nil {
		return err
	}
	defer s.killAll()
	snap, err := snapshot(s.imap.Addr)
	if err != nil {
		return fmt.Errorf("check after the kill: %w", err)
	}
	if t > 0 {
		for _, e := range k.m.check(k.dir, snap) {
			k.finding(t-1, e.text, e.known)
		}
	} else {
		k.m.check(k.dir, snap)
	}
	k.prev = Finding{Trial: t, Phase: phase, Mode: mode}
	if last {
		return nil
	}
	killed := &atomic.Bool{}
	w := &work{race: k.cfg.MDARace, m: k.m, snap: snap, rng: rand.New(rand.NewPCG(k.rng.Uint64(), 2)), killed: killed, trial: t, ready: make(chan struct{})}
	victims := map[string]*Proc{"imap4d": s.imap}
	if phase == PhaseDele {
		victims = map[string]*Proc{"pop3": s.pop3}
	}
	if s.upasfs != nil {
		victims["upasfs"] = s.upasfs
	}
	done := make(chan struct{})
	var mda *mdaRun
	switch phase {
	case PhaseDele:
		go func() { defer close(done); w.runPOP3(s.pop3.Addr) }()
	case PhaseDeliver:
		mda, err = k.startMDA(w, t)
		if err != nil {
			return err
		}
		victims["mda"] = mda.proc
		go func() { defer close(done); w.runIMAP(s.imap.Addr, PhaseDeliver) }()
	default:
		go func() { defer close(done); w.runIMAP(s.imap.Addr, phase) }()
	}
	names := make([]string, 0, len(victims))
	for n := range victims {
		names = append(names, n)
	}
	sort.Strings(names)
	victim := names[k.rng.IntN(len(names))]
	k.prev.Victim = victim
	select {
	case <-w.ready:
	case <-time.After(20 * time.Second):
		return fmt.Errorf("%s clients not ready", phase)
	}
	time.Sleep(time.Duration(k.rng.Int64N(int64(k.cfg.Window))))
	killed.Store(true)
	victims[victim].Kill()
	if k.res.Kills[phase] == nil {
		k.res.Kills[phase] = map[string]int{}
	}
	k.res.Kills[phase][victim]++
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		return fmt.Errorf("%s clients did not end after the kill", phase)
	}
	if mda != nil {
		mda.wait(victim == "mda")
	}
	s.killAll()
	k.m.impState = impState(k.dir)
	if k.cfg.Mutate != nil {
		if err := k.cfg.Mutate(t, k.dir); err != nil {
			return err
		}
	}
	w.mu.Lock()
	k.res.Acked[phase] += w.acked
	for _, e := range w.errs {
		k.finding(t, e, "")
	}
	w.mu.Unlock()
	if k.cfg.Log != nil && (t+1)%50 == 0 {
		fmt.Fprintf(k.cfg.Log, "%d trials, %d findings\n", t+1, len(k.res.Findings))
	}
	return k.refill()
}

func (k *crasher) finding(t int, e, known string) {
	f := k.prev
	f.Trial, f.Error, f.Known = t, e, known
	k.res.Findings = append(k.res.Findings, f)
	if k.cfg.Log != nil {
		fmt.Fprintf(k.cfg.Log, "trial %d %s %s killed %s: %s%s\n", t, f.Phase, f.Mode, f.Victim, e, knownNote(known))
	}
}

// An mdaRun is a delivery agent process of a DELIVER trial.
type mdaRun struct {
	proc *Proc
	w    *work
	n    int
	gone chan struct{}
}

// startMDA starts bench/mda delivering 30 messages to INBOX; the model
// learns each as it is reported delivered.
func (k *crasher) startMDA(w *work, t int) (*mdaRun, error) {
	r := &mdaRun{w: w, n: 30, gone: make(chan struct{})}
	args := []string{"-mbox", filepath.Join(k.dir, "mbox"), "-prefix", fmt.Sprintf("d%d", t), "-n", fmt.Sprint(r.n), "-pause", "1ms"}
	if k.cfg.MDAPlan9 {
		args = append(args, "-plan9")
	}
	w.mu.Lock()
	for i := 1; i <= r.n; i++ {
		w.m.set("INBOX", fmt.Sprintf("d%d-%d@mda", t, i), 0, 1)
	}
	w.mu.Unlock()
	cmd := exec.Command(k.cfg.Bin.MDA, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p, err := startCmd("mda", cmd)
	if err != nil {
		return nil, err
	}
	r.proc = p
	go func() {
		defer close(r.gone)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if id, ok := strings.CutPrefix(sc.Text(), "delivered "); ok {
				w.mu.Lock()
				w.m.set("INBOX", id, 1, 1)
				w.acked++
				w.mu.Unlock()
			}
		}
	}()
	return r, nil
}

// wait waits for the agent to finish (or, killed, for its output to
// end); messages it never reached cannot be in the mailbox.
func (r *mdaRun) wait(killed bool) {
	select {
	case <-r.gone:
	case <-time.After(30 * time.Second):
		r.proc.Kill()
		<-r.gone
	}
	r.proc.Kill()
}

// impState describes the .imp files as a kill left them, for reports.
func impState(dir string) map[string]string {
	st := map[string]string{}
	for _, b := range boxes {
		data, err := os.ReadFile(filepath.Join(dir, b.File+".imp"))
		switch {
		case err != nil:
			st[b.Name] = err.Error()
		case !strings.HasPrefix(string(data), "imap internal mailbox description\n"):
			st[b.Name] = fmt.Sprintf("%d bytes, no magic line: %q", len(data), head(data))
		case !strings.HasSuffix(string(data), "\n"):
			st[b.Name] = fmt.Sprintf("%d bytes, torn: no final line break", len(data))
		default:
			st[b.Name] = fmt.Sprintf("%d bytes, %d lines", len(data), strings.Count(string(data), "\n"))
		}
	}
	return st
}
