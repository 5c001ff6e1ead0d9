package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
)

// maxValue bounds a string or literal kept in memory (an ENVELOPE or
// BODYSTRUCTURE field); BODY[] literals are streamed, never kept.
const maxValue = 1 << 20

// maxLiteral bounds any literal the server announces.
const maxLiteral = 1 << 30

var errSyntax = errors.New("response syntax")

// A reader reads IMAP server responses (RFC 3501 §7, §9 "response")
// token by token from a buffered connection. Errors are sticky: after
// the first, every method does nothing and err says what went wrong.
type reader struct {
	br  *bufio.Reader
	err error
	n   int64  // bytes consumed so far
	sum uint32 // CRC-32C of the last rest's whole text, line end included
}

func newReader(r io.Reader) *reader {
	return &reader{br: bufio.NewReaderSize(r, 64<<10)}
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: "+format, append([]any{errSyntax}, args...)...)
	}
}

// peek returns the next byte without consuming it, 0 after an error.
func (r *reader) peek() byte {
	if r.err != nil {
		return 0
	}
	b, err := r.br.Peek(1)
	if err != nil {
		r.err = noEOF(err)
		return 0
	}
	return b[0]
}

// next consumes and returns one byte, 0 after an error.
func (r *reader) next() byte {
	if r.err != nil {
		return 0
	}
	c, err := r.br.ReadByte()
	if err != nil {
		r.err = noEOF(err)
		return 0
	}
	r.n++
	return c
}

// noEOF makes a connection that ends mid-response an error.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// expect consumes c or fails.
func (r *reader) expect(c byte) bool {
	if got := r.next(); got != c && r.err == nil {
		r.fail("want %q, have %q", c, got)
	}
	return r.err == nil
}

// sp consumes one space.
func (r *reader) sp() bool { return r.expect(' ') }

// crlf consumes a line end: CRLF, or a bare LF.
func (r *reader) crlf() bool {
	if r.peek() == '\r' {
		r.next()
	}
	return r.expect('\n')
}

// isAtomEnd reports whether c ends an atom: RFC 3501 §9 atom-specials
// other than those that may appear in a fetch attribute name.
func isAtomEnd(c byte) bool {
	switch c {
	case ' ', '(', ')', '{', '"', '\r', '\n':
		return true
	}
	return c < ' ' || c == 0x7f
}

// atom reads an atom, taking "[...]" whole as in BODY[HEADER.FIELDS (A
// B)] (RFC 3501 §9 msg-att-static); it fails on an empty one.
func (r *reader) atom() string {
	var b []byte
	for r.err == nil {
		c := r.peek()
		if r.err != nil || isAtomEnd(c) {
			break
		}
		b = append(b, r.next())
		if c == '[' {
			b = r.through(b, ']')
		}
	}
	if len(b) == 0 {
		r.fail("want an atom, have %q", r.peek())
	}
	return string(b)
}

// through appends bytes up to and including end, on the same line.
func (r *reader) through(b []byte, end byte) []byte {
	for r.err == nil {
		c := r.next()
		if c == '\n' {
			r.fail("line ends inside %q", b)
		}
		b = append(b, c)
		if c == end || len(b) > maxValue {
			break
		}
	}
	return b
}

// number reads a number (RFC 3501 §9 number, nz-number).
func (r *reader) number() int64 {
	a := r.atom()
	n, err := strconv.ParseInt(a, 10, 64)
	if err != nil && r.err == nil {
		r.fail("want a number, have %q", a)
	}
	return n
}

// literalLen reads "{n}" CRLF (or "~{n}" CRLF, RFC 3516 literal8).
func (r *reader) literalLen() int64 {
	if r.peek() == '~' {
		r.next()
	}
	r.expect('{')
	var n int64
	digits := 0
	for r.err == nil && r.peek() != '}' {
		c := r.next()
		if c < '0' || c > '9' || digits == 10 {
			r.fail("bad literal length")
			break
		}
		n = n*10 + int64(c-'0')
		digits++
	}
	r.expect('}')
	r.crlf()
	if r.err == nil && (digits == 0 || n > maxLiteral) {
		r.fail("bad literal length %d", n)
	}
	return n
}

// stream copies an n-byte literal's bytes to w, keeping none.
func (r *reader) stream(w io.Writer, n int64) {
	if r.err != nil {
		return
	}
	m, err := io.CopyN(w, r.br, n)
	r.n += m
	if err != nil {
		r.err = noEOF(err)
	}
}

// quoted reads a quoted string (RFC 3501 §9 quoted) and returns its
// contents, escapes removed.
func (r *reader) quoted() []byte {
	r.expect('"')
	var b []byte
	for r.err == nil {
		c := r.next()
		switch {
		case c == '"':
			return b
		case c == '\\':
			c = r.next()
		case c == '\r' || c == '\n':
			r.fail("line ends inside a quoted string")
		}
		b = append(b, c)
		if len(b) > maxValue {
			r.fail("quoted string too long")
		}
	}
	return b
}

// literal reads a literal whole; it must be at most maxValue bytes.
func (r *reader) literal() []byte {
	n := r.literalLen()
	if r.err != nil {
		return nil
	}
	if n > maxValue {
		r.fail("literal of %d bytes where a short string was expected", n)
		return nil
	}
	b := make([]byte, n)
	m, err := io.ReadFull(r.br, b)
	r.n += int64(m)
	if err != nil {
		r.err = noEOF(err)
	}
	return b
}

// value reads any value (number, atom, NIL, string, parenthesized list)
// and appends its canonical form to dst: strings quoted, whichever way
// they came, lists with one space between elements. Two servers that
// sent the same data give the same canonical form.
func (r *reader) value(dst []byte, depth int) []byte {
	switch c := r.peek(); {
	case r.err != nil:
	case depth > 100:
		r.fail("lists nested too deep")
	case c == '(':
		return r.list(dst, depth)
	case c == '"':
		return appendQuoted(dst, r.quoted())
	case c == '{' || c == '~':
		return appendQuoted(dst, r.literal())
	default:
		return append(dst, r.atom()...)
	}
	return dst
}

// list reads "(" [value *(SP value)] ")". Spaces between elements are
// optional, as between the addresses of an ENVELOPE (RFC 3501 §9
// env-from).
func (r *reader) list(dst []byte, depth int) []byte {
	r.expect('(')
	dst = append(dst, '(')
	for first := true; r.err == nil; first = false {
		for r.peek() == ' ' {
			r.next()
		}
		if r.peek() == ')' {
			r.next()
			break
		}
		if !first {
			dst = append(dst, ' ')
		}
		dst = r.value(dst, depth+1)
	}
	return append(dst, ')')
}

// appendQuoted appends s as an IMAP quoted string.
func appendQuoted(dst, s []byte) []byte {
	dst = append(dst, '"')
	for len(s) > 0 {
		i := bytes.IndexAny(s, `"\`)
		if i < 0 {
			dst = append(dst, s...)
			break
		}
		dst = append(dst, s[:i]...)
		dst = append(dst, '\\', s[i])
		s = s[i+1:]
	}
	return append(dst, '"')
}

// rest reads the rest of a line that carries no data we want (status
// text, CAPABILITY, FLAGS...): through its CRLF and, where the line ends
// in a literal's "{n}", the literal and the line after it. It returns
// the text, cut short, for messages.
func (r *reader) rest() string {
	var text, tail []byte
	r.sum = 0
	for r.err == nil {
		line, err := r.br.ReadSlice('\n')
		r.n += int64(len(line))
		r.sum = crc32.Update(r.sum, castagnoli, line)
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			r.err = noEOF(err)
			break
		}
		if len(text) < 200 {
			text = append(text, line[:min(len(line), 200-len(text))]...)
		}
		// The "{n}" may straddle two slices of a long line.
		tail = append(tail, line...)
		tail = tail[max(0, len(tail)-32):]
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		n, ok := trailingLiteral(tail)
		if !ok {
			break
		}
		r.stream(io.Discard, n)
		tail = tail[:0]
	}
	return string(bytes.TrimRight(text, "\r\n"))
}

// trailingLiteral reports whether a line ends in "{n}" CRLF and n.
func trailingLiteral(line []byte) (int64, bool) {
	line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
	if !bytes.HasSuffix(line, []byte("}")) {
		return 0, false
	}
	i := bytes.LastIndexByte(line, '{')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(line[i+1:len(line)-1]), 10, 64)
	if err != nil || n < 0 || n > maxLiteral {
		return 0, false
	}
	return n, true
}
