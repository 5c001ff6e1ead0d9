package mbox

import (
	"bytes"
	"crypto/sha1"
	"errors"
	"fmt"
	"hash"
	"io"
)

// fromLine starts every message; sepFrom is a message boundary inside
// the file: the '\n' ending one message's last line, then the next
// message's From line (spec §1.8 mbox format).
const (
	fromLine = "From "
	sepFrom  = "\nFrom "
)

// scanBufSize is how much Scan reads at a time. Large reads keep the
// per-call overhead of the reader, bytes.Index and SHA-1 negligible.
const scanBufSize = 1 << 20

// Scan parses messages from r, whose first byte is at file offset
// base, until EOF. A message starts at a line beginning "From " (at
// base, or after a '\n'); it ends where the next such line starts
// (spec §1.8; p9p-upasfs.md §3.1). If the data at base does not begin
// with "From ", Scan returns no messages: a non-mbox file opens as an
// empty mailbox (decision 4).
//
// Scan may start at any message boundary: scanning from the Off of a
// message gives the same Msgs as the tail of a scan of the whole file.
// Memory use is one read buffer plus the returned slice. On a read
// error Scan returns the messages completed before it and the error.
func Scan(r io.Reader, base int64) ([]Msg, error) {
	return scan(r, base, scanBufSize)
}

// IsMbox reports whether the file is empty or begins with "From "
// (decisions 4 and 10).
func IsMbox(r io.ReaderAt) (bool, error) {
	var b [len(fromLine)]byte
	n, err := r.ReadAt(b[:], 0)
	switch {
	case n == len(b):
		return string(b[:]) == fromLine, nil
	case errors.Is(err, io.EOF):
		return n == 0, nil
	default:
		return false, fmt.Errorf("mbox: read first line: %w", err)
	}
}

// scanner holds Scan's state. buf[:n] holds the bytes read but not yet
// consumed; buf[0] is at file offset pos.
type scanner struct {
	r    io.Reader
	buf  []byte
	n    int
	pos  int64
	eof  bool
	msgs []Msg
	cur  partial
}

// scan is Scan with a given buffer size (at least len(sepFrom), so
// that a buffer always has room beyond a kept partial separator).
func scan(r io.Reader, base int64, bufSize int) ([]Msg, error) {
	s := &scanner{r: r, buf: make([]byte, max(bufSize, 2*len(sepFrom))), pos: base}
	s.cur.h = sha1.New()
	s.cur.sum = make([]byte, 0, sha1.Size)
	err := s.run()
	return s.msgs, err
}

// run finds the message boundaries. Bytes are handed to the current
// message with consume, except the '\n' that ends each message (the
// separator) and, at EOF, one final '\n'.
func (s *scanner) run() error {
	if err := s.fill(); err != nil {
		return err
	}
	if s.n < len(fromLine) || string(s.buf[:len(fromLine)]) != fromLine {
		return nil
	}
	s.cur.begin(s.pos)
	i := 0 // next unconsumed byte in buf
	for {
		if j := bytes.Index(s.buf[i:s.n], []byte(sepFrom)); j >= 0 {
			j += i
			s.cur.consume(s.buf[i:j])
			s.msgs = append(s.msgs, s.cur.finish())
			i = j + 1
			s.cur.begin(s.pos + int64(i))
			continue
		}
		if s.eof {
			end := s.n
			if end > i && s.buf[end-1] == '\n' {
				end--
			}
			s.cur.consume(s.buf[i:end])
			s.msgs = append(s.msgs, s.cur.finish())
			return nil
		}
		// Keep what could be the start of a separator cut by the buffer
		// end, consume the rest, and read more.
		keep := min(s.n-i, len(sepFrom)-1)
		s.cur.consume(s.buf[i : s.n-keep])
		copy(s.buf, s.buf[s.n-keep:s.n])
		s.pos += int64(s.n - keep)
		s.n, i = keep, 0
		if err := s.fill(); err != nil {
			return err
		}
	}
}

// fill reads until buf is full or r is at EOF.
func (s *scanner) fill() error {
	n, err := io.ReadFull(s.r, s.buf[s.n:])
	s.n += n
	switch {
	case err == nil:
		return nil
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		s.eof = true
		return nil
	default:
		return fmt.Errorf("mbox: scan: read at offset %d: %w", s.pos+int64(s.n), err)
	}
}

// partial is the message being scanned: the bytes consumed so far
// (n of them) are hashed and searched for the From line's '\n' and for
// the empty line ending the header.
type partial struct {
	m        Msg
	n        int64
	fromDone bool // m.FromLen is set
	hdrDone  bool // m.HdrLen is set
	lastNL   bool // the last byte consumed was '\n'
	h        hash.Hash
	sum      []byte // reused for h.Sum, so that it does not allocate
}

// begin starts a message whose From line is at file offset off.
func (p *partial) begin(off int64) {
	p.m = Msg{Off: off}
	p.n = 0
	p.fromDone, p.hdrDone, p.lastNL = false, false, false
	p.h.Reset()
}

// consume adds b, the message's next bytes, to the message.
func (p *partial) consume(b []byte) {
	if len(b) == 0 {
		return
	}
	p.h.Write(b)
	switch {
	case !p.fromDone:
		k := bytes.IndexByte(b, '\n')
		if k < 0 {
			break
		}
		p.fromDone = true
		p.m.FromLen = p.n + int64(k) + 1
		// The From line's '\n' may be the first of the "\n\n" that
		// ends an empty header.
		p.findHeaderEnd(b[k:], p.n+int64(k))
	case !p.hdrDone:
		p.findHeaderEnd(b, p.n)
	}
	p.n += int64(len(b))
	p.lastNL = b[len(b)-1] == '\n'
}

// findHeaderEnd looks for the "\n\n" that ends the header in b, the
// consumed bytes from message offset at on; the first '\n' may be the
// last byte of the previous call (lastNL). It is called only after the
// From line's '\n' was seen.
func (p *partial) findHeaderEnd(b []byte, at int64) {
	var q int64 // message offset of the last header line's '\n'
	if p.lastNL && b[0] == '\n' {
		q = at - 1
	} else if j := bytes.Index(b, []byte("\n\n")); j >= 0 {
		q = at + int64(j)
	} else {
		return
	}
	p.hdrDone = true
	p.m.HdrLen = q + 1 - p.m.FromLen
}

// finish completes the message: all of its Len bytes were consumed.
func (p *partial) finish() Msg {
	m := p.m
	m.Len = p.n
	if !p.fromDone {
		m.FromLen = m.Len
	}
	if !p.hdrDone {
		m.HdrLen = m.Len - m.FromLen
	}
	p.sum = p.h.Sum(p.sum[:0])
	copy(m.Digest[:], p.sum)
	return m
}
