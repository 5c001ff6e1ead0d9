package mbox

import (
	"errors"
	"time"
)

// ErrLocked is returned by Lock when the mailbox's locks could not all
// be taken before the timeout. Its text is upas/fs's (spec §1.8).
var ErrLocked = errors.New("can't lock mailbox")

// ErrBusy is returned by TryLockFile when another holder has the lock.
var ErrBusy = errors.New("mbox: lock is held")

// retryInterval is the pause between attempts to take a lock, as in
// Plan 9's upas (spec §1.8). Tests shorten it.
var retryInterval = 500 * time.Millisecond

// A Locker holds every lock a writer of one mailbox file must hold:
// the platform's lockSteps, taken in order and released in reverse.
type Locker struct {
	release []func() error
}

// lockStep tries once to take one lock for the mailbox file path. It
// returns ErrBusy if someone else holds it, and on success a function
// that releases it.
type lockStep func(path string) (release func() error, err error)

// Lock takes every lock a writer of the mailbox file path must hold,
// retrying each one every retryInterval (500 ms, like Plan 9) until
// timeout has passed since the call; a zero timeout tries once. On
// Unix these are, in order (spec §1.8, DESIGN "Rewrites are
// crash-safe"):
//
//  1. Plan 9's L.mbox in path's directory, created DMEXCL|0666 if
//     absent (masked by the directory's bits, as create(5) does), held open with flock(LOCK_EX): the emulation of Plan 9's
//     exclusive-use (DMEXCL) file, shared with TryLockFile;
//  2. the Unix dotlock path+".lock" (see lockDot);
//  3. an fcntl write lock on the whole mailbox file, if it exists.
//
// On Plan 9 it is the exclusive-use L.mbox alone. When the time runs
// out Lock releases what it took and returns ErrLocked itself, whose
// text is "can't lock mailbox"; other failures are returned wrapped.
func Lock(path string, timeout time.Duration) (*Locker, error) {
	return lock(path, lockSteps, timeout)
}

// LockUnix takes the locks Lock takes after L.mbox: on Unix the dotlock
// and the fcntl lock of the mailbox file path, for a writer that holds
// L.mbox already through a name space (the front ends' appends) and
// must also exclude Unix delivery agents, which know no L.mbox. On
// Plan 9 it takes nothing.
func LockUnix(path string, timeout time.Duration) (*Locker, error) {
	return lock(path, lockSteps[1:], timeout)
}

func lock(path string, steps []lockStep, timeout time.Duration) (*Locker, error) {
	deadline := time.Now().Add(timeout)
	l := &Locker{}
	for _, take := range steps {
		release, err := retryLock(path, take, deadline)
		if err != nil {
			l.Unlock()
			return nil, err
		}
		l.release = append(l.release, release)
	}
	return l, nil
}

// retryLock calls take until it succeeds, fails for another reason
// than ErrBusy, or deadline passes.
func retryLock(path string, take lockStep, deadline time.Time) (func() error, error) {
	for {
		release, err := take(path)
		if !errors.Is(err, ErrBusy) {
			return release, err
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return nil, ErrLocked
		}
		time.Sleep(min(wait, retryInterval))
	}
}

// Close is Unlock, so that a Locker is an io.Closer.
func (l *Locker) Close() error { return l.Unlock() }

// Unlock releases the locks in reverse order. It returns the errors of
// the releases, joined; a second call does nothing.
func (l *Locker) Unlock() error {
	var errs []error
	for i := len(l.release) - 1; i >= 0; i-- {
		errs = append(errs, l.release[i]())
	}
	l.release = nil
	return errors.Join(errs...)
}
