package auth

import (
	"context"
	"errors"
	"math"
	"net/netip"
	"sync"
	"time"
)

// A Throttle slows password guessing across all the sessions of a
// server (docs/servers.md, "Failed logins"). It counts failed logins
// per user name and per client address (an IPv6 address by its /64,
// which one subscriber usually holds whole), and makes every attempt
// wait out the penalty those counts give:
//
//   - a user's penalty: an attempt on a user whose nth failure was at t
//     is answered no earlier than t + Delay.Duration(n), right password
//     or not, so guessing from many connections or addresses at once
//     gains nothing over guessing in turn (the owner, who knows the
//     password, waits at most Delay.Max);
//   - an address's penalty: once an address has n failures, its
//     attempts take turns, Delay.Duration(n) apart, so one host cannot
//     run guesses in parallel either (only its first attempts, before
//     any failure, go at once: at most protocol.PerAddr's bound).
//
// An address's queue is bounded: while the answer to its last failure
// is more than Horizon away, its attempts are refused unanswered
// (ErrThrottled), right password or not, so that guesses queued from
// one address cannot shut it out for longer than that (a guesser behind
// an office's NAT would otherwise lock the office out for hours), and
// the refusal tells the guesser nothing.
//
// Counts decay: each halves after HalfLife without a new failure, so an
// owner who mistyped is soon forgotten while a guesser that keeps going
// stays at Delay.Max. At most MaxKeys users and addresses are
// remembered; past that, expired entries go first, then any.
//
// The zero Throttle is not usable; use NewThrottle. Its methods are
// safe for concurrent use.
type Throttle struct {
	Delay    Delay // Base and Max give the delay for the nth failure
	HalfLife time.Duration
	MaxKeys  int
	Horizon  time.Duration // how far an address's answers may queue

	now   func() time.Time // for tests
	mu    sync.Mutex
	count map[string]*penalty
}

// Defaults for NewThrottle.
const (
	DefaultHalfLife = 10 * time.Minute
	DefaultMaxKeys  = 100_000
)

type penalty struct {
	n     float64   // failures, decayed to last
	last  time.Time // the last failure
	until time.Time // no answer before this (a user's penalty)
	next  time.Time // the next attempt's turn (an address's penalty)
}

// ErrThrottled is Admit's refusal of an attempt from an address whose
// answers are queued past the Horizon: the session says "try later"
// without the attempt's result, and ends.
var ErrThrottled = errors.New("too many failed logins from this address, try later")

// NewThrottle returns a Throttle with d's delays; halfLife and maxKeys
// take the defaults above when zero, and Horizon is twice d.Max (or
// twenty delays when d has no cap).
func NewThrottle(d Delay, halfLife time.Duration, maxKeys int) *Throttle {
	if halfLife <= 0 {
		halfLife = DefaultHalfLife
	}
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	horizon := 2 * d.Max
	if d.Max <= 0 {
		horizon = 20 * d.Base
	}
	return &Throttle{Delay: d, HalfLife: halfLife, MaxKeys: maxKeys, Horizon: horizon,
		now: time.Now, count: map[string]*penalty{}}
}

// AddrKey names a client address for counting: the address itself for
// IPv4, its /64 for IPv6.
func AddrKey(a netip.Addr) string {
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return "a " + p.String()
	}
	return "a " + a.String()
}

func userKey(user string) string { return "u " + user }

// failures is p's count decayed to now.
func (t *Throttle) failures(p *penalty, now time.Time) float64 {
	if p == nil || p.n == 0 {
		return 0
	}
	return p.n * math.Exp2(-float64(now.Sub(p.last))/float64(t.HalfLife))
}

// delay is the delay for p's decayed count (a count of 1.2 is a second
// failure: any part of one counts whole).
func (t *Throttle) delay(p *penalty, now time.Time) time.Duration {
	n := t.failures(p, now)
	if n < 0.01 {
		return 0
	}
	return t.Delay.Duration(int(math.Ceil(n - 1e-9)))
}

// Admit returns when an attempt by user from addr may be answered:
// after the user's penalty and at the address's turn, which it takes.
// It returns ctx's error if ctx ends first, and ErrThrottled at once
// when the address's turns are taken past the Horizon. Call it after
// checking the credentials and before answering, whatever the check
// said.
func (t *Throttle) Admit(ctx context.Context, user string, addr netip.Addr) error {
	t.mu.Lock()
	now := t.now()
	at := now
	if p := t.count[userKey(user)]; p != nil {
		at = maxTime(at, p.until)
	}
	if addr.IsValid() {
		if p := t.count[AddrKey(addr)]; p != nil {
			turn := maxTime(now, p.next)
			if turn.Sub(now) > t.Horizon {
				t.mu.Unlock()
				return ErrThrottled
			}
			at = maxTime(at, turn)
			if d := t.delay(p, now); d > 0 {
				p.next = turn.Add(d)
			}
		}
	}
	t.mu.Unlock()
	return Sleep(ctx, at.Sub(now))
}

// Fail records a failed attempt by user from addr and returns how long
// its answer must wait: the delay of the user's or the address's new
// count, whichever is longer; the address's next turn comes no sooner.
func (t *Throttle) Fail(user string, addr netip.Addr) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	p := t.add(userKey(user), now)
	wait := t.delay(p, now)
	p.until = maxTime(p.until, now.Add(wait))
	if addr.IsValid() {
		p := t.add(AddrKey(addr), now)
		d := t.delay(p, now)
		p.next = maxTime(p.next, now.Add(d))
		wait = max(wait, d)
	}
	return wait
}

// add counts a failure for key at now.
func (t *Throttle) add(key string, now time.Time) *penalty {
	p := t.count[key]
	if p == nil {
		if len(t.count) >= t.MaxKeys {
			t.evict(now)
		}
		p = &penalty{}
		t.count[key] = p
	}
	p.n = t.failures(p, now) + 1
	p.last = now
	return p
}

// evict forgets entries whose penalty has run out and whose count has
// decayed to almost nothing; if that frees too little, any eighth of
// the table (map order), so that a flood of names cannot grow it.
func (t *Throttle) evict(now time.Time) {
	for k, p := range t.count {
		if t.failures(p, now) < 0.01 && !p.until.After(now) && !p.next.After(now) {
			delete(t.count, k)
		}
	}
	for k := range t.count {
		if len(t.count) < t.MaxKeys-t.MaxKeys/8 {
			break
		}
		delete(t.count, k)
	}
}

// Failures reports the decayed failure counts of user and addr (for
// tests and logs).
func (t *Throttle) Failures(user string, addr netip.Addr) (byUser, byAddr float64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	byUser = t.failures(t.count[userKey(user)], now)
	if addr.IsValid() {
		byAddr = t.failures(t.count[AddrKey(addr)], now)
	}
	return byUser, byAddr
}

// Len reports how many users and addresses the Throttle remembers.
func (t *Throttle) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.count)
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Sleep waits d or until ctx is done, returning ctx's error then.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
