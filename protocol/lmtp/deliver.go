package lmtp

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"9fans.net/go/plan9"

	"p9mail/ninep"
	"p9mail/protocol/mailfs"
	"p9mail/upasfs/mbox"
)

// ErrNoUser is a recipient with no mail directory.
var ErrNoUser = errors.New("no such user")

// A Deliverer appends mail to users' mailboxes.
type Deliverer interface {
	// Resolve finds the mailbox file, relative to the user's mail
	// directory, that mail to user with detail (user+detail@...)
	// goes to: the mailbox named detail if it exists, else "mbox".
	// A user without a mail directory is ErrNoUser.
	Resolve(user, detail string) (box string, err error)
	// Deliver appends formatted, one message in mbox form
	// (mbox.Format), to the mailbox: all of it or, on error, none.
	Deliver(user, box string, formatted []byte) error
}

// Digest is the digest upasfs gives the message formatted (spec §1.4):
// the SHA-1 of its From line and lines, without the empty line after.
func Digest(formatted []byte) string {
	s := sha1.Sum(formatted[:len(formatted)-1])
	return hex.EncodeToString(s[:])
}

// okDetail reports whether detail may name a mailbox file: one or more
// path elements of the mail directory that are not lock, index or
// temporary files (the IMAP stop-list's names, spec §2.4).
func okDetail(detail string) bool {
	if detail == "" || len(detail) > 255 || detail[0] == '/' || detail != path.Clean(detail) {
		return false
	}
	for elem := range splitPath(detail) {
		switch {
		case elem == "." || elem == "..",
			len(elem) >= 2 && elem[:2] == "L.",
			hasSuffix(elem, ".imp"), hasSuffix(elem, ".tmp"), hasSuffix(elem, ".lock"),
			elem == "imap.subscribed", elem == "imap.ok":
			return false
		}
	}
	return true
}

func hasSuffix(s, suf string) bool { return len(s) >= len(suf) && s[len(s)-len(suf):] == suf }

// splitPath yields the elements of a slash-separated name.
func splitPath(name string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for name != "" {
			i := 0
			for i < len(name) && name[i] != '/' {
				i++
			}
			if !yield(name[:i]) {
				return
			}
			if i == len(name) {
				return
			}
			name = name[i+1:]
		}
	}
}

// HostDeliverer delivers into a mail root on this host
// (<Root>/box/<user>/) with mbox.Append: Plan 9's L.mbox, the Unix
// dotlock and fcntl lock, and an append record that the next writer
// honours if this one dies mid-append.
type HostDeliverer struct {
	Root        string
	LockTimeout time.Duration
}

func (h *HostDeliverer) dir(user string) (string, error) {
	if !mailfs.ValidUser(user) {
		return "", ErrNoUser
	}
	dir := filepath.Join(h.Root, "box", user)
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return "", ErrNoUser
	}
	return dir, nil
}

// Resolve implements Deliverer.
func (h *HostDeliverer) Resolve(user, detail string) (string, error) {
	dir, err := h.dir(user)
	if err != nil {
		return "", err
	}
	if okDetail(detail) && plainFile(dir, detail) {
		return detail, nil
	}
	return "mbox", nil
}

// plainFile reports whether name, below dir, is a regular file reached
// through directories only: no symbolic link on the way may lead a
// delivery out of the mail directory.
func plainFile(dir, name string) bool {
	p := dir
	elems := strings.Split(name, "/")
	for i, e := range elems {
		p = filepath.Join(p, e)
		st, err := os.Lstat(p)
		switch {
		case err != nil:
			return false
		case i < len(elems)-1 && !st.IsDir(), i == len(elems)-1 && !st.Mode().IsRegular():
			return false
		}
	}
	return true
}

// Deliver implements Deliverer.
func (h *HostDeliverer) Deliver(user, box string, formatted []byte) error {
	dir, err := h.dir(user)
	if err != nil {
		return err
	}
	return mbox.Append(filepath.Join(dir, filepath.FromSlash(box)), formatted, h.LockTimeout)
}

// NSDeliverer delivers through each user's name space (mailfs.Source:
// a upasfs over 9P with -fs), as imap4d's APPEND writes: under the
// directory's L.mbox, which a mail directory served by our upasfs
// extends with the Unix dotlock and fcntl lock (server.BoxOptions).
// The append record (mbox.Intent) is written through the name space
// too, and honoured under L.mbox before each delivery.
type NSDeliverer struct {
	Source      *mailfs.Source
	LockTimeout time.Duration
}

// Resolve implements Deliverer.
func (n *NSDeliverer) Resolve(user, detail string) (string, error) {
	if !mailfs.ValidUser(user) {
		return "", ErrNoUser
	}
	ns, err := n.Source.Namespace(user)
	if err != nil {
		return "", ErrNoUser
	}
	defer ns.Close()
	if okDetail(detail) {
		if d, err := ns.Stat(mailfs.MboxPath(user, detail)); err == nil && d.Mode&(plan9.DMDIR|plan9.DMAPPEND|plan9.DMEXCL) == 0 {
			return detail, nil
		}
	}
	return "mbox", nil
}

// Deliver implements Deliverer.
func (n *NSDeliverer) Deliver(user, box string, formatted []byte) error {
	ns, err := n.Source.Namespace(user)
	if err != nil {
		return ErrNoUser
	}
	defer ns.Close()
	dir := path.Join(mailfs.BoxDir, user, path.Dir(box))
	lock, err := lockDir(ns, dir, n.LockTimeout)
	if err != nil {
		return err
	}
	defer lock.Close()
	return appendNS(ns, dir, path.Base(box), formatted)
}

// lockDir takes dir's L.mbox through the name space (mailfs.LockDir),
// a timeout being mbox.ErrLocked as on the host.
func lockDir(ns ninep.FS, dir string, timeout time.Duration) (ninep.File, error) {
	f, err := mailfs.LockDir(ns, dir, timeout)
	if errors.Is(err, mailfs.ErrLockTimeout) {
		return nil, mbox.ErrLocked
	}
	return f, err
}

// appendNS appends data to dir/base under dir's L.mbox, held.
func appendNS(ns *ninep.NS, dir, base string, data []byte) error {
	name := path.Join(dir, base)
	rec := mailfs.IntentOf(name)
	if err := mailfs.RecoverAppend(ns, name); err != nil {
		return err
	}
	f, err := ns.Open(name, plan9.ORDWR)
	if ninep.IsNotExist(err) {
		f, err = mailfs.Create(ns, name, plan9.ORDWR, 0600)
	}
	if err != nil {
		return err
	}
	d, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	size := int64(d.Length)
	sep, err := separator(f, size)
	if err != nil {
		f.Close()
		return err
	}
	data = append([]byte(sep), data...)
	in := mbox.NewIntent(size, len(sep), data)
	if err := mailfs.WriteFile(ns, rec, in.Marshal(), mailfs.ModeOf(ns, name)); err != nil {
		f.Close()
		return fmt.Errorf("append record: %w", err)
	}
	err = writeAll(f, data, size)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// Cut back; if that fails the record stays for the next writer.
		if terr := mailfs.Truncate(ns, name, size); terr != nil {
			return errors.Join(err, terr)
		}
	}
	if rerr := ns.Remove(rec); err == nil && rerr != nil {
		err = fmt.Errorf("remove append record: %w", rerr)
	}
	return err
}

// writeAll writes data at off in Twrite-sized pieces.
func writeAll(f ninep.File, data []byte, off int64) error {
	const chunk = 64 << 10
	for len(data) > 0 {
		n, err := f.WriteAt(data[:min(len(data), chunk)], off)
		if err != nil {
			return err
		}
		if n == 0 {
			return io.ErrShortWrite
		}
		data, off = data[n:], off+int64(n)
	}
	return nil
}

// separator is what must follow size bytes of f for them to end with
// the empty line that ends a message.
func separator(f io.ReaderAt, size int64) (string, error) {
	if size == 0 {
		return "", nil
	}
	var b [2]byte
	k := min(size, 2)
	if n, err := f.ReadAt(b[2-k:], size-k); int64(n) < k {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return "", fmt.Errorf("read the end of the mailbox: %w", err)
	}
	switch {
	case k == 2 && b == [2]byte{'\n', '\n'}, k == 1 && b[1] == '\n':
		return "", nil
	case b[1] == '\n':
		return "\n", nil
	}
	return "\n\n", nil
}
