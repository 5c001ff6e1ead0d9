package wire

import (
	"strings"
	"unicode/utf8"
)

// ExpectQuoted reads a quoted string (RFC 3501 §4.3, §9 quoted): 7-bit
// text without NUL, CR or LF, in which "\" may escape only DQUOTE and
// "\" (spec §2.11). After SEARCH CHARSET UTF-8 it may hold UTF-8 too,
// which must be valid: clients (Claws Mail) send it so and Dovecot
// takes it, though RFC 3501 §9 wants a literal for 8-bit text.
func (d *Decoder) ExpectQuoted(s *string) bool {
	if !d.expect('"', "quoted string") {
		return false
	}
	buf := d.scratch[:0]
	for {
		c, ok := d.peek()
		if !ok {
			return false
		}
		switch {
		case c == '\r' || c == '\n':
			return d.fail("unterminated quoted string")
		case c == 0 || c >= 0x80 && !d.utf8Text:
			return d.fail("quoted string holds octet %#x (not 7-bit text)", c)
		}
		if !d.advance(c) {
			return false
		}
		switch c {
		case '"':
			d.scratch = buf
			if d.utf8Text && !utf8.Valid(buf) {
				return d.fail("quoted string is not valid UTF-8")
			}
			*s = string(buf)
			return true
		case '\\':
			if c, ok = d.peek(); !ok {
				return false
			}
			if c != '"' && c != '\\' {
				return d.fail(`bad escape in quoted string: only \" and \\ allowed`)
			}
			if !d.advance(c) {
				return false
			}
		}
		buf = append(buf, c)
	}
}

// ExpectString reads a string: quoted or literal (RFC 3501 §9 string).
func (d *Decoder) ExpectString(s *string) bool {
	c, ok := d.peek()
	if !ok {
		return false
	}
	switch c {
	case '"':
		return d.ExpectQuoted(s)
	case '{':
		return d.ExpectLiteral(s)
	}
	return d.fail("expected string")
}

// ExpectAString reads an astring: 1*ASTRING-CHAR or a string (RFC 3501
// §9 astring). An atom-like astring is returned as sent.
func (d *Decoder) ExpectAString(s *string) bool {
	c, ok := d.peek()
	if !ok {
		return false
	}
	if c == '"' || c == '{' {
		return d.ExpectString(s)
	}
	return d.run(cAString, s, "string")
}

// ExpectNString reads a string or NIL (RFC 3501 §9 nstring); *isNil
// tells which, and *s is "" for NIL.
func (d *Decoder) ExpectNString(s *string, isNil *bool) bool {
	c, ok := d.peek()
	if !ok {
		return false
	}
	if c == '"' || c == '{' {
		*isNil = false
		return d.ExpectString(s)
	}
	if !d.expectNIL("string or NIL") {
		return false
	}
	*s, *isNil = "", true
	return true
}

// expectNIL reads the atom NIL, in any case; what names the
// alternatives for the error.
func (d *Decoder) expectNIL(what string) bool {
	var a string
	if !d.run(cAtom, &a, what) {
		return false
	}
	if !strings.EqualFold(a, "NIL") {
		return d.fail("expected %s", what)
	}
	return true
}
