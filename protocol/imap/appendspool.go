package imap

import (
	"errors"
	"io"
	"os"
)

// appendSpoolMem is how much of one message an APPEND or COPY holds in
// memory while it spools the message (mboxWriter); the rest goes to a
// temporary file of the gateway's host (os.TempDir), removed when the
// command ends. A message is spooled whole so that its append record,
// which gives its length and SHA-1, is written before it.
const appendSpoolMem = 1 << 20

// A spool holds one message: in memory up to max bytes, then in a
// temporary file.
type spool struct {
	max  int
	mem  []byte
	file *os.File
	n    int64
}

// write adds p.
func (sp *spool) write(p []byte) error {
	if sp.file == nil && len(sp.mem)+len(p) <= sp.max {
		sp.mem = append(sp.mem, p...)
		sp.n += int64(len(p))
		return nil
	}
	if sp.file == nil {
		f, err := os.CreateTemp("", "p9mail-append-")
		if err != nil {
			return err
		}
		sp.file = f
		if _, err := f.Write(sp.mem); err != nil {
			return err
		}
		sp.mem = sp.mem[:0]
	}
	if _, err := sp.file.Write(p); err != nil {
		return err
	}
	sp.n += int64(len(p))
	return nil
}

// reset empties the spool for the next message.
func (sp *spool) reset() error {
	sp.mem, sp.n = sp.mem[:0], 0
	if sp.file == nil {
		return nil
	}
	if err := sp.file.Truncate(0); err != nil {
		return err
	}
	_, err := sp.file.Seek(0, io.SeekStart)
	return err
}

// writeTo writes the spooled bytes to f at off, in Twrite-sized
// pieces.
func (sp *spool) writeTo(f io.WriterAt, off int64) error {
	if sp.file == nil {
		return writeAllAt(f, sp.mem, off)
	}
	buf := make([]byte, 64<<10)
	for at := int64(0); at < sp.n; {
		n, err := sp.file.ReadAt(buf[:min(int64(len(buf)), sp.n-at)], at)
		if n > 0 {
			if werr := writeAllAt(f, buf[:n], off+at); werr != nil {
				return werr
			}
			at += int64(n)
		}
		if err != nil && !(err == io.EOF && at == sp.n) {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}

// close removes the temporary file, if any.
func (sp *spool) close() error {
	sp.mem = nil
	if sp.file == nil {
		return nil
	}
	name := sp.file.Name()
	err := sp.file.Close()
	sp.file = nil
	return errors.Join(err, os.Remove(name))
}

// writeAllAt writes data at off in pieces of at most 64 KiB (the
// name space splits them into Twrites of its msize).
func writeAllAt(f io.WriterAt, data []byte, off int64) error {
	const chunk = 64 << 10
	for len(data) > 0 {
		n, err := f.WriteAt(data[:min(len(data), chunk)], off)
		if err != nil {
			return err
		}
		if n == 0 {
			return io.ErrShortWrite
		}
		data, off = data[n:], off+int64(n)
	}
	return nil
}
