//go:build !plan9

package ninep

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"
)

// listenUnix binds the socket path with mode (ListenMode).
func listenUnix(path string, mode fs.FileMode) (net.Listener, error) {
	dir, err := os.MkdirTemp(filepath.Dir(path), ".s")
	if err != nil {
		return nil, err
	}
	tmp := filepath.Join(dir, "s")
	ul, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, errors.Join(err, os.Remove(dir))
	}
	ul.SetUnlinkOnClose(false) // the name it would remove is tmp
	if err = os.Chmod(tmp, mode); err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return nil, errors.Join(err, ul.Close(), removeIfExists(tmp), os.Remove(dir))
	}
	if err := os.Remove(dir); err != nil {
		return nil, errors.Join(err, ul.Close(), os.Remove(path))
	}
	return &unixListener{UnixListener: ul, path: path}, nil
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// A unixListener removes its socket, by its final name, on Close.
type unixListener struct {
	*net.UnixListener
	path string
	once sync.Once
}

func (l *unixListener) Close() error {
	err := l.UnixListener.Close()
	l.once.Do(func() {
		if rerr := removeIfExists(l.path); err == nil {
			err = rerr
		}
	})
	return err
}
