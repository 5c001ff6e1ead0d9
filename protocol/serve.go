package protocol

import (
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"time"
)

// Busy are a protocol's "come back later" lines, sent to a connection
// over a limit before it is closed.
type Busy struct {
	All, Addr string // over max; over the per-address bound
}

// Accept accepts connections on l until it is closed, running session
// on each in its own goroutine, at most max at once and at most
// perAddr's bound from one address (nil: none); a connection over a
// limit gets its Busy line and is closed. Temporary accept failures are
// retried.
func Accept(l net.Listener, max int, perAddr *PerAddr, busy Busy, session func(net.Conn)) error {
	sem := make(chan struct{}, max)
	for {
		c, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return err
		}
		release, ok := perAddr.Acquire(c.RemoteAddr())
		if !ok {
			go refuse(c, busy.Addr)
			continue
		}
		select {
		case sem <- struct{}{}:
			go func() {
				defer func() { <-sem; release() }()
				session(c)
			}()
		default:
			release()
			go refuse(c, busy.All)
		}
	}
}

// refuse sends a connection over a limit its line and closes it.
func refuse(c net.Conn, line string) {
	c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, line)
	c.Close()
}

// Handshake starts implicit TLS on c (ports 993 and 995): the server
// side handshake, bounded by a minute. It returns nil on failure,
// having logged why; the caller closes c.
func Handshake(c net.Conn, cfg *tls.Config, log *slog.Logger) net.Conn {
	if cfg == nil {
		return nil
	}
	tc := tls.Server(c, cfg)
	tc.SetDeadline(time.Now().Add(time.Minute))
	if err := tc.Handshake(); err != nil {
		log.Info("tls handshake", "peer", c.RemoteAddr(), "err", err)
		return nil
	}
	tc.SetDeadline(time.Time{})
	return tc
}
