package pop3

import (
	"bufio"
	"io"
	"sync"
)

// A wireWriter turns stored message bytes into what RETR sends (RFC
// 1939 §3, decision 17): every LF not preceded by CR becomes CRLF, a
// last line without a newline is ended with CRLF, and, when stuff is
// set, a line beginning with '.' gets one more. NUL and every other
// byte pass unchanged. n counts the bytes written; without stuffing it
// is the message size that LIST and STAT report (decision 16).
type wireWriter struct {
	w     io.Writer
	stuff bool
	prev  byte // last byte seen; '\n' at the start
	n     int64
	buf   []byte
}

func newWireWriter(w io.Writer, stuff bool) *wireWriter {
	return &wireWriter{w: w, stuff: stuff, prev: '\n'}
}

func (ww *wireWriter) Write(p []byte) (int, error) {
	out := ww.buf[:0]
	for _, c := range p {
		if c == '\n' && ww.prev != '\r' {
			out = append(out, '\r')
		}
		if ww.stuff && c == '.' && ww.prev == '\n' {
			out = append(out, '.')
		}
		out = append(out, c)
		ww.prev = c
	}
	ww.buf = out
	ww.n += int64(len(out))
	if ww.w == nil {
		return len(p), nil
	}
	if _, err := ww.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// finish ends a last line that has no newline.
func (ww *wireWriter) finish() error {
	if ww.prev == '\n' {
		return nil
	}
	_, err := ww.Write([]byte{'\n'})
	return err
}

// wireSize returns the size of the stored message read from r as RETR
// sends it, before dot-stuffing, and the stored size.
func wireSize(r io.Reader) (wire, stored int64, err error) {
	ww := newWireWriter(nil, false)
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	if stored, err = io.CopyBuffer(ww, r, *bp); err != nil {
		return 0, 0, err
	}
	ww.finish()
	return ww.n, stored, nil
}

// copyBufs hold the buffers messages are read with: each read asks the
// 9P server for that many bytes, which it allocates, so a typical
// message's size is better than msize.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 16<<10); return &b }}

// writeTop sends the header, the empty line that ends it, and then at
// most lines lines of the body (RFC 1939 §7 TOP), through ww.
func writeTop(ww *wireWriter, r io.Reader, lines int) error {
	br := bufio.NewReaderSize(r, 8<<10)
	inHeader := true
	for {
		line, err := readFullLine(br)
		if len(line) > 0 {
			if !inHeader {
				if lines <= 0 {
					return nil
				}
				lines--
			}
			if _, werr := ww.Write(line); werr != nil {
				return werr
			}
			if inHeader && (string(line) == "\n" || string(line) == "\r\n") {
				inHeader = false
			}
		}
		if err == io.EOF {
			return ww.finish()
		}
		if err != nil {
			return err
		}
	}
}

// readFullLine reads a line of any length, with its newline if any.
func readFullLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		frag, err := br.ReadSlice('\n')
		line = append(line, frag...)
		if err != bufio.ErrBufferFull {
			return line, err
		}
	}
}
