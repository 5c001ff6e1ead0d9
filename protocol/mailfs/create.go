package mailfs

import (
	"fmt"
	"path"

	"9fans.net/go/plan9"

	"p9mail/ninep"
)

// CreatePerm is the permission Plan 9's create(5) gives a file made
// with perm in a directory of mode dirMode: a file's bits are perm &
// (^0666 | dirMode&0666), a directory's perm & (^0777 | dirMode&0777).
// Other bits of perm (DMDIR, DMEXCL, DMAPPEND) are kept.
func CreatePerm(dirMode, perm plan9.Perm) plan9.Perm {
	mask := plan9.Perm(0666)
	if perm&plan9.DMDIR != 0 {
		mask = 0777
	}
	return perm &^ (mask &^ (dirMode & mask))
}

// Create creates name in ns as Plan 9 does (CreatePerm with its
// directory's mode; spec §2.10 gives imap4d's perms) and opens it with
// mode. See CreateExact.
func Create(ns ninep.FS, name string, mode uint8, perm plan9.Perm) (ninep.File, error) {
	dir, err := ns.Stat(path.Dir(name))
	if err != nil {
		return nil, err
	}
	return CreateExact(ns, name, mode, CreatePerm(dir.Mode, perm))
}

// CreateExact creates name in ns with exactly the permission bits of
// perm and opens it with mode. A host directory (ninep.Local, also
// behind the emulator's box attach) applies the process's umask at
// create, so the bits are set again by a wstat when they differ, as
// imap4d sets a new .imp's (spec §2.5).
func CreateExact(ns ninep.FS, name string, mode uint8, perm plan9.Perm) (ninep.File, error) {
	f, err := ns.Create(name, mode, perm)
	if err != nil {
		return nil, err
	}
	d, err := f.Stat()
	if err == nil && d.Mode&0777 != perm&0777 {
		w := plan9.Dir{}
		w.Null()
		w.Mode = d.Mode&^0777 | perm&0777
		err = ns.Wstat(name, &w)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	return f, nil
}

// WriteFile writes data to name as ns.WriteFile does (truncating), but
// a file it has to create gets exactly the bits perm returns
// (CreateExact).
func WriteFile(ns ninep.FS, name string, data []byte, perm func() (plan9.Perm, error)) error {
	f, err := ns.Open(name, plan9.OWRITE|plan9.OTRUNC)
	if ninep.IsNotExist(err) {
		var p plan9.Perm
		if p, err = perm(); err == nil {
			f, err = CreateExact(ns, name, plan9.OWRITE, p)
		}
	}
	if err != nil {
		return err
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", name, err)
	}
	return nil
}

// ModeOf returns the permission bits of the file name, for a file that
// belongs to it: a mailbox's .imp has its mailbox's (spec §2.5).
func ModeOf(ns ninep.FS, name string) func() (plan9.Perm, error) {
	return func() (plan9.Perm, error) {
		d, err := ns.Stat(name)
		if err != nil {
			return 0, err
		}
		return d.Mode & 0777, nil
	}
}

// ModeIn returns the bits Plan 9 gives a file made with perm in the
// directory of name (CreatePerm).
func ModeIn(ns ninep.FS, name string, perm plan9.Perm) func() (plan9.Perm, error) {
	return func() (plan9.Perm, error) {
		d, err := ns.Stat(path.Dir(name))
		if err != nil {
			return 0, err
		}
		return CreatePerm(d.Mode, perm) & 0777, nil
	}
}
