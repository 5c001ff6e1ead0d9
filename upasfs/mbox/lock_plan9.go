package mbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// lockSteps are the locks a Plan 9 writer takes: L.mbox alone.
var lockSteps = []lockStep{lockLmbox}

// lockRefresh is how often the holder of L.mbox reads it, so that the
// file server does not time out the exclusive-use lease (spec §1.8).
const lockRefresh = time.Minute

// lockLmbox opens Plan 9's L.mbox in path's directory, an exclusive-use
// (DMEXCL) file created mode 0666 if absent (spec §1.8). Holding it open
// is holding the lock; an open that fails because it is in use is
// ErrBusy.
func lockLmbox(path string) (func() error, error) {
	name := filepath.Join(filepath.Dir(path), "L.mbox")
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		f, err = os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, os.ModeExclusive|0666)
		if errors.Is(err, fs.ErrExist) {
			return nil, ErrBusy
		}
	}
	if err != nil {
		if inUse(err) {
			return nil, ErrBusy
		}
		return nil, fmt.Errorf("mbox: lock: %w", err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		refreshLock(f, stop)
	}()
	return func() error {
		close(stop)
		wg.Wait()
		return f.Close()
	}, nil
}

// inUse reports whether an open failed because an exclusive-use file
// is open elsewhere (the file servers say "exclusive use file already
// open", "file locked", ...; upas looks for "locked").
func inUse(err error) bool {
	s := err.Error()
	return strings.Contains(s, "lock") || strings.Contains(s, "exclusive") || strings.Contains(s, "in use")
}

// refreshLock reads a byte of f every lockRefresh until stop closes.
func refreshLock(f *os.File, stop <-chan struct{}) {
	t := time.NewTicker(lockRefresh)
	defer t.Stop()
	var b [1]byte
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			f.ReadAt(b[:], 0)
		}
	}
}

// TryLockFile does nothing on Plan 9: opening a DMEXCL file is
// already exclusive.
func TryLockFile(f *os.File) error { return nil }

// syncDir does nothing on Plan 9: a file server's wstat is durable.
func syncDir(dir string) error { return nil }
