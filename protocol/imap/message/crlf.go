package message

import (
	"bytes"
	"errors"
	"io"
	"sync"
)

// crlf turns stored bytes into what an IMAP literal carries: a LF not
// preceded by CR becomes CRLF (decision 5) and a NUL becomes 0x80,
// which keeps every size unchanged (decision 6; RFC 3501 §4.3 forbids
// NUL in literals). The conversion of a byte depends only on the byte
// before it, so converting a prefix of a stream gives a prefix of the
// converted stream. Every size in this package is measured by running
// this code, the same code that streams.
type crlf struct {
	prevCR bool
}

// append appends the conversion of src to dst. Mail rarely holds a
// NUL: without one, the line breaks are found with bytes.IndexByte and
// the text between them copied whole.
func (c *crlf) append(dst, src []byte) []byte {
	if bytes.IndexByte(src, 0) >= 0 {
		return c.appendEach(dst, src)
	}
	prevCR := c.prevCR
	for len(src) > 0 {
		i := bytes.IndexByte(src, '\n')
		if i < 0 {
			dst = append(dst, src...)
			prevCR = src[len(src)-1] == '\r'
			break
		}
		if i > 0 {
			prevCR = src[i-1] == '\r'
		}
		dst = append(dst, src[:i]...)
		if !prevCR {
			dst = append(dst, '\r')
		}
		dst = append(dst, '\n')
		prevCR = false
		src = src[i+1:]
	}
	c.prevCR = prevCR
	return dst
}

// appendEach is append, byte by byte.
func (c *crlf) appendEach(dst, src []byte) []byte {
	prevCR := c.prevCR
	start := 0
	for i, b := range src {
		switch b {
		case '\n':
			dst = append(dst, src[start:i]...)
			if !prevCR {
				dst = append(dst, '\r')
			}
			dst = append(dst, '\n')
			start = i + 1
		case 0:
			dst = append(dst, src[start:i]...)
			dst = append(dst, 0x80)
			start = i + 1
		}
		prevCR = b == '\r'
	}
	c.prevCR = prevCR
	return append(dst, src[start:]...)
}

// toCRLF returns the conversion of b, a whole file.
func toCRLF(b []byte) []byte {
	var c crlf
	return c.append(make([]byte, 0, len(b)+len(b)/16), b)
}

// crlfReader streams the conversion of a file; Close closes the file.
type crlfReader struct {
	rc  io.ReadCloser
	c   crlf
	bp  *[]byte // pooled: the input chunk, then room for its conversion
	out []byte  // converted bytes not yet returned
	err error
}

const chunk = 16 << 10

// bufs holds buffers of 3*chunk bytes: a chunk read and its conversion,
// at most twice as long.
var bufs = sync.Pool{New: func() any {
	b := make([]byte, 3*chunk)
	return &b
}}

func newCRLFReader(rc io.ReadCloser) *crlfReader {
	return &crlfReader{rc: rc, bp: bufs.Get().(*[]byte)}
}

// fill converts the next chunk of the file into out.
func (cr *crlfReader) fill() {
	buf := *cr.bp
	n, err := cr.rc.Read(buf[:chunk])
	cr.out = cr.c.append(buf[chunk:chunk], buf[:n])
	cr.err = err
}

func (cr *crlfReader) Read(p []byte) (int, error) {
	for len(cr.out) == 0 {
		if cr.err != nil {
			return 0, cr.err
		}
		if cr.bp == nil {
			return 0, errClosed
		}
		cr.fill()
	}
	n := copy(p, cr.out)
	cr.out = cr.out[n:]
	return n, nil
}

// WriteTo writes the rest of the conversion to w.
func (cr *crlfReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if len(cr.out) > 0 {
			n, err := w.Write(cr.out)
			total += int64(n)
			cr.out = cr.out[n:]
			if err != nil {
				return total, err
			}
		}
		switch {
		case errors.Is(cr.err, io.EOF):
			return total, nil
		case cr.err != nil:
			return total, cr.err
		case cr.bp == nil:
			return total, errClosed
		}
		cr.fill()
	}
}

// Close closes the file and gives back the buffer.
func (cr *crlfReader) Close() error {
	if cr.bp == nil {
		return nil
	}
	bufs.Put(cr.bp)
	cr.bp, cr.out = nil, nil
	return cr.rc.Close()
}

var errClosed = errors.New("read after close")

// exactReader returns exactly n bytes of r, so that a literal's count
// holds whatever the file does: it stops after n bytes and, should r
// end early (the message changed under us), pads with spaces as 4e
// imap4d did (spec §2.8). Read errors other than EOF are returned; the
// engine then cannot finish the literal and must drop the connection.
type exactReader struct {
	r    io.ReadCloser
	n    int64
	done bool // r reached EOF: pad
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > e.n {
		p = p[:e.n]
	}
	if e.done {
		for i := range p {
			p[i] = ' '
		}
		e.n -= int64(len(p))
		return len(p), nil
	}
	n, err := e.r.Read(p)
	e.n -= int64(n)
	if errors.Is(err, io.EOF) {
		e.done, err = true, nil
	}
	return n, err
}

func (e *exactReader) Close() error { return e.r.Close() }
