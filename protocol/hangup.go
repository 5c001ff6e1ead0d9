package protocol

import (
	"bufio"
	"context"
	"errors"
	"net"
	"time"
)

// WatchHangup returns a context that is cancelled when the client on c
// hangs up (or parent ends), for a session that waits without reading:
// sleeping off a failed login, or working through a long command. Then
// the session can give up at once and free its slot instead of sleeping
// for a client that has gone. r is the session's reader on c; it is only
// peeked, so nothing the client sends meanwhile is lost, and a client
// that sends more (pipelining) is taken to be still there.
//
// stop ends the watch, cancels ctx and reports whether the client hung
// up; it must be called before the session uses r again (Buffered
// included), and leaves c without a read deadline. Where c has no read
// deadlines (a pipe on standard input) nothing is watched.
func WatchHangup(parent context.Context, c net.Conn, r *bufio.Reader) (ctx context.Context, stop func() (hungUp bool)) {
	ctx, cancel := context.WithCancel(parent)
	if c.SetReadDeadline(time.Time{}) != nil {
		return ctx, func() bool { cancel(); return false }
	}
	done := make(chan bool, 1)
	go func() {
		_, err := r.Peek(1)
		var ne net.Error
		gone := err != nil && !(errors.As(err, &ne) && ne.Timeout())
		if gone {
			cancel()
		}
		done <- gone
	}()
	return ctx, func() bool {
		c.SetReadDeadline(time.Unix(1, 0)) // in the past: ends the Peek
		gone := <-done
		c.SetReadDeadline(time.Time{})
		cancel()
		return gone
	}
}
