package ninep

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"time"
)

// Dial connects to a 9P server at addr, in any form parseAddr accepts:
// "tcp!host!port", "unix!/path", "host:port", "/path/to/socket", or a
// bare service name, which is the socket <Namespace()>/<name>.
func Dial(addr string) (net.Conn, error) {
	a, err := parseAddr(addr)
	if err != nil {
		return nil, fmt.Errorf("ninep: dial: %w", err)
	}
	c, err := net.Dial(a.network, a.addr)
	if err != nil {
		return nil, fmt.Errorf("ninep: dial %s: %w", addr, err)
	}
	return c, nil
}

// Listen announces addr, in the forms Dial accepts. A Unix-domain
// socket gets mode 0600 whatever the umask (ListenMode); for a bare
// service name Listen first creates the name space directory (mode
// 0700) if needed, as post9pservice(3) does. A stale Unix-domain socket
// (one nobody answers on) is removed first; a live one is an error, and
// so is a non-socket file in the way.
func Listen(addr string) (net.Listener, error) { return ListenMode(addr, 0600) }

// ListenMode is Listen with mode the permission bits of a Unix-domain
// socket (it has no effect on TCP). The socket is bound in a new
// private directory (mode 0700) beside its name, given mode there and
// renamed into place, so that nobody can connect before it has its
// mode, and the umask plays no part. Closing the listener removes the
// socket.
func ListenMode(addr string, mode fs.FileMode) (net.Listener, error) {
	a, err := parseAddr(addr)
	if err != nil {
		return nil, fmt.Errorf("ninep: listen: %w", err)
	}
	if mode&^fs.ModePerm != 0 {
		return nil, fmt.Errorf("ninep: listen %s: bad socket mode %v", addr, mode)
	}
	var l net.Listener
	if a.network == "unix" {
		if err = prepareSocket(a); err == nil {
			l, err = listenUnix(a.addr, mode)
		}
	} else {
		l, err = net.Listen(a.network, a.addr)
	}
	if err != nil {
		return nil, fmt.Errorf("ninep: listen %s: %w", addr, err)
	}
	return l, nil
}

// prepareSocket makes room for a Unix-domain socket at a.addr.
func prepareSocket(a address) error {
	if a.service {
		if err := os.MkdirAll(Namespace(), 0700); err != nil {
			return err
		}
	}
	fi, err := os.Lstat(a.addr)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSocket == 0 {
		return fmt.Errorf("%s exists and is not a socket", a.addr)
	}
	if c, err := net.DialTimeout("unix", a.addr, time.Second); err == nil {
		c.Close()
		return fmt.Errorf("%s: address in use", a.addr)
	}
	return os.Remove(a.addr)
}

// LoopbackOnly reports whether only this host can reach l: a
// Unix-domain socket, or TCP on a loopback address (127.0.0.0/8, ::1).
// A listener on the unspecified address (tcp!*!564) is reachable from
// anywhere.
func LoopbackOnly(l net.Listener) bool {
	switch a := l.Addr().(type) {
	case *net.UnixAddr:
		return true
	case *net.TCPAddr:
		return a.IP.IsLoopback()
	}
	return false
}
