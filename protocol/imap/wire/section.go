package wire

import (
	"strconv"
	"strings"
)

// Specifier is the text part of a body section (RFC 3501 §6.4.5).
type Specifier string

// Section specifiers; SpecNone is the whole part ("BODY[]", "BODY[1]").
const (
	SpecNone            Specifier = ""
	SpecHeader          Specifier = "HEADER"
	SpecHeaderFields    Specifier = "HEADER.FIELDS"
	SpecHeaderFieldsNot Specifier = "HEADER.FIELDS.NOT"
	SpecText            Specifier = "TEXT"
	SpecMIME            Specifier = "MIME" // only after a part number
)

// Section is what goes between "[" and "]" in BODY[...] (RFC 3501 §9
// section-spec).
type Section struct {
	Part      []uint32  // part numbers, each non-zero; empty for the message
	Specifier Specifier // what of that part
	Fields    []string  // header field names, for HEADER.FIELDS[.NOT] only, as sent
}

// String returns the section as it appears inside the brackets, e.g.
// `1.2.HEADER.FIELDS (From "X y")`. Field names that are not atoms are
// quoted, or written as literals when they cannot be.
func (s Section) String() string {
	return encodeToString(func(e *Encoder) { e.section(s) })
}

// ExpectSection reads "[" [section-spec] "]" (RFC 3501 §9 section).
func (d *Decoder) ExpectSection(s *Section) bool {
	if !d.expect('[', `"["`) {
		return false
	}
	*s = Section{}
	var tok string
	if d.consume(']') {
		return true
	}
	if !d.sectionToken(&tok) || !d.sectionSpec(s, tok) {
		return false
	}
	if s.Specifier == SpecHeaderFields || s.Specifier == SpecHeaderFieldsNot {
		if !d.ExpectSP() || !d.headerList(&s.Fields) {
			return false
		}
	}
	return d.expect(']', `"]" to end section`)
}

// sectionToken reads letters, digits and dots: "1.2.HEADER.FIELDS".
func (d *Decoder) sectionToken(tok *string) bool {
	buf, ok := d.dotted("illegal fetch section")
	if ok {
		*tok = string(buf)
	}
	return ok
}

// sectionSpec splits "1.2.TEXT" into part numbers and specifier.
func (d *Decoder) sectionSpec(s *Section, tok string) bool {
	rest := tok
	for rest != "" && isDigit(rest[0]) {
		num, after, _ := strings.Cut(rest, ".")
		n, err := strconv.ParseUint(num, 10, 32)
		if err != nil || n == 0 {
			return d.fail("illegal part number in fetch section %s", quote(tok))
		}
		s.Part = append(s.Part, uint32(n))
		if after == "" && strings.HasSuffix(rest, ".") {
			return d.fail("illegal fetch section %s", quote(tok))
		}
		rest = after
	}
	switch spec := Specifier(strings.ToUpper(rest)); spec {
	case SpecNone, SpecHeader, SpecHeaderFields, SpecHeaderFieldsNot, SpecText:
		s.Specifier = spec
	case SpecMIME:
		if len(s.Part) == 0 {
			return d.fail("MIME section needs a part number")
		}
		s.Specifier = spec
	default:
		return d.fail("illegal fetch section text %s", quote(rest))
	}
	return true
}

// headerList reads "(" header-fld-name *(SP header-fld-name) ")".
func (d *Decoder) headerList(fields *[]string) bool {
	if !d.expect('(', `"(" to start header list`) {
		return false
	}
	var list []string
	for {
		var f string
		if !d.ExpectAString(&f) {
			return false
		}
		list = append(list, f)
		if d.consume(')') {
			*fields = list
			return true
		}
		if !d.ExpectSP() {
			return false
		}
	}
}
