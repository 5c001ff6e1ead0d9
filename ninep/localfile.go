package ninep

import (
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
	rel    string // name relative to the root, cleaned
	rclose bool   // ORCLOSE: remove on Close
}

func (f *localFile) Read(p []byte) (int, error)               { return f.f.Read(p) }
func (f *localFile) ReadAt(p []byte, off int64) (int, error)  { return f.f.ReadAt(p, off) }
func (f *localFile) Write(p []byte) (int, error)              { return f.f.Write(p) }
func (f *localFile) WriteAt(p []byte, off int64) (int, error) { return f.f.WriteAt(p, off) }

// Close closes the file, which releases its lock, and removes it if it
// was opened ORCLOSE.
func (f *localFile) Close() error {
	err := f.f.Close()
	if f.rclose {
		if rerr := f.fs.root.Remove(f.rel); err == nil {
			err = rerr
		}
	}
	return err
}

func (f *localFile) Stat() (*plan9.Dir, error) {
	fi, err := f.f.Stat()
	if err != nil {
		return nil, err
	}
	return f.fs.dir(fi, f.rel), nil
}

// ReadDir returns the remaining entries sorted by name. A symbolic link is
// reported as what it leads to; one that leads outside the tree, or
// nowhere, is left out, since no name through it can be opened.
func (f *localFile) ReadDir() ([]*plan9.Dir, error) {
	infos, err := f.f.Readdir(-1)
	if err != nil {
		return nil, err
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
