package protocol

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// DefaultProxyTimeout bounds the time a connection from a trusted
// source (-proxyfrom) has to send its whole PROXY header. HAProxy sends
// it with the connection's first segment; a source that has not sent it
// by then is not a working balancer and is cut off, so that a stalled
// one cannot hold connections that no session limit counts yet.
const DefaultProxyTimeout = 5 * time.Second

// ParseProxyFrom reads -proxyfrom: comma-separated networks
// (127.0.0.1/32, ::1/128, 10.0.0.0/8) or single addresses.
func ParseProxyFrom(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("-proxyfrom %q: not a network or address", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-proxyfrom %q: no network", s)
	}
	return out, nil
}

// ProxyListener is a listener behind a load balancer that speaks the
// PROXY protocol. A connection from a Trusted network must open with a
// valid header (v1 or v2) within Timeout, and its RemoteAddr and
// LocalAddr are then those the header names; one that does not is
// closed. A connection from anywhere else is served as it is, with its
// own addresses, but if its first bytes are a PROXY header it is
// closed: nobody outside the trusted networks may choose the address
// the server sees.
type ProxyListener struct {
	net.Listener
	Trusted []netip.Prefix
	Timeout time.Duration // 0: DefaultProxyTimeout
	Log     *slog.Logger  // nil: nothing logged

	once  sync.Once
	conns chan net.Conn
	errs  chan error
	done  chan struct{}
}

// NewProxyListener wraps l.
func NewProxyListener(l net.Listener, trusted []netip.Prefix, timeout time.Duration, log *slog.Logger) *ProxyListener {
	return &ProxyListener{Listener: l, Trusted: trusted, Timeout: timeout, Log: log}
}

// Accept returns the next connection, its header read if it has one to
// send. Headers are read concurrently, so one slow trusted source does
// not hold up the others.
func (l *ProxyListener) Accept() (net.Conn, error) {
	l.once.Do(func() {
		l.conns = make(chan net.Conn)
		l.errs = make(chan error)
		l.done = make(chan struct{})
		go l.acceptLoop()
	})
	select {
	case c := <-l.conns:
		return c, nil
	case err := <-l.errs:
		return nil, err
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *ProxyListener) acceptLoop() {
	defer close(l.done)
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			l.errs <- err // a temporary failure: the caller retries
			continue
		}
		if !l.trusts(c.RemoteAddr()) {
			l.conns <- &sniffConn{Conn: c, log: l.Log}
			continue
		}
		go l.handshake(c)
	}
}

// trusts reports whether addr is in a trusted network.
func (l *ProxyListener) trusts(addr net.Addr) bool {
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		return false
	}
	a := ap.Addr().Unmap()
	for _, p := range l.Trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// handshake reads c's header and hands the connection on, or closes it.
func (l *ProxyListener) handshake(c net.Conn) {
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = DefaultProxyTimeout
	}
	c.SetReadDeadline(time.Now().Add(timeout))
	r := bufio.NewReaderSize(c, 256)
	h, err := ReadProxyHeader(r)
	if err == nil {
		err = c.SetReadDeadline(time.Time{})
	}
	if err != nil {
		if l.Log != nil {
			l.Log.Info("proxy header refused", "from", c.RemoteAddr().String(), "err", err)
		}
		c.Close()
		return
	}
	pc := &proxyConn{Conn: c, r: r, remote: c.RemoteAddr(), local: c.LocalAddr()}
	if !h.Local {
		pc.remote, pc.local = h.Src, h.Dst
	}
	if r.Buffered() == 0 {
		pc.r = nil
	}
	select {
	case l.conns <- pc:
	case <-l.done:
		c.Close()
	}
}

// proxyConn is a connection whose header has been read: the addresses
// it named, and what the header's reader holds beyond it.
type proxyConn struct {
	net.Conn
	r             *bufio.Reader // nil once drained
	remote, local net.Addr
}

func (c *proxyConn) RemoteAddr() net.Addr { return c.remote }
func (c *proxyConn) LocalAddr() net.Addr  { return c.local }

func (c *proxyConn) Read(p []byte) (int, error) {
	if c.r == nil {
		return c.Conn.Read(p)
	}
	n, err := c.r.Read(p)
	if c.r.Buffered() == 0 {
		c.r = nil
	}
	return n, err
}

// ErrUntrustedProxy is what reading a connection from an untrusted
// source returns when it opens with a PROXY header; the connection is
// closed.
var ErrUntrustedProxy = errors.New("PROXY header from an untrusted source")

// proxyOpenings are the prefixes a connection that sends a PROXY header
// starts with; a client of the mail protocols never sends them (an
// IMAP tag "PROXY" followed by "TCP4 " is not a command).
var proxyOpenings = [][]byte{[]byte("PROXY TCP4 "), []byte("PROXY TCP6 "), []byte("PROXY UNKNOWN"), proxyV2Sig}

// sniffConn is a connection from an untrusted source: its first bytes
// are held until they can no longer begin a PROXY header (at most 13),
// then passed on; if they are one, the connection is refused.
type sniffConn struct {
	net.Conn
	log     *slog.Logger
	buf     [16]byte
	head    []byte // bytes of buf read while deciding, then not yet passed on
	decided bool
}

func (c *sniffConn) Read(p []byte) (int, error) {
	for !c.decided {
		n, err := c.Conn.Read(c.buf[len(c.head):])
		c.head = c.buf[:len(c.head)+n]
		switch proxyPrefix(c.head) {
		case prefixNo:
			c.decided = true
		case prefixYes:
			if c.log != nil {
				c.log.Info("proxy header refused", "from", c.Conn.RemoteAddr().String(), "err", ErrUntrustedProxy)
			}
			c.Conn.Close()
			return 0, ErrUntrustedProxy
		}
		if err != nil && !c.decided {
			var ne net.Error
			if len(c.head) == 0 || errors.As(err, &ne) && ne.Timeout() {
				return 0, err // held bytes stay held: the client may send more
			}
			c.decided = true // the client is gone: pass on what came
		}
	}
	if len(c.head) > 0 {
		n := copy(p, c.head)
		c.head = c.head[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

const (
	prefixNo    = iota // b cannot begin a PROXY header
	prefixMaybe        // b is a proper prefix of one
	prefixYes          // b begins with one
)

// proxyPrefix says whether b begins a PROXY header.
func proxyPrefix(b []byte) int {
	res := prefixNo
	for _, o := range proxyOpenings {
		switch {
		case bytes.HasPrefix(b, o):
			return prefixYes
		case bytes.HasPrefix(o, b):
			res = prefixMaybe
		}
	}
	return res
}
