//go:build !plan9

package ninep

import (
	"io"
	"sync"

	"9fans.net/go/plan9"
)

// remoteFile is an open fid. It may be used by several goroutines, but
// interleaved Reads then see an unpredictable split of the data.
type remoteFile struct {
	c   *conn
	fid uint32
	// whole: the server serves the file in full (OpenWhole), so a read
	// shorter than asked is its end.
	whole bool

	mu     sync.Mutex
	offset int64 // of Read, Write and ReadDir
	eof    bool  // whole: a short read was seen
	closed bool
}

// errNegOffset refuses a negative offset.
const errNegOffset = Error("negative offset")

// errFileClosed is the error of a File used after Close.
const errFileClosed = Error("file already closed")

// next returns the offset for the next sequential operation.
func (f *remoteFile) next() (int64, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return 0, false, errFileClosed
	}
	return f.offset, f.eof, nil
}

// advance moves the offset past n bytes.
func (f *remoteFile) advance(n int, eof bool) {
	f.mu.Lock()
	f.offset += int64(n)
	f.eof = f.eof || eof
	f.mu.Unlock()
}

func (f *remoteFile) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil // a 0-count Tread would answer EOF
	}
	off, eof, err := f.next()
	if err != nil {
		return 0, err
	}
	if eof {
		return 0, io.EOF
	}
	want := min(len(p), f.c.iounit())
	n, err := f.c.read(f.fid, p[:want], off)
	f.advance(n, f.whole && err == nil && n < want)
	return n, err
}

// ReadAt reads len(p) bytes at off, returning io.EOF if the file ends
// first (io.ReaderAt).
func (f *remoteFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errNegOffset
	}
	total := 0
	for total < len(p) {
		n, err := f.c.read(f.fid, p[total:], off+int64(total))
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func (f *remoteFile) Write(p []byte) (int, error) {
	off, _, err := f.next()
	if err != nil {
		return 0, err
	}
	n, err := f.c.write(f.fid, p, off)
	f.advance(n, false)
	return n, err
}

func (f *remoteFile) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errNegOffset
	}
	return f.c.write(f.fid, p, off)
}

// Close clunks the fid.
func (f *remoteFile) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return errFileClosed
	}
	f.closed = true
	f.mu.Unlock()
	return f.c.clunk(f.fid)
}

func (f *remoteFile) Stat() (*plan9.Dir, error) {
	return f.c.stat(f.fid)
}

// ReadDir reads the directory's entries from the current offset to its
// end. Each read returns whole entries (read(5)).
func (f *remoteFile) ReadDir() ([]*plan9.Dir, error) {
	var dirs []*plan9.Dir
	err := f.dirChunks(func(b []byte) error {
		d, err := unpackDirs(b)
		dirs = append(dirs, d...)
		return err
	})
	return dirs, err
}

// dirChunks reads the directory from the current offset to its end and
// hands each read's data to each, the first read asking for little
// (dirRead).
func (f *remoteFile) dirChunks(each func([]byte) error) error {
	buf := make([]byte, f.c.dirRead(0))
	for {
		off, _, err := f.next()
		if err != nil {
			return err
		}
		n, err := f.c.read(f.fid, buf, off)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		f.advance(n, false)
		if err := each(buf[:n]); err != nil {
			return err
		}
		if k := f.c.dirRead(n); k > len(buf) {
			buf = make([]byte, k)
		}
	}
}
