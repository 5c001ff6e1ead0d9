//go:build !plan9

package ninep

import (
	"io"

	"9fans.net/go/plan9"
	"9fans.net/go/plan9/client"
)

// remoteFile is an open fid. The client serialises nothing per fid beyond
// the offset, so a remoteFile may be used by several goroutines, but
// interleaved Reads then see an unpredictable split of the data.
type remoteFile struct {
	fid  *client.Fid
	name string
	// whole: the server serves the file in full (OpenWhole), so a read
	// shorter than asked is its end; iounit is the most one read carries.
	whole  bool
	iounit int
	eof    bool
}

// errNegOffset refuses a negative offset, which the client would take as
// "the current offset".
const errNegOffset = Error("negative offset")

// fileErr converts client errors, keeping io.EOF as is.
func fileErr(err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	return p9error(err)
}

func (f *remoteFile) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil // a 0-count Tread would answer EOF
	}
	if f.whole {
		if f.eof {
			return 0, io.EOF
		}
		if f.iounit > 0 && len(p) > f.iounit {
			p = p[:f.iounit]
		}
	}
	n, err := f.fid.Read(p)
	if f.whole && err == nil && n < len(p) && f.iounit > 0 {
		f.eof = true
	}
	return n, fileErr(err)
}

// ReadAt reads len(p) bytes at off, returning io.EOF if the file ends
// first (io.ReaderAt).
func (f *remoteFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errNegOffset
	}
	n, err := f.fid.ReadAt(p, off)
	return n, fileErr(err)
}

func (f *remoteFile) Write(p []byte) (int, error) {
	n, err := f.fid.Write(p)
	return n, fileErr(err)
}

func (f *remoteFile) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errNegOffset
	}
	n, err := f.fid.WriteAt(p, off)
	return n, fileErr(err)
}

// Close clunks the fid.
func (f *remoteFile) Close() error {
	return fileErr(f.fid.Close())
}

func (f *remoteFile) Stat() (*plan9.Dir, error) {
	d, err := f.fid.Stat()
	return d, fileErr(err)
}

func (f *remoteFile) ReadDir() ([]*plan9.Dir, error) {
	dirs, err := f.fid.Dirreadall()
	return dirs, fileErr(err)
}
