package wire

import (
	"math"
	"strings"
)

// Character classes of RFC 3501 §9.
const (
	cAtom    = 1 << iota // ATOM-CHAR: CHAR except atom-specials
	cAString             // ASTRING-CHAR = ATOM-CHAR / resp-specials
	cTag                 // tag: ASTRING-CHAR except "+"
	cList                // list-char = ATOM-CHAR / list-wildcards / resp-specials
)

// charClass maps an octet to its classes. atom-specials are "(" ")" "{"
// SP CTL "%" "*" DQUOTE "\" "]"; CHAR is 7-bit.
var charClass = func() (t [256]uint8) {
	for c := 0x21; c < 0x7f; c++ {
		switch c {
		case '(', ')', '{', '"', '\\':
		case '%', '*':
			t[c] = cList
		case ']':
			t[c] = cAString | cTag | cList
		case '+':
			t[c] = cAtom | cAString | cList
		default:
			t[c] = cAtom | cAString | cTag | cList
		}
	}
	return t
}()

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// run reads one or more octets of class into *s; what names the token
// in the error when there is none.
func (d *Decoder) run(class uint8, s *string, what string) bool {
	buf, ok := d.runBytes(class, what)
	if ok {
		*s = string(buf)
	}
	return ok
}

// runBytes is run returning the octets in scratch space, valid until
// the next read.
func (d *Decoder) runBytes(class uint8, what string) ([]byte, bool) {
	buf := d.scratch[:0]
	for {
		c, ok := d.peek()
		if !ok || charClass[c]&class == 0 {
			break
		}
		if !d.advance(c) {
			break
		}
		buf = append(buf, c)
	}
	d.scratch = buf
	if d.err != nil {
		return nil, false
	}
	if len(buf) == 0 {
		return nil, d.fail("expected %s", what)
	}
	return buf, true
}

// upperASCII upper-cases b in place and returns it as a string.
func upperASCII(b []byte) string {
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
	}
	return string(b)
}

// ExpectAtom reads an atom (RFC 3501 §9: 1*ATOM-CHAR), as sent.
func (d *Decoder) ExpectAtom(s *string) bool { return d.run(cAtom, s, "atom") }

// ExpectTag reads a command tag: 1*<ASTRING-CHAR except "+">.
func (d *Decoder) ExpectTag(tag *string) bool { return d.run(cTag, tag, "tag") }

// ExpectCommand reads a command name (an atom) and returns it in upper
// case: command names are case-insensitive (RFC 3501 §9, spec §2.2).
func (d *Decoder) ExpectCommand(name *string) bool {
	return d.keyword(name, "command")
}

// keyword reads an atom and returns it upper-cased.
func (d *Decoder) keyword(s *string, what string) bool {
	b, ok := d.runBytes(cAtom, what)
	if ok {
		*s = upperASCII(b)
	}
	return ok
}

// number reads 1*DIGIT no greater than max.
func (d *Decoder) number(v *uint64, max uint64) bool {
	c, ok := d.peek()
	if !ok {
		return false
	}
	if !isDigit(c) {
		return d.fail("expected number")
	}
	var n uint64
	for isDigit(c) {
		digit := uint64(c - '0')
		if n > (max-digit)/10 {
			return d.fail("number out of range")
		}
		n = n*10 + digit
		if !d.advance(c) {
			return false
		}
		if c, ok = d.peek(); !ok {
			return false
		}
	}
	*v = n
	return true
}

// ExpectNumber reads a number: unsigned 32-bit (RFC 3501 §9);
// "number out of range" on overflow.
func (d *Decoder) ExpectNumber(n *uint32) bool {
	var v uint64
	if !d.number(&v, math.MaxUint32) {
		return false
	}
	*n = uint32(v)
	return true
}

// ExpectNzNumber reads a non-zero number (RFC 3501 §9 nz-number).
func (d *Decoder) ExpectNzNumber(n *uint32) bool {
	var v uint32
	if !d.ExpectNumber(&v) {
		return false
	}
	if v == 0 {
		return d.fail("expected non-zero number")
	}
	*n = v
	return true
}

// ExpectNumber64 reads an unsigned 63-bit number (RFC 7162 §7 number64).
func (d *Decoder) ExpectNumber64(n *uint64) bool {
	return d.number(n, math.MaxInt64)
}

// ExpectLine reads the rest of the line as is, without its line end,
// and ends the command: for AUTHENTICATE responses (RFC 3501 §6.2.2)
// and the DONE that ends IDLE (RFC 2177). Bounded by Limits.MaxLine.
func (d *Decoder) ExpectLine(s *string) bool {
	buf := d.scratch[:0]
	for {
		c, ok := d.peek()
		if !ok {
			return false
		}
		if c == '\n' {
			break
		}
		if !d.advance(c) {
			return false
		}
		buf = append(buf, c)
	}
	d.scratch = buf
	d.next()
	d.ended = true
	*s = strings.TrimSuffix(string(buf), "\r")
	return true
}
