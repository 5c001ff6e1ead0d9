package ninep

import (
	"errors"
	"io/fs"
	"net"
)

// listenUnix: Plan 9 has no Unix-domain sockets; services are posted
// in /srv instead.
func listenUnix(path string, mode fs.FileMode) (net.Listener, error) {
	return nil, errors.New("no unix sockets on Plan 9")
}
