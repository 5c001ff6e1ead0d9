package ninep

import (
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	"9fans.net/go/plan9"
)

// Wstat applies the fields of d that are not "don't touch" values (wstat(5)):
// Length truncates, Mode sets the permission bits, Mtime sets the
// modification time, and a new Name renames within the directory. As on
// Plan 9, a rename onto an existing name fails ("file already exists"), the
// DMDIR bit cannot change, and Uid and Gid cannot be set. Unlike Plan 9's,
// the changes are not atomic: a failure may leave earlier ones made.
func (l *localFS) Wstat(name string, d *plan9.Dir) error {
	rel, err := localName(name)
	if err != nil {
		return pathErr("wstat", name, err)
	}
	if err := l.wstat(rel, d); err != nil {
		return localErr("wstat", name, err)
	}
	return nil
}

func (l *localFS) wstat(rel string, d *plan9.Dir) error {
	if d.Uid != "" || d.Gid != "" || d.Muid != "" {
		return errPermission
	}
	if d.Length != ^uint64(0) {
		if err := l.truncate(rel, d.Length); err != nil {
			return err
		}
	}
	if d.Mode != ^plan9.Perm(0) {
		if err := l.chmod(rel, d.Mode); err != nil {
			return err
		}
	}
	if d.Mtime != ^uint32(0) {
		t := time.Unix(int64(d.Mtime), 0)
		if err := l.root.Chtimes(rel, t, t); err != nil {
			return err
		}
	}
	if d.Name != "" && d.Name != path.Base(rel) {
		return l.rename(rel, d.Name)
	}
	return nil
}

func (l *localFS) truncate(rel string, length uint64) error {
	if length > 1<<62 {
		return Error("bad length in wstat")
	}
	f, err := l.root.OpenFile(rel, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	err = f.Truncate(int64(length))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (l *localFS) chmod(rel string, mode plan9.Perm) error {
	fi, err := l.root.Stat(rel)
	if err != nil {
		return err
	}
	if (mode&plan9.DMDIR != 0) != fi.IsDir() {
		return Error("wstat cannot change DMDIR bit")
	}
	return l.root.Chmod(rel, fs.FileMode(mode&0777))
}

// rename renames rel to elem in the same directory.
func (l *localFS) rename(rel, elem string) error {
	if rel == "." {
		return errPermission
	}
	if elem == "." || elem == ".." || strings.ContainsAny(elem, "/\x00") {
		return errBadName
	}
	to := path.Join(path.Dir(rel), elem)
	if _, err := l.root.Lstat(to); err == nil {
		return errExist
	}
	return l.root.Rename(rel, to)
}
