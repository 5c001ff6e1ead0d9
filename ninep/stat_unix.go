//go:build unix

package ninep

import (
	"io/fs"
	"os/user"
	"strconv"
	"sync"
	"syscall"

	"9fans.net/go/plan9"
)

// dir returns the plan9.Dir of a host file: baseDir plus the inode as
// Qid.Path, the access time, and owner and group names.
func (l *localFS) dir(fi fs.FileInfo, rel string) *plan9.Dir {
	d := baseDir(fi, rel)
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return d
	}
	d.Qid.Path = uint64(st.Ino)
	if a := atime(st); a != 0 {
		d.Atime = a
	}
	d.Uid = l.ids.user(st.Uid)
	d.Gid = l.ids.group(st.Gid)
	d.Muid = d.Uid
	return d
}

// idNames caches the names of numeric user and group ids. An id without
// a name is shown as its number.
type idNames struct {
	mu     sync.Mutex
	users  map[uint32]string
	groups map[uint32]string
}

func (c *idNames) user(id uint32) string {
	return c.lookup(&c.users, id, func(s string) (string, error) {
		u, err := user.LookupId(s)
		if err != nil {
			return "", err
		}
		return u.Username, nil
	})
}

func (c *idNames) group(id uint32) string {
	return c.lookup(&c.groups, id, func(s string) (string, error) {
		g, err := user.LookupGroupId(s)
		if err != nil {
			return "", err
		}
		return g.Name, nil
	})
}

func (c *idNames) lookup(m *map[uint32]string, id uint32, find func(string) (string, error)) string {
	c.mu.Lock()
	name, ok := (*m)[id]
	c.mu.Unlock()
	if ok {
		return name
	}
	name = strconv.FormatUint(uint64(id), 10)
	if n, err := find(name); err == nil && n != "" {
		name = n
	}
	c.mu.Lock()
	if *m == nil {
		*m = make(map[uint32]string)
	}
	(*m)[id] = name
	c.mu.Unlock()
	return name
}
