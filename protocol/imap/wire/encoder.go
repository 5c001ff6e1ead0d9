package wire

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Encoder writes IMAP responses. Its methods chain and share a sticky
// error: after the first failure they write nothing, and Err and Flush
// report it. It is not safe for concurrent use.
type Encoder struct {
	w   *bufio.Writer
	err error
	num []byte // scratch for numbers
	buf []byte // scratch for literal data
}

// NewEncoder returns an Encoder writing to w.
func NewEncoder(w *bufio.Writer) *Encoder { return &Encoder{w: w} }

// Err returns the first error met.
func (e *Encoder) Err() error { return e.err }

// Flush flushes the writer and returns the first error met.
func (e *Encoder) Flush() error {
	if e.err == nil {
		if err := e.w.Flush(); err != nil {
			e.err = fmt.Errorf("imap wire: write response: %w", err)
		}
	}
	return e.err
}

func (e *Encoder) write(s string) *Encoder {
	if e.err == nil {
		if _, err := e.w.WriteString(s); err != nil {
			e.err = fmt.Errorf("imap wire: write response: %w", err)
		}
	}
	return e
}

func (e *Encoder) writeBytes(p []byte) *Encoder {
	if e.err == nil {
		if _, err := e.w.Write(p); err != nil {
			e.err = fmt.Errorf("imap wire: write response: %w", err)
		}
	}
	return e
}

// setErr records a misuse by the caller (a string that cannot be
// written in the form asked for).
func (e *Encoder) setErr(format string, args ...any) *Encoder {
	if e.err == nil {
		e.err = fmt.Errorf("imap wire: "+format, args...)
	}
	return e
}

// Atom writes s as is: a keyword, tag or atom the caller knows to be
// valid ("*", "OK", "FETCH", "A001").
func (e *Encoder) Atom(s string) *Encoder { return e.write(s) }

// Special writes one syntax character such as '(' or '['.
func (e *Encoder) Special(c byte) *Encoder {
	if e.err == nil {
		if err := e.w.WriteByte(c); err != nil {
			e.err = fmt.Errorf("imap wire: write response: %w", err)
		}
	}
	return e
}

// SP writes a space.
func (e *Encoder) SP() *Encoder { return e.Special(' ') }

// CRLF ends a response line.
func (e *Encoder) CRLF() *Encoder { return e.write("\r\n") }

// Number writes a number (RFC 3501 §9).
func (e *Encoder) Number(n uint32) *Encoder { return e.Number64(uint64(n)) }

// Number64 writes a 64-bit number.
func (e *Encoder) Number64(n uint64) *Encoder {
	e.num = strconv.AppendUint(e.num[:0], n, 10)
	return e.writeBytes(e.num)
}

// NIL writes NIL.
func (e *Encoder) NIL() *Encoder { return e.write("NIL") }

// maxQuoted is the longest string String writes quoted.
const maxQuoted = 1024

// quotable reports whether s may be a quoted string: 7-bit TEXT-CHARs
// (RFC 3501 §9 quoted), no NUL.
func quotable(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == 0 || c == '\r' || c == '\n' || c >= 0x80 {
			return false
		}
	}
	return true
}

// Quoted writes s as a quoted string, escaping DQUOTE and "\". s must be
// quotable (7-bit, no NUL, CR or LF); otherwise nothing is written and
// the encoder fails.
func (e *Encoder) Quoted(s string) *Encoder {
	if !quotable(s) {
		return e.setErr("cannot quote %s", quote(s))
	}
	e.Special('"')
	for len(s) > 0 {
		i := strings.IndexAny(s, `"\`)
		if i < 0 {
			e.write(s)
			break
		}
		e.write(s[:i]).Special('\\').Special(s[i])
		s = s[i+1:]
	}
	return e.Special('"')
}

// String writes s quoted when it is short 7-bit text without CR, LF,
// NUL, DQUOTE or "\", and as a literal otherwise (RFC 3501 §4.3).
func (e *Encoder) String(s string) *Encoder {
	if len(s) <= maxQuoted && quotable(s) && !strings.ContainsAny(s, `"\`) {
		return e.Special('"').write(s).Special('"')
	}
	return e.Literal(int64(len(s)), strings.NewReader(s))
}

// AString writes s as an atom when it is one (RFC 3501 §9 astring),
// otherwise as String does.
func (e *Encoder) AString(s string) *Encoder {
	if s == "" || strings.EqualFold(s, "NIL") {
		return e.String(s)
	}
	for i := 0; i < len(s); i++ {
		if charClass[s[i]]&cAString == 0 {
			return e.String(s)
		}
	}
	return e.write(s)
}

// NString writes *s as String does, or NIL when s is nil.
func (e *Encoder) NString(s *string) *Encoder {
	if s == nil {
		return e.NIL()
	}
	return e.String(*s)
}

// Literal writes "{size}" CRLF and then exactly size octets copied from
// r, each NUL replaced by 0x80 (RFC 3501 §4.3 forbids NUL; decision 6).
// It fails if r ends early; octets beyond size are not read.
func (e *Encoder) Literal(size int64, r io.Reader) *Encoder {
	return e.literal(size, r, false)
}

// Literal8 writes "~{size}" CRLF and size octets from r, NUL included
// (RFC 3516 §4.1 literal8): for BINARY data that holds NUL.
func (e *Encoder) Literal8(size int64, r io.Reader) *Encoder {
	return e.literal(size, r, true)
}

func (e *Encoder) literal(size int64, r io.Reader, binary bool) *Encoder {
	if size < 0 {
		return e.setErr("literal of negative size %d", size)
	}
	if binary {
		e.Special('~')
	}
	e.Special('{').Number64(uint64(size)).write("}\r\n")
	if e.err != nil {
		return e
	}
	if e.buf == nil {
		e.buf = make([]byte, 32<<10)
	}
	var done int64
	for stalls := 0; done < size; {
		n, err := r.Read(e.buf[:min(int64(len(e.buf)), size-done)])
		if !binary {
			replaceNUL(e.buf[:n])
		}
		e.writeBytes(e.buf[:n])
		done += int64(n)
		if e.err != nil {
			return e
		}
		if done == size {
			break
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return e.setErr("literal: wrote %d of %d octets: %w", done, size, err)
		}
		if n == 0 {
			if stalls++; stalls > 100 {
				return e.setErr("literal: %w", io.ErrNoProgress)
			}
		}
	}
	return e
}

func replaceNUL(p []byte) {
	for i := bytes.IndexByte(p, 0); i >= 0; i = bytes.IndexByte(p, 0) {
		p[i] = 0x80
	}
}

// BeginList writes "(".
func (e *Encoder) BeginList() *Encoder { return e.Special('(') }

// EndList writes ")".
func (e *Encoder) EndList() *Encoder { return e.Special(')') }

// List writes "(" then item(0) ... item(n-1) separated by SP, then ")".
func (e *Encoder) List(n int, item func(i int)) *Encoder {
	e.BeginList()
	for i := 0; i < n; i++ {
		if i > 0 {
			e.SP()
		}
		item(i)
	}
	return e.EndList()
}

// Flags writes a flag list, e.g. `(\Seen $Junk)`. Each flag must be an
// atom, optionally after "\"; `\*` is allowed (PERMANENTFLAGS, RFC 3501
// §7.1). An invalid flag fails the encoder.
func (e *Encoder) Flags(flags []string) *Encoder {
	for _, f := range flags {
		if !validFlag(f) {
			return e.setErr("invalid flag %s", quote(f))
		}
	}
	return e.List(len(flags), func(i int) { e.write(flags[i]) })
}

func validFlag(f string) bool {
	if f == `\*` {
		return true
	}
	f = strings.TrimPrefix(f, `\`)
	for i := 0; i < len(f); i++ {
		if charClass[f[i]]&cAtom == 0 {
			return false
		}
	}
	return f != ""
}

// Mailbox writes a UTF-8 mailbox name in modified UTF-7 (RFC 3501
// §5.1.3), quoted; INBOX in any case as "INBOX".
func (e *Encoder) Mailbox(name string) *Encoder {
	if strings.EqualFold(name, Inbox) {
		name = Inbox
	}
	return e.Quoted(EncodeMUTF7(name))
}

// DateTime writes t as a quoted INTERNALDATE, e.g.
// "17-Jul-1996 02:44:25 -0700", the day space-padded (RFC 3501 §9).
func (e *Encoder) DateTime(t time.Time) *Encoder {
	return e.Special('"').write(FormatDateTime(t)).Special('"')
}

// SeqSet writes a sequence set, e.g. 1:3,5.
func (e *Encoder) SeqSet(s SeqSet) *Encoder { return e.write(s.String()) }

// Code writes a response code without arguments: "[" name "]".
func (e *Encoder) Code(name string) *Encoder { return e.BeginCode(name).EndCode() }

// BeginCode writes "[" name; the arguments follow, then EndCode
// (RFC 3501 §7.1 resp-text-code), e.g.
// enc.BeginCode("UIDNEXT").SP().Number(n).EndCode().
func (e *Encoder) BeginCode(name string) *Encoder { return e.Special('[').write(name) }

// EndCode writes "]".
func (e *Encoder) EndCode() *Encoder { return e.Special(']') }

// Text writes human-readable response text (RFC 3501 §9 text): control
// characters (CR and LF included) become spaces and 8-bit octets "?",
// so the text cannot break the line or the protocol.
func (e *Encoder) Text(s string) *Encoder {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c < 0x20 || c == 0x7f:
			b[i] = ' '
		case c >= 0x80:
			b[i] = '?'
		}
	}
	return e.writeBytes(b)
}

// encodeToString runs f on an Encoder that writes to a string.
func encodeToString(f func(e *Encoder)) string {
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	e := NewEncoder(w)
	f(e)
	e.Flush()
	return b.String()
}
