package ninep

import (
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"9fans.net/go/plan9"
)

// localFile is an open host file; an exclusive-use lock, if any, is held
// until Close.
type localFile struct {
	fs     *localFS
	f      *os.File
	rel    string    // name relative to the root, cleaned
	rclose bool      // ORCLOSE: remove on Close
	unhold bool      // an L.mbox counted by fs.hold
	unlock io.Closer // LocalOptions.MailboxLock's locks, or nil
}

// relErr names the file by its name in the tree, not its host path, in
// an *fs.PathError; io.EOF and other errors pass unchanged.
func (f *localFile) relErr(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return &fs.PathError{Op: pe.Op, Path: f.rel, Err: pe.Err}
	}
	return err
}

func (f *localFile) Read(p []byte) (int, error) {
	n, err := f.f.Read(p)
	return n, f.relErr(err)
}

func (f *localFile) ReadAt(p []byte, off int64) (int, error) {
	n, err := f.f.ReadAt(p, off)
	return n, f.relErr(err)
}

func (f *localFile) Write(p []byte) (int, error) {
	n, err := f.f.Write(p)
	return n, f.relErr(err)
}

func (f *localFile) WriteAt(p []byte, off int64) (int, error) {
	n, err := f.f.WriteAt(p, off)
	return n, f.relErr(err)
}

// Close closes the file, which releases its lock, and removes it if it
// was opened ORCLOSE.
func (f *localFile) Close() error {
	err := f.f.Close()
	if f.unlock != nil {
		if uerr := f.unlock.Close(); err == nil {
			err = uerr
		}
		f.unlock = nil
	}
	if f.unhold {
		f.fs.hold(f.rel, -1)
		f.unhold = false
	}
	if f.rclose {
		if rerr := f.fs.root.Remove(f.rel); err == nil {
			err = rerr
		}
	}
	return f.relErr(err)
}

func (f *localFile) Stat() (*plan9.Dir, error) {
	fi, err := f.f.Stat()
	if err != nil {
		return nil, f.relErr(err)
	}
	return f.fs.dir(fi, f.rel), nil
}

// ReadDir returns the remaining entries sorted by name. A symbolic link is
// reported as what it leads to; one that leads outside the tree, or
// nowhere, is left out, since no name through it can be opened.
func (f *localFile) ReadDir() ([]*plan9.Dir, error) {
	infos, err := f.f.Readdir(-1)
	if err != nil {
		return nil, f.relErr(err)
	}
	dirs := make([]*plan9.Dir, 0, len(infos))
	for _, fi := range infos {
		rel := path.Join(f.rel, fi.Name())
		if fi.Mode()&os.ModeSymlink != 0 {
			if fi, err = f.fs.root.Stat(rel); err != nil {
				continue
			}
		}
		dirs = append(dirs, f.fs.dir(fi, rel))
	}
	slices.SortFunc(dirs, func(a, b *plan9.Dir) int { return strings.Compare(a.Name, b.Name) })
	return dirs, nil
}
