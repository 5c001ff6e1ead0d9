package daemon

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// A Listener is a listening socket the server was given, and whether
// its clients speak TLS from the first byte.
type Listener struct {
	net.Listener
	TLS bool
}

// listenFDsStart is the first descriptor systemd passes (sd_listen_fds(3)).
const listenFDsStart = 3

// Activated returns the listening sockets systemd (or
// systemd-socket-activate, or any manager following sd_listen_fds(3))
// passed to this process: descriptors 3 to 3+$LISTEN_FDS-1 when
// $LISTEN_PID is this process. A socket whose name in $LISTEN_FDNAMES
// (FileDescriptorName= in the unit) is "tls", or ends in "-tls", is an
// implicit-TLS listener (imaps, pop3s). The variables are removed, so
// that no child takes the sockets for its own. None: nil, nil.
func Activated() ([]Listener, error) {
	pid, fds, names := os.Getenv("LISTEN_PID"), os.Getenv("LISTEN_FDS"), os.Getenv("LISTEN_FDNAMES")
	for _, v := range []string{"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"} {
		os.Unsetenv(v)
	}
	if pid == "" || fds == "" {
		return nil, nil
	}
	if p, err := strconv.Atoi(pid); err != nil || p != os.Getpid() {
		return nil, nil // meant for another process
	}
	n, err := strconv.Atoi(fds)
	if err != nil || n < 0 || n > 64 {
		return nil, fmt.Errorf("bad LISTEN_FDS %q", fds)
	}
	var nameList []string
	if names != "" {
		nameList = strings.Split(names, ":")
	}
	var ls []Listener
	for i := range n {
		fd := listenFDsStart + i
		name := fmt.Sprintf("listen-fd-%d", fd)
		if i < len(nameList) && nameList[i] != "" {
			name = nameList[i]
		}
		f := os.NewFile(uintptr(fd), name)
		l, err := net.FileListener(f)
		// FileListener dups the descriptor; the original is not needed.
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			for _, l := range ls {
				l.Close()
			}
			return nil, fmt.Errorf("socket activation: descriptor %d (%s): %w", fd, name, err)
		}
		ls = append(ls, Listener{l, name == "tls" || strings.HasSuffix(name, "-tls")})
	}
	return ls, nil
}
