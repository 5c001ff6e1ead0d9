package imap

import (
	"io"
	"path"
	"sync"
	"time"

	"p9mail/ninep"
	"p9mail/protocol/mailfs"
)

// DefaultLockTimeout bounds the wait for a mailbox lock. Plan 9's
// imap4d waits up to 25 minutes (spec §2.11), longer than any client.
const DefaultLockTimeout = 60 * time.Second

var errLockTimeout = mailfs.ErrLockTimeout

// lock takes the lock of the directory holding file (see lockFile),
// queueing first behind this server's own sessions on an in-process
// semaphore, so that they wait their turn instead of polling the file
// (imaptest's stress run showed polling stall under contention).
// Close unlocks.
func (s *session) lock(file string) (io.Closer, error) {
	release, err := s.queue(file)
	if err != nil {
		return nil, err
	}
	f, err := lockFile(s.ns, s.boxDir(), file, s.cfg.LockTimeout)
	if err != nil {
		release()
		return nil, err
	}
	return &unlocker{f: f, release: release}, nil
}

// queue waits for this server's turn at the lock of the directory
// holding file without taking the lock file, and returns the function
// that gives the turn back. A session holds it while upasfs deletes
// messages for it: upasfs then takes the lock file itself (spec §1.8),
// polling every 500 ms as Plan 9's does, and would seldom find it free
// while other sessions pass it around (imaptest's stress run stalled
// for seconds on EXPUNGE). It holds it too from an APPEND or COPY to
// the UIDs it reports, and while it lists a mailbox whose .imp it will
// write (see mailbox.lockCurrent), so that no other session of this
// server changes the mailbox in between.
//
// A session that has the turn already gets it again at once (a
// session runs one command at a time, in one goroutine); the turn
// goes back when every holder has given it back.
func (s *session) queue(file string) (release func(), err error) {
	key := s.user + "\x00" + path.Join(s.boxDir(), path.Dir(file))
	if s.turns == nil {
		s.turns = map[string]int{}
	}
	if s.turns[key] == 0 {
		v, _ := s.srv.locks.LoadOrStore(key, make(chan struct{}, 1))
		sem := v.(chan struct{})
		t := time.NewTimer(s.cfg.LockTimeout)
		defer t.Stop()
		select {
		case sem <- struct{}{}:
		case <-t.C:
			return nil, errLockTimeout
		}
	}
	s.turns[key]++
	var once sync.Once
	return func() {
		once.Do(func() {
			if s.turns[key]--; s.turns[key] == 0 {
				v, _ := s.srv.locks.Load(key)
				<-v.(chan struct{})
			}
		})
	}, nil
}

type unlocker struct {
	f       ninep.File
	release func()
	once    sync.Once
}

func (u *unlocker) Close() error {
	var err error
	u.once.Do(func() {
		err = u.f.Close()
		u.release()
	})
	return err
}

// lockFile takes the exclusive-use lock L.mbox of the directory that
// holds file (relative to the user's mail directory, dir = the mail
// directory in ns): the lock upasfs itself takes to rewrite that
// mailbox (spec §1.8), so appends, .imp and subscription updates are
// excluded with deletions. (4e imap4d always used the top-level
// L.mbox, spec §5.8.) The caller closes the returned file to unlock.
func lockFile(ns ninep.FS, dir, file string, timeout time.Duration) (ninep.File, error) {
	return mailfs.LockDir(ns, path.Join(dir, path.Dir(file)), timeout)
}
