package auth

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"sync"
	"testing"
	"time"
)

var (
	addrA = netip.MustParseAddr("192.0.2.1")
	addrB = netip.MustParseAddr("192.0.2.2")
)

// elapsed runs f and returns how long it took.
func elapsed(f func()) time.Duration {
	t0 := time.Now()
	f()
	return time.Since(t0)
}

func TestThrottleFreshAttemptsDoNotWait(t *testing.T) {
	th := NewThrottle(Delay{Base: time.Second, Max: time.Second}, 0, 0)
	if d := elapsed(func() {
		for i := 0; i < 100; i++ {
			if err := th.Admit(context.Background(), "glenda", addrA); err != nil {
				t.Fatal(err)
			}
		}
	}); d > 100*time.Millisecond {
		t.Errorf("100 attempts without a failure took %v", d)
	}
}

func TestThrottleDelaysGrowAndCap(t *testing.T) {
	now := time.Unix(1e9, 0)
	th := NewThrottle(Delay{Base: 10 * time.Millisecond, Max: 40 * time.Millisecond}, time.Hour, 0)
	th.now = func() time.Time { return now }
	var got []time.Duration
	for i := 0; i < 5; i++ {
		d := th.Fail("glenda", addrA)
		got = append(got, d)
		now = now.Add(d) // the next guess comes after the answer
	}
	want := []time.Duration{10, 20, 40, 40, 40} // Plan 9's doubling, capped
	for i := range want {
		if got[i] != want[i]*time.Millisecond {
			t.Fatalf("delays %v, want %v ms", got, want)
		}
	}
}

// TestThrottleUserPenaltyIsShared: a failure on a user from one address
// makes an attempt on that user from another address wait too, right
// password or not.
func TestThrottleUserPenaltyIsShared(t *testing.T) {
	th := NewThrottle(Delay{Base: 80 * time.Millisecond, Max: time.Second}, time.Hour, 0)
	th.Fail("glenda", addrA)
	if d := elapsed(func() { th.Admit(context.Background(), "glenda", addrB) }); d < 60*time.Millisecond {
		t.Errorf("an attempt on a penalized user answered after %v", d)
	}
	if d := elapsed(func() { th.Admit(context.Background(), "rob", addrB) }); d > 40*time.Millisecond {
		t.Errorf("an attempt on another user from another address waited %v", d)
	}
}

// TestThrottleAddressTakesTurns: attempts from one address that has
// failed are answered one at a time, a delay apart (the attack that
// guessed 20 passwords a second over 40 connections).
func TestThrottleAddressTakesTurns(t *testing.T) {
	const base = 30 * time.Millisecond
	th := NewThrottle(Delay{Base: base, Max: base}, time.Hour, 0)
	th.Horizon = time.Hour // spacing alone; TestThrottleHorizon bounds the queue
	th.Fail("first", addrA)
	t0 := time.Now()
	var mu sync.Mutex
	var at []time.Duration
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			user := fmt.Sprint("user", i)
			th.Admit(context.Background(), user, addrA)
			Sleep(context.Background(), th.Fail(user, addrA))
			mu.Lock()
			at = append(at, time.Since(t0))
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	sort.Slice(at, func(i, j int) bool { return at[i] < at[j] })
	// The first waits out the first failure's delay, each later one a
	// further delay (its turn) and its own failure's: 6 attempts take
	// at least 6 delays, not 1.
	if last := at[len(at)-1]; last < 6*base-10*time.Millisecond {
		t.Errorf("admitted at %v: parallel attempts were not spaced %v apart", at, base)
	}
}

func TestThrottleContextEndsWait(t *testing.T) {
	th := NewThrottle(Delay{Base: time.Hour, Max: time.Hour}, time.Hour, 0)
	th.Fail("glenda", addrA)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := th.Admit(ctx, "glenda", addrA); err == nil {
		t.Fatal("Admit returned nil although its context ended during the penalty")
	}
}

func TestThrottleDecay(t *testing.T) {
	now := time.Unix(1e9, 0)
	th := NewThrottle(Delay{Base: time.Second, Max: time.Minute}, 10*time.Minute, 0)
	th.now = func() time.Time { return now }
	for i := 0; i < 4; i++ {
		th.Fail("glenda", addrA)
	}
	now = now.Add(20 * time.Minute) // two half-lives: 4 → 1
	u, a := th.Failures("glenda", addrA)
	if math.Abs(u-1) > 1e-9 || math.Abs(a-1) > 1e-9 {
		t.Fatalf("after two half-lives: %v, %v failures; want 1", u, a)
	}
	if d := th.Fail("glenda", addrA); d != 2*time.Second {
		t.Errorf("the failure after decay waits %v, want 2s (a second failure)", d)
	}
}

func TestThrottleIPv6CountsBy64(t *testing.T) {
	th := NewThrottle(Delay{Base: time.Second, Max: time.Minute}, time.Hour, 0)
	th.Fail("x", netip.MustParseAddr("2001:db8:1:2::1"))
	th.Fail("y", netip.MustParseAddr("2001:db8:1:2:ffff::9"))
	if _, a := th.Failures("z", netip.MustParseAddr("2001:db8:1:2::77")); math.Abs(a-2) > 0.01 {
		t.Errorf("the /64 has %v failures, want 2", a)
	}
	if _, a := th.Failures("z", netip.MustParseAddr("2001:db8:1:3::1")); a != 0 {
		t.Errorf("another /64 has %v failures, want 0", a)
	}
	if got := AddrKey(netip.MustParseAddr("::ffff:192.0.2.1")); got != AddrKey(addrA) {
		t.Errorf("a mapped IPv4 address is counted as %q", got)
	}
}

// TestThrottleBounded: a flood of user names cannot grow the table past
// MaxKeys.
func TestThrottleBounded(t *testing.T) {
	th := NewThrottle(Delay{Base: time.Second, Max: time.Minute}, time.Hour, 100)
	for i := 0; i < 10_000; i++ {
		th.Fail(fmt.Sprint("name", i), addrA)
	}
	if n := th.Len(); n > 100 {
		t.Errorf("the throttle remembers %d keys, bound 100", n)
	}
}

// TestThrottleHorizon: attempts queued from one address take turns no
// further than the Horizon; past it, attempts are refused at once, and
// once the queue has drained the address is admitted again.
func TestThrottleHorizon(t *testing.T) {
	now := time.Unix(1e9, 0)
	d := Delay{Base: time.Second, Max: 4 * time.Second}
	th := NewThrottle(d, time.Hour, 0)
	th.now = func() time.Time { return now }
	if th.Horizon != 8*time.Second {
		t.Fatalf("Horizon %v, want twice Max", th.Horizon)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	th.Fail("u", addrA)
	admitted := 0
	for i := 0; i < 1000; i++ {
		switch err := th.Admit(cancelled, fmt.Sprint("u", i), addrA); err {
		case context.Canceled:
			admitted++ // took a turn (the wait was cut by the context)
		case ErrThrottled:
		default:
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	// Turns at +1 s (the failure's delay), +2 s, ..., up to the Horizon.
	if want := int(th.Horizon / d.Base); admitted != want {
		t.Fatalf("%d of 1000 queued attempts took turns, want %d", admitted, want)
	}
	if err := th.Admit(context.Background(), "glenda", addrB); err != nil {
		t.Fatalf("another address: %v", err)
	}
	now = now.Add(2 * th.Horizon)
	if err := th.Admit(context.Background(), "glenda", addrA); err != nil {
		t.Fatalf("after the queue drained: %v", err)
	}
}

// FuzzThrottle runs a sequence of failures and admissions, on a clock
// the input moves, for any user names and addresses, and checks the
// bounds: the table stays within MaxKeys, no answer waits past the
// Horizon and the cap, counts stay finite and non-negative.
func FuzzThrottle(f *testing.F) {
	f.Add([]byte("\x00glenda\x01\x02rob\x00\x03"), uint8(3))
	f.Add([]byte("\xff\xfe\x10\x00\x00\x00"), uint8(1))
	f.Fuzz(func(t *testing.T, ops []byte, maxKeys uint8) {
		now := time.Unix(1e9, 0)
		d := Delay{Base: time.Second, Max: 8 * time.Second}
		th := NewThrottle(d, time.Minute, int(maxKeys)%16+1)
		th.now = func() time.Time { return now }
		cancelled, cancel := context.WithCancel(context.Background())
		cancel()
		for i := 0; i+1 < len(ops); i += 2 {
			op, arg := ops[i], ops[i+1]
			user := string(ops[i+1 : min(len(ops), i+1+int(arg%8))])
			var addr netip.Addr
			if arg&1 == 0 {
				addr = netip.AddrFrom4([4]byte{10, 0, arg >> 4, arg})
			} else {
				addr = netip.AddrFrom16([16]byte{0x20, 0x01, 15: arg})
			}
			switch op % 3 {
			case 0:
				if w := th.Fail(user, addr); w < 0 || w > d.Max {
					t.Fatalf("Fail waits %v", w)
				}
			case 1:
				err := th.Admit(cancelled, user, addr)
				if err != nil && err != ErrThrottled && err != context.Canceled {
					t.Fatalf("Admit: %v", err)
				}
			case 2:
				now = now.Add(time.Duration(arg) * time.Second)
			}
			if n := th.Len(); n > th.MaxKeys {
				t.Fatalf("%d keys, bound %d", n, th.MaxKeys)
			}
			u, a := th.Failures(user, addr)
			if u < 0 || a < 0 || math.IsInf(u, 0) || math.IsNaN(a) {
				t.Fatalf("counts %v %v", u, a)
			}
		}
	})
}
