package protocol

import (
	"net"
	"net/netip"
	"sync"
	"time"

	"p9mail/protocol/auth"
)

// PerAddr bounds the connections a server holds at once from one client
// address (an IPv6 address by its /64, as auth.AddrKey counts them), so
// that one host cannot take every slot of -maxconns (500 idle
// connections from one address used to lock everyone out). One PerAddr
// is shared by all the listeners of a server.
type PerAddr struct {
	Max int // 0: no bound

	mu sync.Mutex
	n  map[string]int
}

// Defaults of the limits both servers share.
const (
	// DefaultMaxPerAddr allows a household or office behind one NAT
	// address several clients with several connections each
	// (Thunderbird opens up to 5 per account), far below the 200 of
	// -maxconns.
	DefaultMaxPerAddr = 20
	// DefaultLoginTimeout bounds the time from connecting to logging
	// in, as Dovecot's login processes do (3 minutes): a client that
	// has not logged in by then is cut off however busy it keeps the
	// connection. The idle timeouts (RFC 3501: 30 min, RFC 1939: 10
	// min) apply after login.
	DefaultLoginTimeout = 3 * time.Minute
)

// Acquire counts a connection from addr and reports whether it is
// within the bound; if it is, release must be called when the
// connection ends. Addresses that are not IP (unix sockets, pipes) are
// not counted.
func (p *PerAddr) Acquire(addr net.Addr) (release func(), ok bool) {
	ap, err := netip.ParseAddrPort(addr.String())
	if p == nil || p.Max <= 0 || err != nil {
		return func() {}, true
	}
	key := auth.AddrKey(ap.Addr())
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.n[key] >= p.Max {
		return nil, false
	}
	if p.n == nil {
		p.n = map[string]int{}
	}
	p.n[key]++
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.n[key]--; p.n[key] <= 0 {
			delete(p.n, key)
		}
	}, true
}
