//go:build unix

package ninep

import (
	"errors"
	"io/fs"
	"os"
	"syscall"

	"9fans.net/go/plan9"
)

// lockExclusive takes a non-blocking flock(2) exclusive lock on f, the
// Unix stand-in for Plan 9's exclusive-use files (DMEXCL). flock locks
// belong to the open file description, so a second open conflicts even in
// the same process; Close releases the lock. A lock held elsewhere gives
// "file locked" (spec §2.11: imap4d spins while the error says "locked").
func lockExclusive(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	err = rc.Control(func(fd uintptr) {
		for {
			lerr = syscall.Flock(int(fd), syscall.LOCK_EX|syscall.LOCK_NB)
			if lerr != syscall.EINTR {
				return
			}
		}
	})
	if err != nil {
		return err
	}
	if errors.Is(lerr, syscall.EWOULDBLOCK) {
		return errLocked
	}
	return lerr
}

// hostPerm keeps the permission bits only: Unix has no lasting
// append-only or exclusive-use mode (L.* files get flock instead).
func hostPerm(perm plan9.Perm) fs.FileMode { return fs.FileMode(perm & 0777) }
