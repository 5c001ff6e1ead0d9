//go:build unix

package mbox

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

// dotlockStaleAge is how old a dotlock naming no checkable process
// must be before it is taken as stale.
const dotlockStaleAge = 5 * time.Minute

// lockDot takes the Unix dotlock path+".lock", the convention of
// procmail, mutt and dovecot: a file created exclusively that holds the
// holder's pid. A stale dotlock is removed and the creation retried
// once (see dotlockStale). In a directory where we may not create
// files the dotlock is skipped, as mutt and dovecot do; the other locks
// still apply.
func lockDot(path string) (func() error, error) {
	name := path + ".lock"
	err := createDotlock(name)
	if errors.Is(err, fs.ErrExist) {
		if !dotlockStale(name) {
			return nil, ErrBusy
		}
		if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("mbox: break stale dotlock: %w", err)
		}
		err = createDotlock(name)
		if errors.Is(err, fs.ErrExist) {
			return nil, ErrBusy
		}
	}
	switch {
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return func() error { return nil }, nil
	case err != nil:
		return nil, err
	}
	return func() error { return removeDotlock(name) }, nil
}

// createDotlock creates the dotlock name holding our pid. The pid is
// written to a private file first, which is then hard-linked to name
// (as liblockfile does), so that a crash never leaves an empty dotlock
// that would have to age 5 minutes. Where hard links are not
// supported, name is created with O_EXCL and written.
func createDotlock(name string) error {
	pid := strconv.Itoa(os.Getpid()) + "\n"
	tmp := fmt.Sprintf("%s.%d.%d", name, os.Getpid(), dotlockSeq.Add(1))
	if err := writeExcl(tmp, pid); err != nil {
		return err
	}
	err := os.Link(tmp, name)
	os.Remove(tmp)
	if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EMLINK) {
		return writeExcl(name, pid)
	}
	return err
}

// dotlockSeq tells apart the private files of this process's
// dotlock attempts.
var dotlockSeq atomic.Int64

// writeExcl creates name, which must not exist, holding content.
func writeExcl(name, content string) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("mbox: write dotlock: %w", err)
	}
	return nil
}

// dotlockStale reports whether the dotlock name may be broken: the
// process it names has gone, or it names none (procmail writes "0",
// some writers nothing) and it is older than dotlockStaleAge. A
// dotlock naming a live process is never stale. A dotlock that
// vanished meanwhile counts as stale: the retry creates a new one.
func dotlockStale(name string) bool {
	st, err := os.Stat(name)
	if err != nil {
		return errors.Is(err, fs.ErrNotExist)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return errors.Is(err, fs.ErrNotExist)
	}
	if pid, ok := dotlockPid(b); ok {
		return !processAlive(pid)
	}
	return time.Since(st.ModTime()) > dotlockStaleAge
}

// dotlockPid parses a dotlock's content: a decimal pid, possibly
// followed by white space or ":host" (dovecot).
func dotlockPid(b []byte) (int, bool) {
	if i := bytes.IndexAny(b, ": \t\r\n"); i >= 0 {
		b = b[:i]
	}
	pid, err := strconv.Atoi(string(b))
	return pid, err == nil && pid > 0
}

// processAlive reports whether a process with this pid exists.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// removeDotlock removes our dotlock, unless someone else's replaced it
// meanwhile (after breaking ours as stale).
func removeDotlock(name string) error {
	b, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mbox: unlock: %w", err)
	}
	if pid, ok := dotlockPid(b); !ok || pid != os.Getpid() {
		return nil
	}
	if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("mbox: unlock: %w", err)
	}
	return nil
}
