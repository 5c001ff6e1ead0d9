package message

import (
	"bytes"
	"strings"
)

// A Field is one header field (RFC 5322 §2.2): its name as written and
// its value raw (not RFC 2047-decoded), unfolded (line ends removed,
// the white space after them kept) and trimmed of white space.
type Field struct {
	Name, Value string
}

// rawField is one field of a header block as stored: the line that
// opens it and its continuation lines (those starting with SP or HT),
// line ends included. name is nil for lines that open no field: a line
// without a valid name before a ':', or continuation lines at the start.
type rawField struct {
	name []byte
	text []byte
}

// splitFields splits a header block into its fields, in order. The
// texts are consecutive slices of b covering all of it.
func splitFields(b []byte) []rawField {
	var out []rawField
	for len(b) > 0 {
		n := lineLen(b)
		for n < len(b) && (b[n] == ' ' || b[n] == '\t') {
			n += lineLen(b[n:])
		}
		out = append(out, rawField{name: fieldName(b[:n]), text: b[:n]})
		b = b[n:]
	}
	return out
}

// lineLen is the length of b's first line, its LF included.
func lineLen(b []byte) int {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return i + 1
	}
	return len(b)
}

// fieldName returns the name of the field opened by line, or nil: the
// bytes before the first ':', white space before the colon allowed
// (RFC 5322 §4.5.1 obs-optional), made of printable ASCII (RFC 5322
// §3.6.8 ftext).
func fieldName(line []byte) []byte {
	i := bytes.IndexByte(line, ':')
	if i < 0 {
		return nil
	}
	name := bytes.TrimRight(line[:i], " \t")
	if len(name) == 0 {
		return nil
	}
	for _, c := range name {
		if c < 33 || c > 126 {
			return nil
		}
	}
	return name
}

// parseFields returns the fields of a header block; lines that open no
// field are left out.
func parseFields(b []byte) []Field {
	var out []Field
	for _, f := range splitFields(b) {
		if f.name == nil {
			continue
		}
		v := f.text[bytes.IndexByte(f.text, ':')+1:]
		out = append(out, Field{Name: string(f.name), Value: unfold(v)})
	}
	return out
}

// unfold removes the line ends of a field value (RFC 5322 §2.2.3) and
// the white space at both ends.
func unfold(v []byte) string {
	var b strings.Builder
	for len(v) > 0 {
		n := lineLen(v)
		l := v[:n]
		l = bytes.TrimSuffix(l, []byte("\n"))
		l = bytes.TrimSuffix(l, []byte("\r"))
		b.Write(l)
		v = v[n:]
	}
	return strings.Trim(b.String(), " \t\r\n")
}

// SelectFields returns the fields of the header block hdr whose names
// are (not = false) or are not (not = true) among names, compared
// without regard to case: the lines as stored, continuation lines
// included, in order (RFC 3501 §6.4.5 HEADER.FIELDS, HEADER.FIELDS.NOT).
// Lines that open no field are never selected.
func SelectFields(hdr []byte, names []string, not bool) []byte {
	var out []byte
	for _, f := range splitFields(hdr) {
		if f.name == nil {
			continue
		}
		if nameIn(f.name, names) != not {
			out = append(out, f.text...)
		}
	}
	return out
}

func nameIn(name []byte, names []string) bool {
	for _, n := range names {
		if strings.EqualFold(string(name), n) {
			return true
		}
	}
	return false
}

// headerBlock is how a header goes out in a HEADER, HEADER.FIELDS or
// MIME section: converted to CRLF, its last line ended, and the empty
// line that ends a header block after it (RFC 3501 §6.4.5).
func headerBlock(hdr []byte) []byte {
	b := toCRLF(hdr)
	if len(b) > 0 && b[len(b)-1] != '\n' {
		b = append(b, '\r', '\n')
	}
	return append(b, '\r', '\n')
}
