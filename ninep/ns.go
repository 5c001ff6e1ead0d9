package ninep

import (
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"9fans.net/go/plan9"
)

// NS is a tiny Plan 9 name space: it maps path prefixes to FS trees, e.g.
//
//	ns.Bind("/mail/fs", upasfs)
//	ns.Bind("/mail/box/alice", box)
//
// A name is served by the tree bound at its longest matching prefix, which
// sees the rest of the name relative to its root. Names in an NS are taken
// from the name space's root whether or not they begin with "/". A name
// under no prefix gives "file does not exist". There are no union
// directories: the parents of bind points (here "/mail") do not exist
// unless something is bound there.
//
// NS is an FS and is safe for use by many goroutines.
type NS struct {
	mu    sync.RWMutex
	binds []binding // longest prefix first
}

type binding struct {
	prefix string // cleaned, absolute
	tree   FS
}

// NewNS returns an empty name space.
func NewNS() *NS { return &NS{} }

// Bind binds tree at prefix, replacing any tree bound at the same prefix
// (like bind(1) with MREPL). A nil tree removes the binding (unmount(1)).
// Bind does not close a tree it replaces or removes.
func (ns *NS) Bind(prefix string, tree FS) {
	prefix = path.Clean("/" + prefix)
	ns.mu.Lock()
	defer ns.mu.Unlock()
	for i := range ns.binds {
		if ns.binds[i].prefix == prefix {
			if tree == nil {
				ns.binds = slices.Delete(ns.binds, i, i+1)
			} else {
				ns.binds[i].tree = tree
			}
			return
		}
	}
	if tree == nil {
		return
	}
	ns.binds = append(ns.binds, binding{prefix, tree})
	sort.SliceStable(ns.binds, func(i, j int) bool {
		return len(ns.binds[i].prefix) > len(ns.binds[j].prefix)
	})
}

// resolve finds the tree serving name and the name relative to it.
func (ns *NS) resolve(op, name string) (FS, string, error) {
	p := path.Clean("/" + name)
	ns.mu.RLock()
	defer ns.mu.RUnlock()
	for _, b := range ns.binds {
		switch {
		case b.prefix == "/":
			return b.tree, p[1:], nil
		case p == b.prefix:
			return b.tree, "", nil
		case strings.HasPrefix(p, b.prefix+"/"):
			return b.tree, p[len(b.prefix)+1:], nil
		}
	}
	return nil, "", pathErr(op, name, errNotExist)
}

// rename puts the name space's name for a file into a tree's
// *fs.PathError, which holds the name relative to that tree.
func rename(err error, name string) error {
	if pe, ok := err.(*fs.PathError); ok {
		return &fs.PathError{Op: pe.Op, Path: name, Err: pe.Err}
	}
	return err
}

func (ns *NS) Open(name string, mode uint8) (File, error) {
	tree, rel, err := ns.resolve("open", name)
	if err != nil {
		return nil, err
	}
	f, err := tree.Open(rel, mode)
	return f, rename(err, name)
}

// OpenWhole opens name with the tree's OpenWhole (see WholeOpener).
func (ns *NS) OpenWhole(name string) (File, error) {
	tree, rel, err := ns.resolve("open", name)
	if err != nil {
		return nil, err
	}
	f, err := OpenWhole(tree, rel)
	return f, rename(err, name)
}

func (ns *NS) Create(name string, mode uint8, perm plan9.Perm) (File, error) {
	tree, rel, err := ns.resolve("create", name)
	if err != nil {
		return nil, err
	}
	f, err := tree.Create(rel, mode, perm)
	return f, rename(err, name)
}

func (ns *NS) Remove(name string) error {
	tree, rel, err := ns.resolve("remove", name)
	if err != nil {
		return err
	}
	return rename(tree.Remove(rel), name)
}

func (ns *NS) Stat(name string) (*plan9.Dir, error) {
	tree, rel, err := ns.resolve("stat", name)
	if err != nil {
		return nil, err
	}
	d, err := tree.Stat(rel)
	return d, rename(err, name)
}

func (ns *NS) Wstat(name string, d *plan9.Dir) error {
	tree, rel, err := ns.resolve("wstat", name)
	if err != nil {
		return err
	}
	return rename(tree.Wstat(rel, d), name)
}

func (ns *NS) ReadFile(name string) ([]byte, error) {
	tree, rel, err := ns.resolve("open", name)
	if err != nil {
		return nil, err
	}
	data, err := tree.ReadFile(rel)
	return data, rename(err, name)
}

func (ns *NS) ReadDir(name string) ([]*plan9.Dir, error) {
	tree, rel, err := ns.resolve("open", name)
	if err != nil {
		return nil, err
	}
	dirs, err := tree.ReadDir(rel)
	return dirs, rename(err, name)
}

// ReadDirEntries lists a directory of the tree name is in (see
// ReadDirEntries).
func (ns *NS) ReadDirEntries(name string) ([]Entry, error) {
	tree, rel, err := ns.resolve("open", name)
	if err != nil {
		return nil, err
	}
	ents, err := ReadDirEntries(tree, rel)
	return ents, rename(err, name)
}

func (ns *NS) WriteFile(name string, data []byte) error {
	tree, rel, err := ns.resolve("open", name)
	if err != nil {
		return err
	}
	return rename(tree.WriteFile(rel, data), name)
}

// Close closes every bound tree (a tree bound twice is closed twice; the
// trees of this package allow that) and empties the name space. It
// returns the first error.
// Lost returns why a tree bound in ns can no longer serve, if one
// cannot (see Lost).
func (ns *NS) Lost() error {
	ns.mu.RLock()
	defer ns.mu.RUnlock()
	for _, b := range ns.binds {
		if err := Lost(b.tree); err != nil {
			return err
		}
	}
	return nil
}

func (ns *NS) Close() error {
	ns.mu.Lock()
	binds := ns.binds
	ns.binds = nil
	ns.mu.Unlock()
	var first error
	for _, b := range binds {
		if err := b.tree.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
