package ninep

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"

	"9fans.net/go/plan9"
)

// localFS is an FS over a host directory. All access goes through an
// os.Root, which refuses any name, ".." or symbolic link, that resolves
// outside the directory (spec decisions §11).
type localFS struct {
	root *os.Root
	ids  idNames
	opts LocalOptions

	mu   sync.Mutex
	held map[string]int // directory → L.mbox files this FS holds open there

	closeOnce sync.Once
	closeErr  error
}

// Local returns an FS over the host directory dir. No name reaches outside
// dir: names whose cleaned form climbs out with ".." are refused, and so is
// every symbolic link that resolves outside dir or is absolute.
//
// Files whose name begins "L." are Plan 9 exclusive-use files (DMEXCL, as
// upas's L.mbox; spec §1.8, §2.11): on Unix, Open, Create, ReadFile and
// WriteFile of one take a non-blocking flock(2) exclusive lock and fail with
// "file locked" (see IsLocked) while another open holds it, in this process
// or another; the lock goes with Close. On Plan 9 the file server enforces
// DMEXCL itself.
func Local(dir string) (FS, error) { return LocalWith(dir, LocalOptions{}) }

// LocalOptions adjust an FS from LocalWith.
type LocalOptions struct {
	// MailboxLock, if set, is called with the host path of a mailbox
	// file opened for writing in a directory whose L.mbox this FS holds
	// open (a front end appending mail under Plan 9's lock), and what
	// it returns is closed with the file. It takes the locks Unix
	// delivery agents use (upasfs/mbox.LockUnix: dotlock and fcntl), so
	// that an append through the name space excludes them as upasfs's
	// own rewrites do. Mailbox files are those mailFile says.
	MailboxLock func(hostPath string) (io.Closer, error)
}

// LocalWith is Local with options.
func LocalWith(dir string, opts LocalOptions) (FS, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("ninep: local: %w", err)
	}
	return &localFS{root: root, opts: opts}, nil
}

// mailFile reports whether rel may be a mailbox file for MailboxLock:
// not a lock file, a .imp or state file, a temporary file, a dotlock or
// the subscription list (spec §2.4's stop-list).
func mailFile(rel string) bool {
	b := path.Base(rel)
	return !strings.HasPrefix(b, "L.") && !strings.HasPrefix(b, "imap-tmp.") &&
		!strings.HasSuffix(b, ".imp") && !strings.HasSuffix(b, ".lock") && b != "imap.subscribed"
}

// hold counts an open L.mbox in rel's directory; release undoes it.
func (l *localFS) hold(rel string, n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held == nil {
		l.held = map[string]int{}
	}
	dir := path.Dir(rel)
	if l.held[dir] += n; l.held[dir] <= 0 {
		delete(l.held, dir)
	}
}

func (l *localFS) holds(rel string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held[path.Dir(rel)] > 0
}

// localName cleans an FS name into a name relative to the root ("." for
// the root itself), refusing one that climbs out with "..".
func localName(name string) (string, error) {
	if strings.IndexByte(name, 0) >= 0 {
		return "", errBadName
	}
	rel := path.Clean(strings.TrimLeft(name, "/"))
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "", errPermission
	}
	return rel, nil
}

// exclusive reports whether rel names a Plan 9 exclusive-use file.
func exclusive(rel string) bool {
	return strings.HasPrefix(path.Base(rel), "L.")
}

// localErr gives an os error its Plan 9 text (spec decisions §3), keeping
// the other errors' own text.
func localErr(op, name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		err = errNotExist
	case errors.Is(err, fs.ErrPermission), strings.Contains(err.Error(), "escapes"):
		err = errPermission
	case errors.Is(err, fs.ErrExist):
		err = errExist
	}
	return pathErr(op, name, err)
}

// openFlags maps a Plan 9 open mode to os flags. OTRUNC is left to the
// caller, which truncates only once it holds an exclusive-use lock.
func openFlags(mode uint8) int {
	switch mode & 3 {
	case plan9.OWRITE:
		return os.O_WRONLY
	case plan9.ORDWR:
		return os.O_RDWR
	}
	return os.O_RDONLY // OREAD, OEXEC
}

func (l *localFS) Open(name string, mode uint8) (File, error) {
	return l.open("open", name, openFlags(mode), 0, mode&plan9.OTRUNC != 0, mode&plan9.ORCLOSE != 0)
}

// open opens name with flags (O_TRUNC excluded), locks it if it is an
// exclusive-use file, then truncates it if trunc is set.
func (l *localFS) open(op, name string, flags int, perm fs.FileMode, trunc, rclose bool) (File, error) {
	rel, err := localName(name)
	if err != nil {
		return nil, pathErr(op, name, err)
	}
	f, err := l.root.OpenFile(rel, flags, perm)
	if err != nil {
		return nil, localErr(op, name, err)
	}
	lf := &localFile{fs: l, f: f, rel: rel, rclose: rclose}
	if exclusive(rel) {
		if err := lockExclusive(f); err != nil {
			f.Close()
			return nil, pathErr(op, name, err)
		}
		if path.Base(rel) == "L.mbox" {
			l.hold(rel, 1)
			lf.unhold = true
		}
	}
	if l.opts.MailboxLock != nil && flags&(os.O_WRONLY|os.O_RDWR) != 0 && mailFile(rel) && l.holds(rel) {
		c, err := l.opts.MailboxLock(path.Join(l.root.Name(), rel))
		if err != nil {
			f.Close()
			return nil, pathErr(op, name, err)
		}
		lf.unlock = c
	}
	if trunc {
		// A file opened for reading only cannot be truncated through
		// its descriptor (EINVAL): Plan 9's create with OREAD still
		// truncates, so do it by name.
		terr := f.Truncate(0)
		if terr != nil && flags&(os.O_WRONLY|os.O_RDWR) == 0 {
			terr = l.truncateName(rel)
		}
		if terr != nil {
			f.Close()
			return nil, localErr(op, name, terr)
		}
	}
	return lf, nil
}

// Create creates name as Plan 9 create(5) does: a directory if perm has
// DMDIR (opened for reading; an existing directory is an error), else a
// file, truncated if it exists. DMAPPEND opens the file for appending (a
// lasting append-only bit exists on Plan 9 only).
func (l *localFS) Create(name string, mode uint8, perm plan9.Perm) (File, error) {
	rel, err := localName(name)
	if err != nil {
		return nil, pathErr("create", name, err)
	}
	if rel == "." {
		return nil, pathErr("create", name, errExist)
	}
	if perm&plan9.DMDIR != 0 {
		if err := l.root.Mkdir(rel, fs.FileMode(perm&0777)); err != nil {
			return nil, localErr("create", name, err)
		}
		return l.open("create", name, os.O_RDONLY, 0, false, mode&plan9.ORCLOSE != 0)
	}
	flags := openFlags(mode) | os.O_CREATE
	if perm&plan9.DMAPPEND != 0 {
		flags |= os.O_APPEND
	}
	return l.open("create", name, flags, hostPerm(perm), true, mode&plan9.ORCLOSE != 0)
}

func (l *localFS) Remove(name string) error {
	rel, err := localName(name)
	if err != nil {
		return pathErr("remove", name, err)
	}
	if rel == "." {
		return pathErr("remove", name, errPermission)
	}
	if err := l.root.Remove(rel); err != nil {
		return localErr("remove", name, err)
	}
	return nil
}

func (l *localFS) Stat(name string) (*plan9.Dir, error) {
	rel, err := localName(name)
	if err != nil {
		return nil, pathErr("stat", name, err)
	}
	fi, err := l.root.Stat(rel)
	if err != nil {
		return nil, localErr("stat", name, err)
	}
	return l.dir(fi, rel), nil
}

func (l *localFS) ReadFile(name string) ([]byte, error) {
	f, err := l.Open(name, plan9.OREAD)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, localErr("read", name, err)
	}
	return data, nil
}

func (l *localFS) ReadDir(name string) ([]*plan9.Dir, error) {
	f, err := l.Open(name, plan9.OREAD)
	if err != nil {
		return nil, err
	}
	dirs, err := f.ReadDir()
	f.Close()
	if err != nil {
		return nil, localErr("readdir", name, err)
	}
	return dirs, nil
}

// WriteFile creates name (mode 0666) if absent, locks it if exclusive-use,
// truncates it and writes data.
func (l *localFS) WriteFile(name string, data []byte) error {
	f, err := l.open("open", name, os.O_WRONLY|os.O_CREATE, 0666, true, false)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return localErr("write", name, err)
	}
	return nil
}

// Close closes the root directory; later calls return the first result.
func (l *localFS) Close() error {
	l.closeOnce.Do(func() { l.closeErr = l.root.Close() })
	return l.closeErr
}

// truncateName truncates the file rel to 0 bytes without following a
// symbolic link out of the tree.
func (l *localFS) truncateName(rel string) error {
	f, err := l.root.OpenFile(rel, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Truncate(0)
}
