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

// Listen announces addr, in the forms Dial accepts. For a bare service
// name it creates the name space directory (mode 0700) if needed and
// leaves the socket with mode 0600, as post9pservice(3) does. A stale
// Unix-domain socket (one nobody answers on) is removed first; a live one
// is an error, and so is a non-socket file in the way.
func Listen(addr string) (net.Listener, error) {
	a, err := parseAddr(addr)
	if err != nil {
		return nil, fmt.Errorf("ninep: listen: %w", err)
	}
	if a.network == "unix" {
		if err := prepareSocket(a); err != nil {
			return nil, fmt.Errorf("ninep: listen %s: %w", addr, err)
		}
	}
	l, err := net.Listen(a.network, a.addr)
	if err != nil {
		return nil, fmt.Errorf("ninep: listen %s: %w", addr, err)
	}
	if a.service {
		if err := os.Chmod(a.addr, 0600); err != nil {
			l.Close()
			return nil, fmt.Errorf("ninep: listen %s: %w", addr, err)
		}
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
