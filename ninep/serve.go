package ninep

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"time"

	"9fans.net/go/plan9/srv9p"
)

// Serve accepts connections on l and serves each with srv in its own
// goroutine (ServeConn), until l is closed; it then returns nil without
// waiting for the conversations still running. Temporary accept failures
// (such as running out of file descriptors) are retried after a pause;
// any other error is returned.
func Serve(l net.Listener, srv *srv9p.Server) error {
	var pause time.Duration
	for {
		c, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			if te, ok := err.(interface{ Temporary() bool }); ok && te.Temporary() {
				pause = min(max(2*pause, 5*time.Millisecond), time.Second)
				time.Sleep(pause)
				continue
			}
			return err
		}
		pause = 0
		go ServeConn(c, srv)
	}
}

// ServeConn serves one 9P conversation on c with srv and closes c when the
// client hangs up. Each conversation has its own fids, so one srv may
// serve many connections at once.
func ServeConn(c io.ReadWriteCloser, srv *srv9p.Server) {
	// srv9p reads each request with two small reads; a buffer turns a
	// burst of pipelined requests into one system call.
	srv.Serve(bufferedReader{bufio.NewReaderSize(c, 64<<10), c}, c)
	c.Close()
}

// bufferedReader reads through a bufio.Reader and closes the conn.
type bufferedReader struct {
	*bufio.Reader
	io.Closer
}

// ServeStdio serves one conversation on standard input and output, as a
// service started by listen(8), inetd or systemd (Accept=yes) does, and
// returns when standard input ends.
func ServeStdio(srv *srv9p.Server) {
	srv.Serve(os.Stdin, os.Stdout)
}
