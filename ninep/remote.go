//go:build !plan9

package ninep

import (
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"sync"

	"9fans.net/go/plan9"
	"9fans.net/go/plan9/client"
)

// Attach speaks 9P2000 over conn (asking for msize 128 KiB) and attaches
// as user to the tree aname, returning its root. conn is usually a
// net.Conn; any byte stream will do (a pipe to a child's stdin/stdout).
// Attach owns conn from then on: it is closed on failure and by the FS's
// Close.
//
// The FS is safe for use by many goroutines: a fidGate keeps the client
// from reusing a fid number before the server has answered its clunk.
//
// A plan9port upas/fs accepts only its own login as user, and one failed
// attach poisons it (p9p-upasfs.md §6.1): pass the right name the first
// time.
func Attach(conn io.ReadWriteCloser, user, aname string) (FS, error) {
	g := newFidGate(conn)
	r, err := attach(g, user, aname)
	if err != nil {
		return nil, err
	}
	r.iounit = int(g.msize.Load()) - plan9.IOHDRSZ
	return r, nil
}

// Mount dials addr (see Dial) and attaches to it (see Attach).
func Mount(addr, user, aname string) (FS, error) {
	c, err := Dial(addr)
	if err != nil {
		return nil, err
	}
	return Attach(c, user, aname)
}

// attach runs version and attach over rwc, closing it on failure.
func attach(rwc io.ReadWriteCloser, user, aname string) (*remoteFS, error) {
	c, err := client.NewConn(rwc)
	if err != nil {
		rwc.Close()
		return nil, fmt.Errorf("ninep: version: %w", err)
	}
	fsys, err := c.Attach(nil, user, aname)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("ninep: attach %q as %q: %w", aname, user, p9error(err))
	}
	return &remoteFS{conn: c, fsys: fsys}, nil
}

// remoteFS is an FS over one 9P attach.
type remoteFS struct {
	conn   *client.Conn
	fsys   *client.Fsys
	iounit int // largest read the connection carries; 0 if unknown

	closeOnce sync.Once
	closeErr  error
}

// p9name turns an FS name into a walk path relative to the root; the
// client drops empty and "." elements, and Clean keeps ".." from climbing
// above the root.
func p9name(name string) string {
	return path.Clean("/" + name)[1:]
}

// p9error turns the client's error strings into Error values, so that
// errors.Is works on them; other errors pass unchanged.
func p9error(err error) error {
	var ce client.Error
	if errors.As(err, &ce) {
		return Error(ce)
	}
	return err
}

func (r *remoteFS) Open(name string, mode uint8) (File, error) {
	fid, err := r.fsys.Open(p9name(name), mode)
	if err != nil {
		return nil, pathErr("open", name, p9error(err))
	}
	return &remoteFile{fid: fid, name: name}, nil
}

func (r *remoteFS) Create(name string, mode uint8, perm plan9.Perm) (File, error) {
	fid, err := r.fsys.Create(p9name(name), mode, perm)
	if err != nil {
		return nil, pathErr("create", name, p9error(err))
	}
	return &remoteFile{fid: fid, name: name}, nil
}

func (r *remoteFS) Remove(name string) error {
	return pathErr("remove", name, p9error(r.fsys.Remove(p9name(name))))
}

func (r *remoteFS) Stat(name string) (*plan9.Dir, error) {
	d, err := r.fsys.Stat(p9name(name))
	if err != nil {
		return nil, pathErr("stat", name, p9error(err))
	}
	return d, nil
}

func (r *remoteFS) Wstat(name string, d *plan9.Dir) error {
	return pathErr("wstat", name, p9error(r.fsys.Wstat(p9name(name), d)))
}

// ReadFile opens name, reads until a read returns no data, and clunks.
// It does not trust the stat length (p9p-upasfs.md §3.3).
// OpenWhole opens name for reading, taking a short read as its end.
func (r *remoteFS) OpenWhole(name string) (File, error) {
	fid, err := r.fsys.Open(p9name(name), plan9.OREAD)
	if err != nil {
		return nil, pathErr("open", name, p9error(err))
	}
	return &remoteFile{fid: fid, name: name, whole: true, iounit: r.iounit}, nil
}

func (r *remoteFS) ReadFile(name string) ([]byte, error) {
	fid, err := r.fsys.Open(p9name(name), plan9.OREAD)
	if err != nil {
		return nil, pathErr("open", name, p9error(err))
	}
	data, err := readAll(fid, r.iounit)
	if cerr := fid.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, pathErr("read", name, p9error(err))
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
func readAll(fid *client.Fid, iounit int) ([]byte, error) {
	buf := make([]byte, 0, firstRead)
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(cap(buf), maxMsg))
		}
		want := cap(buf) - len(buf)
		if iounit > 0 {
			want = min(want, iounit)
		}
		n, err := fid.Read(buf[len(buf) : len(buf)+want])
		buf = buf[:len(buf)+n]
		if err == io.EOF || err == nil && n < want && iounit > 0 {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (r *remoteFS) ReadDir(name string) ([]*plan9.Dir, error) {
	fid, err := r.fsys.Open(p9name(name), plan9.OREAD)
	if err != nil {
		return nil, pathErr("open", name, p9error(err))
	}
	dirs, err := fid.Dirreadall()
	if cerr := fid.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, pathErr("readdir", name, p9error(err))
	}
	return dirs, nil
}

// WriteFile opens name OWRITE|OTRUNC, or creates it (mode 0666) if the
// open says it does not exist, and writes data. If the create fails too,
// the open's error is returned: a server that forbids create (upasfs)
// should still report the missing file.
func (r *remoteFS) WriteFile(name string, data []byte) error {
	p := p9name(name)
	fid, err := r.fsys.Open(p, plan9.OWRITE|plan9.OTRUNC)
	if err != nil && IsNotExist(err) {
		var cerr error
		if fid, cerr = r.fsys.Create(p, plan9.OWRITE, 0666); cerr == nil {
			err = nil
		}
	}
	if err != nil {
		return pathErr("open", name, p9error(err))
	}
	_, err = fid.Write(data)
	if cerr := fid.Close(); err == nil {
		err = cerr
	}
	return pathErr("write", name, p9error(err))
}

// Close clunks the root and closes the connection; files still open fail
// from then on. Calls after the first return the first one's result.
func (r *remoteFS) Close() error {
	r.closeOnce.Do(func() {
		err := r.fsys.Close()
		if cerr := r.conn.Close(); err == nil {
			err = cerr
		}
		r.closeErr = p9error(err)
	})
	return r.closeErr
}
