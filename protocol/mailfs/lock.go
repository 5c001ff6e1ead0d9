package mailfs

import (
	"errors"
	"path"
	"time"

	"9fans.net/go/plan9"

	"p9mail/ninep"
)

// ErrLockTimeout is LockDir's error when another holder kept the lock
// past the timeout.
var ErrLockTimeout = errors.New("mailbox locked by another process")

// LockDir takes the exclusive-use lock L.mbox of directory dir in ns:
// the lock upasfs itself takes to rewrite a mailbox of that directory
// (spec §1.8), so appends, deliveries, .imp and subscription updates
// are excluded with deletions. It polls as upas/fs does, 10 ms doubling
// to 500 ms, until timeout, and creates the lock file if it is absent
// with Plan 9's bits for it, DMEXCL|0666, masked by the directory's as
// create(5) does; the file stays. The caller closes the returned file
// to unlock.
func LockDir(ns ninep.FS, dir string, timeout time.Duration) (ninep.File, error) {
	name := path.Join(dir, "L.mbox")
	deadline := time.Now().Add(timeout)
	for wait := 10 * time.Millisecond; ; wait = min(2*wait, 500*time.Millisecond) {
		f, err := ns.Open(name, plan9.OREAD)
		if ninep.IsNotExist(err) {
			f, err = Create(ns, name, plan9.OREAD, plan9.DMEXCL|0666)
		}
		if err == nil {
			return f, nil
		}
		if !ninep.IsLocked(err) {
			return nil, err
		}
		if time.Now().After(deadline) {
			return nil, ErrLockTimeout
		}
		time.Sleep(wait)
	}
}
