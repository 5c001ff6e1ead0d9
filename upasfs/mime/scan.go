package mime

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"sync"
)

// bufSize bounds what Parse holds of a message at once. A line longer
// than this is seen by its first bufSize bytes only, which is more than
// any header name, boundary or value worth keeping needs.
const bufSize = 32 << 10

var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, bufSize) }}

// line is one line of a section. head is its first bytes (all of them,
// '\n' included, when it fits the buffer); it is valid until the next
// read. n is the full length and nl says whether it ends in '\n'.
type line struct {
	head []byte
	n    int64
	nl   bool
}

// scanner reads the lines of a section of a ReaderAt, tracking offsets.
type scanner struct {
	br      *bufio.Reader
	off     int64  // source offset of the next unread byte
	long    []byte // the head of the last over-long line
	pending bool   // pend was given back by unread
	pend    line
}

// reset points the scanner at src[off:end].
func (s *scanner) reset(src io.ReaderAt, off, end int64) {
	s.br.Reset(io.NewSectionReader(src, off, end-off))
	s.off = off
	s.pending = false
}

// next returns the next line; n == 0 means the section is exhausted.
func (s *scanner) next() (line, error) {
	if s.pending {
		s.pending = false
		s.off += s.pend.n
		return s.pend, nil
	}
	b, err := s.br.ReadSlice('\n')
	l := line{head: b, n: int64(len(b))}
	if err == bufio.ErrBufferFull {
		s.long = append(s.long[:0], b...)
		l.head = s.long
		for err == bufio.ErrBufferFull {
			b, err = s.br.ReadSlice('\n')
			l.n += int64(len(b))
		}
	}
	l.nl = len(b) > 0 && b[len(b)-1] == '\n'
	s.off += l.n
	if err == io.EOF {
		err = nil
	}
	return l, err
}

// unread gives back l, the line next just returned.
func (s *scanner) unread(l line) {
	s.pending = true
	s.pend = l
	s.off -= l.n
}

// peek returns the next byte without consuming it; ok is false at the end
// of the section (or on an error, which the next read reports).
func (s *scanner) peek() (c byte, ok bool) {
	if s.pending {
		return s.pend.head[0], true
	}
	b, err := s.br.Peek(1)
	if err != nil {
		return 0, false
	}
	return b[0], true
}

// bodyStats are what Parse learns from reading a body through once.
type bodyStats struct {
	lines   int64 // '\n' bytes
	hasNUL  bool
	has8bit bool
}

func (st *bodyStats) add(b []byte) {
	st.lines += int64(bytes.Count(b, []byte{'\n'}))
	if !st.hasNUL && bytes.IndexByte(b, 0) >= 0 {
		st.hasNUL = true
	}
	if !st.has8bit {
		st.has8bit = has8bit(b)
	}
}

// has8bit reports whether b holds a byte >= 0x80, 8 bytes at a time.
func has8bit(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return true
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// rest reads the section to its end and returns what it held.
func (s *scanner) rest() (bodyStats, error) {
	var st bodyStats
	if s.pending {
		s.pending = false
		s.off += s.pend.n
		st.add(s.pend.head)
		if int64(len(s.pend.head)) < s.pend.n {
			// An over-long line: its tail was not kept. Count its
			// newline and assume the worst of the bytes not seen.
			if s.pend.nl {
				st.lines++
			}
			st.hasNUL, st.has8bit = true, true
		}
	}
	for {
		if s.br.Buffered() == 0 {
			if _, err := s.br.Peek(1); err == io.EOF {
				return st, nil
			} else if err != nil {
				return st, err
			}
		}
		b, _ := s.br.Peek(s.br.Buffered())
		st.add(b)
		n, _ := s.br.Discard(len(b))
		s.off += int64(n)
	}
}
