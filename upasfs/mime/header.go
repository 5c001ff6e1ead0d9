package mime

import (
	"bytes"
	"strings"
)

// maxField bounds the unfolded value kept of one header field; the rest
// of a longer field is dropped.
const maxField = 64 << 10

// opt is a header value that may be absent (4e's nil String), which is
// not the same as present and empty: only absent values fall back.
type opt struct {
	s  string
	ok bool
}

func (o opt) or(alt opt) opt {
	if o.ok {
		return o
	}
	return alt
}

// hdr is what a header block says (spec §1.4 "Header parsing").
type hdr struct {
	from, to, cc, bcc, replyTo, sender  opt
	date, subject, inReplyTo, messageID opt
	received                            opt // first field, if Received:
	unixFrom, unixDate                  opt // from the mbox From line

	typ, boundary, charset opt
	encoding, disposition  string
	filename               opt
}

// fieldFunc handles one header field; v is the value after the colon.
type fieldFunc func(h *hdr, v []byte)

// headerFields are the fields upasfs reads, matched case-insensitively as
// a prefix of the unfolded line; mime reports whether a MIME part's
// header (parsed "just MIME") reads it too (spec §1.4).
var headerFields = []struct {
	name string
	mime bool
	f    fieldFunc
}{
	{"date:", false, func(h *hdr, v []byte) { h.date = trimmed(v) }},
	{"from:", false, func(h *hdr, v []byte) { h.from = addr822(v) }},
	{"to:", false, func(h *hdr, v []byte) { h.to = addrCat(h.to, v) }},
	{"sender:", false, func(h *hdr, v []byte) { h.sender = addr822(v) }},
	{"reply-to:", false, func(h *hdr, v []byte) { h.replyTo = addr822(v) }},
	{"subject:", false, func(h *hdr, v []byte) { h.subject = trimmed(v) }},
	{"cc:", false, func(h *hdr, v []byte) { h.cc = addrCat(h.cc, v) }},
	{"bcc:", false, func(h *hdr, v []byte) { h.bcc = addrCat(h.bcc, v) }},
	{"in-reply-to:", false, func(h *hdr, v []byte) { h.inReplyTo = trimmed(v) }},
	{"message-id:", false, func(h *hdr, v []byte) { h.messageID = trimmed(v) }},
	{"content-type:", true, (*hdr).contentType},
	{"content-transfer-encoding:", true, (*hdr).contentEncoding},
	{"content-disposition:", true, (*hdr).contentDisposition},
}

// field applies one unfolded header line. first says it is the first
// line of the block, where a Received: field supplies a date (spec §1.4
// unixdate).
func (h *hdr) field(l []byte, justMime, first bool) {
	if first && hasPrefixFold(l, "received:") {
		if i := bytes.IndexByte(l, ';'); i >= 0 {
			h.received = opt{string(l[i+1:]), true}
		}
	}
	for _, f := range headerFields {
		if (f.mime || !justMime) && hasPrefixFold(l, f.name) {
			f.f(h, l[len(f.name):])
			return
		}
	}
}

// isHeaderLine reports whether a line opens a header field: a ':' comes
// before the end of the line. Any other line ends the header block.
func isHeaderLine(b []byte) bool {
	for _, c := range b {
		switch c {
		case ':':
			return true
		case '\n':
			return false
		}
	}
	return false
}

// trimmed is a value with white space removed at both ends.
func trimmed(v []byte) opt {
	return opt{strings.TrimFunc(string(v), isSpaceRune), true}
}

// addrCat appends the addresses of another instance of a list field
// (RFC 2822 §4.5.3), separated by one space.
func addrCat(old opt, v []byte) opt {
	a := addr822(v)
	switch {
	case !old.ok:
		return a
	case a.ok:
		return opt{old.s + " " + a.s, true}
	}
	return old
}

// contentType reads the type and its boundary, name and charset
// parameters (spec §1.4 type, filename).
func (h *hdr) contentType(v []byte) {
	p := skipSpace(v, 0)
	var t string
	t, p = getString(v, p, true)
	h.typ = opt{t, true}
	for p < len(v) {
		if q, ok := isAttribute(v, p, "boundary"); ok {
			var b string
			b, p = getString(v, q, false)
			h.boundary = opt{"--" + b, true}
		} else if hasPrefixFold(v[p:], "multipart") {
			// not a parameter: skip it
		} else if q, ok := isAttribute(v, p, "name"); ok {
			if !h.filename.ok {
				h.setFilename(v, q)
			}
			p = q
		} else if q, ok := isAttribute(v, p, "charset"); ok {
			var cs string
			cs, p = getString(v, q, false)
			h.charset = opt{cs, true}
		}
		p = skipToSemi(v, p)
	}
}

// contentEncoding notes base64 and quoted-printable; other values leave
// the encoding as it was.
func (h *hdr) contentEncoding(v []byte) {
	v = v[skipSpace(v, 0):]
	switch {
	case hasPrefixFold(v, "base64"):
		h.encoding = "base64"
	case hasPrefixFold(v, "quoted-printable"):
		h.encoding = "quoted-printable"
	}
}

// contentDisposition reads inline/attachment and filename= (no RFC 2231).
func (h *hdr) contentDisposition(v []byte) {
	for p := skipSpace(v, 0); p < len(v); p = skipToSemi(v, p) {
		switch {
		case hasPrefixFold(v[p:], "inline"):
			h.disposition = "inline"
		case hasPrefixFold(v[p:], "attachment"):
			h.disposition = "file"
		case hasPrefixFold(v[p:], "filename="):
			h.setFilename(v, p+len("filename="))
		}
	}
}

// setFilename takes the (possibly quoted) value at v[p:], with blanks and
// ';' replaced by '_'.
func (h *hdr) setFilename(v []byte, p int) {
	s, _ := getString(v, p, false)
	h.filename = opt{strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == ';' {
			return '_'
		}
		return r
	}, s), true}
}

// getString reads a quoted string or a token ending at white space or
// ';' from v[p:], after white space; it returns the string and the
// offset after it.
func getString(v []byte, p int, lower bool) (string, int) {
	p = skipSpace(v, p)
	start := p
	var s []byte
	if p < len(v) && v[p] == '"' {
		p++
		start = p
		for p < len(v) && v[p] != '"' {
			p++
		}
		s = v[start:p]
		if p < len(v) {
			p++
		}
	} else {
		for p < len(v) && !isSpace(v[p]) && v[p] != ';' {
			p++
		}
		s = v[start:p]
	}
	if lower {
		return strings.ToLower(string(s)), p
	}
	return string(s), p
}

// isAttribute reports whether v[p:] is `attr = ...` and returns the offset
// of the value.
func isAttribute(v []byte, p int, attr string) (int, bool) {
	if !hasPrefixFold(v[p:], attr) {
		return p, false
	}
	q := p + len(attr)
	for q < len(v) && v[q] == ' ' {
		q++
	}
	if q >= len(v) || v[q] != '=' {
		return p, false
	}
	q++
	for q < len(v) && v[q] == ' ' {
		q++
	}
	return q, true
}

// skipToSemi moves past the next ';' and the blanks after it.
func skipToSemi(v []byte, p int) int {
	for p < len(v) && v[p] != ';' {
		p++
	}
	for p < len(v) && (v[p] == ';' || isSpace(v[p])) {
		p++
	}
	return p
}

func skipSpace(v []byte, p int) int {
	for p < len(v) && isSpace(v[p]) {
		p++
	}
	return p
}

// isSpace is Plan 9's isspace: ASCII white space only.
func isSpace(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' }

func isSpaceRune(r rune) bool { return r < 0x80 && isSpace(byte(r)) }

// hasPrefixFold is an ASCII case-insensitive bytes.HasPrefix.
func hasPrefixFold(b []byte, prefix string) bool {
	if len(b) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lower(b[i]) != lower(prefix[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
