//go:build unix

package campaign

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"p9mail/upasfs/mbox"
)

// Deliver appends Message(id) to the mailbox file path as a Unix
// delivery agent does. With plan9 it uses mbox.Append, which takes
// Plan 9's L.mbox as well as the Unix locks; otherwise it takes only
// what procmail or dovecot's LDA take: the dotlock path+".lock"
// (created by a hard link from a file holding our pid, a stale one of
// a dead process broken) and an fcntl write lock on the file. The
// message is written in one write and fsync'ed before Deliver returns.
func Deliver(path, id string, plan9 bool, timeout time.Duration) error {
	msg := append([]byte(FromLine), Message(id)...)
	msg = append(msg, '\n')
	if plan9 {
		return mbox.Append(path, msg, timeout)
	}
	unlock, err := dotlock(path, timeout)
	if err != nil {
		return err
	}
	defer unlock()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0600)
	if err != nil {
		return err
	}
	defer f.Close()
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLKW, &lk); err != nil {
		return fmt.Errorf("fcntl: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if n := st.Size(); n > 0 {
		var tail [2]byte
		k := min(n, 2)
		if _, err := f.ReadAt(tail[2-k:], n-k); err != nil {
			return err
		}
		switch {
		case k == 2 && tail == [2]byte{'\n', '\n'}:
		case tail[1] == '\n':
			msg = append([]byte("\n"), msg...)
		default:
			msg = append([]byte("\n\n"), msg...)
		}
	}
	if _, err := f.Write(msg); err != nil {
		return err
	}
	return f.Sync()
}

// dotlock takes path+".lock" (see Deliver) and returns its release.
func dotlock(path string, timeout time.Duration) (func(), error) {
	name := path + ".lock"
	tmp := fmt.Sprintf("%s.mda.%d", name, os.Getpid())
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())+"\n"), 0644); err != nil {
		return nil, err
	}
	defer os.Remove(tmp)
	deadline := time.Now().Add(timeout)
	for {
		err := os.Link(tmp, name)
		if err == nil {
			return func() { os.Remove(name) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		if b, err := os.ReadFile(name); err == nil {
			pid, perr := strconv.Atoi(strings.TrimSpace(string(b)))
			if perr == nil && pid > 0 && syscall.Kill(pid, 0) == syscall.ESRCH {
				os.Remove(name) // stale: its holder is dead
				continue
			}
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("dotlock %s: held too long", name)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
