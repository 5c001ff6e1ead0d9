//go:build unix

package campaign

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The phases of the crash campaign: the operation a trial repeats
// until its victim is killed.
const (
	PhaseAppend  = "APPEND"
	PhaseCopy    = "COPY"
	PhaseMove    = "MOVE"
	PhaseExpunge = "EXPUNGE"
	PhaseStore   = "STORE"
	PhaseDele    = "DELE+QUIT"
	PhaseDeliver = "DELIVER"
)

// Phases lists them in report order.
var Phases = []string{PhaseAppend, PhaseCopy, PhaseMove, PhaseExpunge, PhaseStore, PhaseDele, PhaseDeliver}

// A work is one trial's client activity: it updates the model before
// each operation (what may happen) and after its acknowledgment (what
// did), under mu.
type work struct {
	race   bool // DELIVER: APPEND as well as EXPUNGE (see CrashConfig.MDARace)
	mu     sync.Mutex
	m      *model
	snap   map[string]*boxSnap
	rng    *rand.Rand
	killed *atomic.Bool
	trial  int
	acked  int
	ready  chan struct{}
	once   sync.Once
	errs   []string // unexpected replies before the kill
	inbox  []msgRef // INBOX messages this trial may still pick
}

func (w *work) setReady() { w.once.Do(func() { close(w.ready) }) }

// unexpected records a refusal that no kill explains.
func (w *work) unexpected(what string, st Status, err error) {
	if err == nil && !w.killed.Load() {
		w.mu.Lock()
		w.errs = append(w.errs, fmt.Sprintf("%s: %s before any kill", what, st))
		w.mu.Unlock()
	}
}

// pick removes and returns a random INBOX message not in saved, or
// false.
func (w *work) pick(notSaved bool) (msgRef, bool) {
	for len(w.inbox) > 0 {
		i := w.rng.IntN(len(w.inbox))
		r := w.inbox[i]
		w.inbox = append(w.inbox[:i], w.inbox[i+1:]...)
		if r.id == "" {
			continue
		}
		if notSaved && w.m.want["saved"][r.id].hi > 0 {
			continue
		}
		return r, true
	}
	return msgRef{}, false
}

// copyUID reads "COPYUID v src dst" for a single message.
func copyUID(code string) (int64, bool) {
	f := strings.Fields(code)
	if len(f) != 4 || f[0] != "COPYUID" {
		return 0, false
	}
	n, err := strconv.ParseInt(f[3], 10, 64)
	return n, err == nil
}

// runIMAP logs in and repeats the phase's operation until an error or
// a refusal, at most 500 times.
func (w *work) runIMAP(addr, phase string) {
	defer w.setReady()
	c, err := DialIMAP(addr, nil, 10*time.Second)
	if err != nil {
		return
	}
	defer c.Close()
	if c.Login("glenda", "pw") != nil {
		return
	}
	box := "INBOX"
	if phase == PhaseExpunge && len(w.snap["saved"].list) > 40 && w.rng.IntN(2) == 0 {
		box = "saved"
	}
	if phase != PhaseAppend {
		if st, err := c.Command("SELECT "+box, nil, nil); err != nil || st.Cond != "OK" {
			w.unexpected("SELECT", st, err)
			return
		}
	}
	w.inbox = append([]msgRef(nil), w.snap[box].list...)
	w.setReady()
	for i := 0; i < 500 && !w.killed.Load(); i++ {
		p := phase
		if phase == PhaseDeliver {
			// Expunges rewrite the file under the Unix locks while the
			// agent delivers; appends write it under L.mbox.
			p = []string{PhaseExpunge, PhaseStore}[w.rng.IntN(2)]
			if w.race && w.rng.IntN(2) == 0 {
				p = PhaseAppend
			}
		}
		if !w.step(c, p, box, i, phase == PhaseDeliver) {
			return
		}
	}
}

// step runs one operation; false ends the session.
func (w *work) step(c *IMAP, phase, box string, i int, inboxOnly bool) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	m := w.m
	var code string
	grab := func(r *Resp) error {
		if _, kind, rest := Untagged(r); kind == "OK" && code == "" {
			code = RespCode(string(rest))
		}
		return nil
	}
	// do sends a command without holding mu, so that the killer and
	// the checker never wait on the network.
	do := func(cmd string, lit []byte, on func(*Resp) error) (Status, error) {
		w.mu.Unlock()
		defer w.mu.Lock()
		return c.Command(cmd, lit, on)
	}
	switch phase {
	case PhaseAppend:
		to := "INBOX"
		if !inboxOnly && w.rng.IntN(4) == 0 {
			to = "saved"
		}
		id := fmt.Sprintf("a%d-%d@campaign", w.trial, i)
		m.set(to, id, 0, 1)
		st, err := do("APPEND "+to+" (\\Seen)", CRLF(Message(id)), nil)
		if err != nil || st.Cond != "OK" {
			w.unexpected("APPEND", st, err)
			return false
		}
		m.set(to, id, 1, 1)
		if f := strings.Fields(RespCode(st.Text)); len(f) == 3 && f[0] == "APPENDUID" {
			if u, err := strconv.ParseInt(f[2], 10, 64); err == nil {
				m.gaveUID[to][id] = u
			}
		}
	case PhaseCopy, PhaseMove:
		r, ok := w.pick(true)
		if !ok {
			_, err := do("NOOP", nil, nil)
			return err == nil
		}
		verb := "COPY"
		m.set("saved", r.id, 0, 1)
		if phase == PhaseMove {
			verb = "MOVE"
			m.set("INBOX", r.id, 0, 1)
			m.moving[r.id] = true
		}
		st, err := do(fmt.Sprintf("UID %s %d saved", verb, r.uid), nil, grab)
		if err != nil || st.Cond != "OK" {
			w.unexpected(verb, st, err)
			return false
		}
		if code == "" {
			code = RespCode(st.Text)
		}
		m.set("saved", r.id, 1, 1)
		if phase == PhaseMove {
			m.set("INBOX", r.id, 0, 0)
			delete(m.moving, r.id)
		}
		if u, ok := copyUID(code); ok {
			m.gaveUID["saved"][r.id] = u
		}
	case PhaseExpunge:
		r, ok := w.pick(false)
		if !ok {
			_, err := do("NOOP", nil, nil)
			return err == nil
		}
		st, err := do(fmt.Sprintf("UID STORE %d +FLAGS.SILENT (\\Deleted)", r.uid), nil, nil)
		if err != nil || st.Cond != "OK" {
			w.unexpected("STORE", st, err)
			return false
		}
		m.set(box, r.id, 0, 1)
		st, err = do(fmt.Sprintf("UID EXPUNGE %d", r.uid), nil, nil)
		if err != nil || st.Cond != "OK" {
			w.unexpected("UID EXPUNGE", st, err)
			return false
		}
		m.set(box, r.id, 0, 0)
	case PhaseStore:
		r, ok := w.pick(false)
		if !ok {
			w.inbox = append(w.inbox, w.snap[box].list...)
			return true
		}
		on := !m.flagged[box][r.id]
		op := "-FLAGS.SILENT"
		if on {
			op = "+FLAGS.SILENT"
		}
		m.unsure[box][r.id] = true
		st, err := do(fmt.Sprintf("UID STORE %d %s (\\Flagged)", r.uid, op), nil, nil)
		if err != nil || st.Cond != "OK" {
			w.unexpected("STORE", st, err)
			return false
		}
		m.flagged[box][r.id] = on
		delete(m.unsure[box], r.id)
	default:
		return false
	}
	w.acked++
	return true
}

// runPOP3 repeats sessions that delete one to three messages and QUIT,
// at most 100.
func (w *work) runPOP3(addr string) {
	defer w.setReady()
	for s := 0; s < 100 && !w.killed.Load(); s++ {
		c, err := DialPOP3(addr, 10*time.Second)
		if err != nil {
			return
		}
		ok := w.popSession(c)
		c.Close()
		if !ok {
			return
		}
	}
}

func (w *work) popSession(c *POP3) bool {
	if _, err := c.Cmd("USER glenda"); err != nil {
		return false
	}
	for try := 0; ; try++ {
		_, err := c.Cmd("PASS pw")
		if err == nil {
			break
		}
		// A killed session's maildrop lock is released when its
		// upasfs notices; wait for that.
		if !strings.Contains(err.Error(), "IN-USE") || try > 100 {
			w.unexpected("PASS", Status{Cond: "-ERR", Text: err.Error()}, nil)
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	w.setReady()
	line, err := c.Cmd("STAT")
	if err != nil {
		return false
	}
	var n int
	fmt.Sscanf(line, "+OK %d", &n)
	var ids []string
	chosen := map[int]bool{}
	for k := 1 + w.rng.IntN(3); k > 0 && n > 0; k-- {
		i := 1 + w.rng.IntN(n)
		if chosen[i] {
			continue
		}
		chosen[i] = true
		top, err := c.Multi(fmt.Sprintf("TOP %d 0", i))
		if err != nil {
			return false
		}
		mm := msgIDRE.FindSubmatch(top)
		if mm == nil {
			continue
		}
		if _, err := c.Cmd(fmt.Sprintf("DELE %d", i)); err != nil {
			return false
		}
		ids = append(ids, string(mm[1]))
	}
	w.mu.Lock()
	for _, id := range ids {
		w.m.set("INBOX", id, 0, 1)
	}
	w.mu.Unlock()
	if _, err := c.Cmd("QUIT"); err != nil {
		return false
	}
	w.mu.Lock()
	for _, id := range ids {
		w.m.set("INBOX", id, 0, 0)
	}
	w.acked++
	w.mu.Unlock()
	return true
}
