package loadkit

import (
	"fmt"
	"net"
	"path/filepath"

	"p9mail/protocol/auth"
	"p9mail/protocol/mailfs"
)

// A Server is what the load generators start in process: the POP3 or
// the IMAP server.
type Server interface {
	Serve(l net.Listener, implicitTLS bool) error
}

// ServeInProcess starts the server newServer makes over the in-process
// upasfs emulator on root, with the keys in keysDir (default
// <root>/keys), as the command with -p -root -keys does, on a loopback
// port; it returns that address and stop, which closes the listener.
func ServeInProcess(root, keysDir string, newServer func(*mailfs.Source, *auth.Keys) (Server, error)) (addr string, stop func(), err error) {
	if keysDir == "" {
		keysDir = filepath.Join(root, "keys")
	}
	keys, err := auth.OpenKeys(keysDir)
	if err != nil {
		return "", nil, err
	}
	src := &mailfs.Source{Root: root}
	if err := src.Check(); err != nil {
		return "", nil, err
	}
	srv, err := newServer(src, keys)
	if err != nil {
		return "", nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listen: %w", err)
	}
	go srv.Serve(l, false)
	return l.Addr().String(), func() { l.Close() }, nil
}
