//go:build unix

package mbox

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// lockSteps are the locks a Unix writer takes, in order (see Lock).
var lockSteps = []lockStep{lockLmbox, lockDot, lockFcntl}

// lockLmbox takes Plan 9's L.mbox in path's directory (spec §1.8): the
// file is created DMEXCL|0666 if absent, with the bits Plan 9's
// create(5) gives that in the directory (lmboxPerm), and held open with
// an exclusive flock, our emulation of holding a DMEXCL file open.
func lockLmbox(path string) (func() error, error) {
	name := filepath.Join(filepath.Dir(path), "L.mbox")
	f, err := openLmbox(name)
	if err != nil {
		return nil, err
	}
	if err := TryLockFile(f); err != nil {
		f.Close()
		return nil, err
	}
	return f.Close, nil // closing the last descriptor drops the flock
}

// lmboxPerm is the permission Plan 9 gives a file created 0666 in a
// directory of mode dir: create(5) says a new file's bits are perm &
// (^0666 | dir&0666), so L.mbox in a 0700 mail directory is 0600, in a
// 0755 one 0644, in a 0777 one 0666. The umask plays no part, as on
// Plan 9.
func lmboxPerm(dir fs.FileMode) fs.FileMode { return 0666 & (^fs.FileMode(0666) | dir&0666) }

// openLmbox opens the lock file name, creating it with lmboxPerm of
// its directory's mode (whatever the umask, as Plan 9 does) if it does
// not exist. A read-only descriptor is enough for flock.
func openLmbox(name string) (*os.File, error) {
	dir, err := os.Stat(filepath.Dir(name))
	if err != nil {
		return nil, fmt.Errorf("mbox: lock: %w", err)
	}
	perm := lmboxPerm(dir.Mode().Perm())
	f, err := os.OpenFile(name, os.O_RDONLY|os.O_CREATE|os.O_EXCL, perm)
	if err == nil {
		if err := f.Chmod(perm); err != nil {
			f.Close()
			return nil, fmt.Errorf("mbox: lock: %w", err)
		}
		return f, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("mbox: lock: %w", err)
	}
	f, err = os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("mbox: lock: %w", err)
	}
	return f, nil
}

// TryLockFile takes an exclusive flock on f without waiting, or
// returns ErrBusy if someone else holds one. This is how the emulator
// makes an open L.* file exclusive, as Plan 9's DMEXCL does, so that
// it and Lock exclude each other. The lock lasts until f (and every
// descriptor duplicated from it) is closed.
func TryLockFile(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return fmt.Errorf("mbox: flock %s: %w", f.Name(), err)
	}
	var ferr error
	err = rc.Control(func(fd uintptr) {
		ferr = syscall.Flock(int(fd), syscall.LOCK_EX|syscall.LOCK_NB)
	})
	switch {
	case err != nil:
		return fmt.Errorf("mbox: flock %s: %w", f.Name(), err)
	case errors.Is(ferr, syscall.EWOULDBLOCK):
		return ErrBusy
	case ferr != nil:
		return fmt.Errorf("mbox: flock %s: %w", f.Name(), ferr)
	}
	return nil
}

// lockFcntl takes an fcntl write lock on the whole mailbox file, as
// Unix delivery agents and readers (procmail, mutt, dovecot) expect.
// A missing file, or one we may not open for writing, is not locked:
// there is nothing to protect, or we cannot write it anyway. Where the
// system has them, open file description locks are used: they conflict
// with other processes' POSIX locks like plain F_SETLK ones, but are
// not dropped when this process closes some other descriptor of the
// same file, as the emulator does all the time.
func lockFcntl(path string) (func() error, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EISDIR) {
			return func() error { return nil }, nil
		}
		return nil, fmt.Errorf("mbox: lock: %w", err)
	}
	if err := fcntlLock(f); err != nil {
		f.Close()
		return nil, err
	}
	return f.Close, nil
}

// fcntlLock write-locks all of f without waiting.
func fcntlLock(f *os.File) error {
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart}
	rc, err := f.SyscallConn()
	if err != nil {
		return fmt.Errorf("mbox: fcntl lock %s: %w", f.Name(), err)
	}
	var lerr error
	err = rc.Control(func(fd uintptr) {
		lerr = syscall.FcntlFlock(fd, setlkOFD, &lk)
		if errors.Is(lerr, syscall.EINVAL) && setlkOFD != syscall.F_SETLK {
			lerr = syscall.FcntlFlock(fd, syscall.F_SETLK, &lk) // kernel without OFD locks
		}
	})
	switch {
	case err != nil:
		return fmt.Errorf("mbox: fcntl lock %s: %w", f.Name(), err)
	case errors.Is(lerr, syscall.EAGAIN), errors.Is(lerr, syscall.EACCES):
		return ErrBusy
	case lerr != nil:
		return fmt.Errorf("mbox: fcntl lock %s: %w", f.Name(), lerr)
	}
	return nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("mbox: sync directory: %w", err)
	}
	err = d.Sync()
	d.Close()
	if err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return fmt.Errorf("mbox: sync directory: %w", err)
	}
	return nil
}
