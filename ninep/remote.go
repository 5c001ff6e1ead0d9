//go:build !plan9

package ninep

import (
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"sync"

	"9fans.net/go/plan9"
)

// Attach speaks 9P2000 over conn (asking for msize 128 KiB) and attaches
// as user to the tree aname, returning its root. conn is usually a
// net.Conn; any byte stream will do (a pipe to a child's stdin/stdout).
// Attach owns conn from then on: it is closed on failure and by the FS's
// Close.
//
// The FS is safe for use by many goroutines; the client (conn) frees a
// fid number only once the server has answered its clunk.
//
// A plan9port upas/fs accepts only its own login as user, and one failed
// attach poisons it (p9p-upasfs.md §6.1): pass the right name the first
// time.
func Attach(rwc io.ReadWriteCloser, user, aname string) (FS, error) {
	c, err := dialConn(rwc)
	if err != nil {
		return nil, fmt.Errorf("ninep: version: %w", err)
	}
	root, _, err := c.attach(user, aname, plan9.NOFID)
	if err != nil {
		c.close()
		return nil, fmt.Errorf("ninep: attach %q as %q: %w", aname, user, err)
	}
	return &remoteFS{c: c, root: root}, nil
}

// Mount dials addr (see Dial) and attaches to it (see Attach).
func Mount(addr, user, aname string) (FS, error) {
	c, err := Dial(addr)
	if err != nil {
		return nil, err
	}
	return Attach(c, user, aname)
}

// remoteFS is an FS over one 9P attach.
type remoteFS struct {
	c    *conn
	root uint32

	closeOnce sync.Once
	closeErr  error
}

// p9name turns an FS name into a walk path relative to the root; walk
// drops empty and "." elements, and Clean keeps ".." from climbing
// above the root.
func p9name(name string) string {
	return path.Clean("/" + name)[1:]
}

// open walks to name and opens it with mode.
func (r *remoteFS) open(name string, mode uint8) (uint32, error) {
	fid, err := r.c.walk(r.root, p9name(name))
	if err != nil {
		return 0, err
	}
	if _, err := r.c.rpc(&plan9.Fcall{Type: plan9.Topen, Fid: fid, Mode: mode}, plan9.NOFID); err != nil {
		r.c.clunk(fid)
		return 0, err
	}
	return fid, nil
}

func (r *remoteFS) Open(name string, mode uint8) (File, error) {
	fid, err := r.open(name, mode)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	return &remoteFile{c: r.c, fid: fid}, nil
}

func (r *remoteFS) Create(name string, mode uint8, perm plan9.Perm) (File, error) {
	fid, err := r.create(name, mode, perm)
	if err != nil {
		return nil, pathErr("create", name, err)
	}
	return &remoteFile{c: r.c, fid: fid}, nil
}

// create walks to the directory of name and creates it there.
func (r *remoteFS) create(name string, mode uint8, perm plan9.Perm) (uint32, error) {
	p := p9name(name)
	dir, elem := "", p
	if i := strings.LastIndex(p, "/"); i >= 0 {
		dir, elem = p[:i], p[i+1:]
	}
	fid, err := r.c.walk(r.root, dir)
	if err != nil {
		return 0, err
	}
	if _, err := r.c.rpc(&plan9.Fcall{Type: plan9.Tcreate, Fid: fid, Name: elem, Perm: perm, Mode: mode}, plan9.NOFID); err != nil {
		r.c.clunk(fid)
		return 0, err
	}
	return fid, nil
}

func (r *remoteFS) Remove(name string) error {
	fid, err := r.c.walk(r.root, p9name(name))
	if err == nil {
		err = r.c.remove(fid)
	}
	return pathErr("remove", name, err)
}

func (r *remoteFS) Stat(name string) (*plan9.Dir, error) {
	fid, err := r.c.walk(r.root, p9name(name))
	if err != nil {
		return nil, pathErr("stat", name, err)
	}
	d, err := r.c.stat(fid)
	r.c.clunk(fid)
	if err != nil {
		return nil, pathErr("stat", name, err)
	}
	return d, nil
}

func (r *remoteFS) Wstat(name string, d *plan9.Dir) error {
	fid, err := r.c.walk(r.root, p9name(name))
	if err == nil {
		err = r.c.wstat(fid, d)
		r.c.clunk(fid)
	}
	return pathErr("wstat", name, err)
}

// OpenWhole opens name for reading, taking a short read as its end.
func (r *remoteFS) OpenWhole(name string) (File, error) {
	fid, err := r.open(name, plan9.OREAD)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	return &remoteFile{c: r.c, fid: fid, whole: true}, nil
}

// ReadFile opens name, reads it to its end, and clunks. It does not
// trust the stat length (p9p-upasfs.md §3.3).
func (r *remoteFS) ReadFile(name string) ([]byte, error) {
	fid, err := r.open(name, plan9.OREAD)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	data, err := r.c.readAll(fid)
	if cerr := r.c.clunk(fid); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, pathErr("read", name, err)
	}
	return data, nil
}

// firstRead is the count of the first Tread of ReadFile: most upasfs
// files are small (a digest is 40 bytes, an info a few hundred), and
// srv9p allocates and clears the count it is asked for. Later reads
// grow to the msize the connection allows.
const firstRead = 2 << 10

// readAll reads fid to the end. A read that returns less than it asked
// for is taken as the end: file servers answer reads of ordinary files
// in full (read(5)), and it saves the round trip that would return 0.
// ReadFile is for files, not streams.
func (c *conn) readAll(fid uint32) ([]byte, error) {
	buf := make([]byte, 0, firstRead)
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(cap(buf), maxMsg))
		}
		want := min(cap(buf)-len(buf), c.iounit())
		n, err := c.read(fid, buf[len(buf):len(buf)+want], int64(len(buf)))
		buf = buf[:len(buf)+n]
		if err == io.EOF || err == nil && n < want {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (r *remoteFS) ReadDir(name string) ([]*plan9.Dir, error) {
	fid, err := r.open(name, plan9.OREAD)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	f := &remoteFile{c: r.c, fid: fid}
	dirs, err := f.ReadDir()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, pathErr("readdir", name, err)
	}
	return dirs, nil
}

// ReadDirEntries lists a directory taking only the name and the qid
// type of each entry from the stat bytes (stat(5)): size[2] type[2]
// dev[4] qid[13] (its type first) mode[4] atime[4] mtime[4] length[8]
// name[s] ...
func (r *remoteFS) ReadDirEntries(name string) ([]Entry, error) {
	fid, err := r.open(name, plan9.OREAD)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	f := &remoteFile{c: r.c, fid: fid}
	defer f.Close()
	var ents []Entry
	err = f.dirChunks(func(b []byte) (err error) {
		ents, err = appendEntries(ents, b)
		return err
	})
	if err != nil {
		return nil, pathErr("readdir", name, err)
	}
	return ents, nil
}

// firstDirRead is the count of a directory's first read: srv9p
// allocates and clears the count it is asked for, and most directories
// (a message's files, a mail directory) fit in it; a read that comes
// back more than half full doubles the next one, up to the iounit.
const firstDirRead = 8 << 10

// dirRead is the count of the read after one that returned got bytes
// (0: the first).
func (c *conn) dirRead(got int) int {
	if got == 0 {
		return min(firstDirRead, c.iounit())
	}
	return min(max(firstDirRead, 4*got), c.iounit())
}

// appendEntries appends the entries of a directory read's data.
func appendEntries(ents []Entry, b []byte) ([]Entry, error) {
	for len(b) > 0 {
		if len(b) < 2 {
			return ents, errBadEntry
		}
		size := 2 + (int(b[0]) | int(b[1])<<8)
		if size > len(b) || size < statNameOff+2 {
			return ents, errBadEntry
		}
		nlen := int(b[statNameOff]) | int(b[statNameOff+1])<<8
		if statNameOff+2+nlen > size {
			return ents, errBadEntry
		}
		ents = append(ents, Entry{
			Name:  string(b[statNameOff+2 : statNameOff+2+nlen]),
			IsDir: b[statQidType]&plan9.QTDIR != 0,
		})
		b = b[size:]
	}
	return ents, nil
}

var errBadEntry = plan9.ProtocolError("malformed directory entry")

// Offsets in a stat entry (stat(5)), counting its size field.
const (
	statQidType = 2 + 2 + 4
	statNameOff = statQidType + 13 + 4 + 4 + 4 + 8
)

// WriteFile opens name OWRITE|OTRUNC, or creates it (mode 0666) if the
// open says it does not exist, and writes data. If the create fails too,
// the open's error is returned: a server that forbids create (upasfs)
// should still report the missing file.
func (r *remoteFS) WriteFile(name string, data []byte) error {
	fid, err := r.open(name, plan9.OWRITE|plan9.OTRUNC)
	if err != nil && IsNotExist(err) {
		var cerr error
		if fid, cerr = r.create(name, plan9.OWRITE, 0666); cerr == nil {
			err = nil
		}
	}
	if err != nil {
		return pathErr("open", name, err)
	}
	_, err = r.c.write(fid, data, 0)
	if cerr := r.c.clunk(fid); err == nil {
		err = cerr
	}
	return pathErr("write", name, err)
}

// Lost returns the error that ended the 9P connection, if it ended by
// a failure rather than by Close.
func (r *remoteFS) Lost() error {
	r.c.mu.Lock()
	defer r.c.mu.Unlock()
	if r.c.err == errClosed {
		return nil
	}
	return r.c.err
}

// Close clunks the root and closes the connection; files still open fail
// from then on. Calls after the first return the first one's result.
func (r *remoteFS) Close() error {
	r.closeOnce.Do(func() {
		err := r.c.clunk(r.root)
		if cerr := r.c.close(); err == nil {
			err = cerr
		}
		r.closeErr = err
	})
	return r.closeErr
}
