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
// stop ends the watch and must be called before the session reads from
// r again; it leaves c without a read deadline. Where c has no read
// deadlines (a pipe on standard input) nothing is watched.
func WatchHangup(parent context.Context, c net.Conn, r *bufio.Reader) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	if c.SetReadDeadline(time.Time{}) != nil {
		return ctx, cancel
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, err := r.Peek(1)
		var ne net.Error
		if err != nil && !(errors.As(err, &ne) && ne.Timeout()) {
			cancel()
		}
	}()
	return ctx, func() {
		c.SetReadDeadline(time.Unix(1, 0)) // in the past: ends the Peek
		<-done
		c.SetReadDeadline(time.Time{})
		cancel()
	}
}
