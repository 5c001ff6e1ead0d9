package testenv

import (
	"encoding/binary"
	"strconv"
	"time"
)

// Multipart kinds (RFC 2046 §5.1). Parts follow "--boundary" lines; the
// newline before a boundary line belongs to the boundary, and some
// messages put a blank line there too, as Python's email package does.

// boundary returns a boundary for nesting level lvl, in one of the forms
// common mailers use. It never occurs in generated text.
func (g *gen) boundary(lvl int) string {
	h := strconv.FormatUint(g.r.next(), 16)
	switch g.r.intn(3) {
	case 0:
		return "----=_Part_" + strconv.Itoa(g.i) + "_" + h + "." + strconv.Itoa(lvl)
	case 1:
		return "000000000000" + h + strconv.Itoa(lvl)
	}
	return "_00" + strconv.Itoa(lvl) + "_" + h + "_"
}

// multipartType returns a Content-Type value for sub (e.g. "mixed"),
// quoting the boundary and sometimes folding before it.
func (g *gen) multipartType(sub, b string) string {
	sep := "; "
	if g.r.chance(40) {
		sep = ";\n\t"
	}
	return "multipart/" + sub + sep + `boundary="` + b + `"`
}

// multiBody tracks the layout of one multipart body being written.
type multiBody struct {
	boundary string
	blank    bool // a blank line before each boundary line
}

// part appends a boundary line and a part header block (with the blank
// line ending it); extra holds further header lines, each ending "\n".
func (m multiBody) part(dst []byte, ch contentHeader, extra string) []byte {
	if m.blank {
		dst = append(dst, '\n')
	}
	dst = append(dst, "--"...)
	dst = append(dst, m.boundary...)
	dst = append(dst, '\n')
	dst = appendContentHeader(dst, ch)
	dst = append(dst, extra...)
	return append(dst, '\n')
}

// close appends the close-delimiter line, and sometimes an epilogue.
func (m multiBody) close(dst []byte, epilogue bool) []byte {
	if m.blank {
		dst = append(dst, '\n')
	}
	dst = append(dst, "--"...)
	dst = append(dst, m.boundary...)
	dst = append(dst, "--\n"...)
	if epilogue {
		dst = append(dst, "\nThis is the epilogue; it is not a part.\n"...)
	}
	return dst
}

const preamble = "This is a multi-part message in MIME format.\n"

// newMultipart starts a multipart body: chooses its boundary and layout
// and returns the Content-Type to declare.
func (g *gen) newMultipart(sub string, lvl int) (multiBody, contentHeader) {
	m := multiBody{boundary: g.boundary(lvl), blank: g.r.chance(30)}
	return m, contentHeader{ctype: g.multipartType(sub, m.boundary)}
}

// startBody ends the header block and writes a preamble, sometimes.
func (g *gen) startBody(dst []byte) []byte {
	dst = append(dst, '\n')
	if g.r.chance(50) {
		dst = append(dst, preamble...)
	}
	return dst
}

// alternative builds a multipart/alternative message.
func (g *gen) alternative() {
	m, ch := g.newMultipart("alternative", 0)
	g.headers(ch)
	g.buf = g.startBody(g.buf)
	g.buf = g.alternativeBody(g.buf, m, bodySize(&g.r))
}

// alternativeBody appends a text/plain and a text/html rendering of one
// letter of about size bytes, and the close delimiter.
func (g *gen) alternativeBody(dst []byte, m multiBody, size int) []byte {
	g.text = g.letter(g.text[:0], asciiStyle, size)
	plain := textBody{contentHeader{"text/plain; charset=us-ascii", "7bit"}, asciiStyle, false}
	if g.r.chance(50) {
		plain.contentHeader = contentHeader{"text/plain; charset=utf-8; format=flowed", "quoted-printable"}
	}
	dst = m.part(dst, plain.contentHeader, "")
	dst = g.appendText(dst, plain)
	html := textBody{contentHeader{"text/html; charset=utf-8", "7bit"}, asciiStyle, false}
	if g.r.chance(50) {
		html.cte = "quoted-printable"
	}
	g.conv = appendHTML(g.conv[:0], g.text, html.cte != "7bit")
	g.text, g.conv = g.conv, g.text
	dst = m.part(dst, html.contentHeader, "")
	dst = g.appendText(dst, html)
	return m.close(dst, false)
}

// attachment builds a multipart/mixed message: a letter, a base64 binary
// file, and a text file whose name has spaces.
func (g *gen) attachment() {
	m, ch := g.newMultipart("mixed", 0)
	g.headers(ch)
	g.buf = g.startBody(g.buf)
	g.text = g.letter(g.text[:0], asciiStyle, bodySize(&g.r)/2)
	tb := textBody{contentHeader{"text/plain; charset=us-ascii", ""}, asciiStyle, false}
	g.buf = m.part(g.buf, tb.contentHeader, "")
	g.buf = g.appendText(g.buf, tb)
	g.buf = g.binaryPart(g.buf, m)
	g.buf = g.notesPart(g.buf, m)
	g.buf = m.close(g.buf, g.r.chance(20))
}

// binaryFile is a kind of binary attachment: its type, name and the
// magic bytes it starts with.
type binaryFile struct{ ctype, name, magic string }

var binaryFiles = []binaryFile{
	{"application/octet-stream", "data.bin", ""},
	{"image/png", "photo.png", "\x89PNG\r\n\x1a\n"},
	{"application/pdf", "report.pdf", "%PDF-1.4\n"},
	{"application/zip", "archive.zip", "PK\x03\x04"},
}

// binarySize draws an attachment size: mostly a few KB, sometimes tens
// of KB, and 1% "big" ones of about 200 KB.
func binarySize(r *rng) int {
	switch n := r.intn(100); {
	case n < 92:
		return r.between(64, 6000)
	case n < 99:
		return r.between(6000, 40000)
	default:
		return r.between(190000, 210000)
	}
}

// binaryPart appends a base64 attachment of random bytes.
func (g *gen) binaryPart(dst []byte, m multiBody) []byte {
	f := pick(&g.r, binaryFiles)
	ch := contentHeader{f.ctype + `; name="` + f.name + `"`, "base64"}
	dst = m.part(dst, ch, `Content-Disposition: attachment; filename="`+f.name+"\"\n")
	n := binarySize(&g.r)
	g.conv = append(g.conv[:0], f.magic...)
	for len(g.conv) < n {
		g.conv = binary.LittleEndian.AppendUint64(g.conv, g.r.next())
	}
	return appendBase64Lines(dst, g.conv[:max(n, len(f.magic))])
}

// notesNames are text attachment names with spaces in them (spec §1.4
// filename: upas/fs turns the spaces into '_').
var notesNames = []string{"meeting notes.txt", "notes file.txt",
	"Q3 budget draft.txt", "read me first.txt"}

// notesPart appends a text attachment whose file name has spaces,
// 7bit or base64.
func (g *gen) notesPart(dst []byte, m multiBody) []byte {
	name := pick(&g.r, notesNames)
	tb := textBody{contentHeader{`text/plain; charset=us-ascii; name="` + name + `"`, "7bit"}, asciiStyle, false}
	if g.r.chance(50) {
		tb.cte = "base64"
	}
	g.text = appendParagraphs(g.text[:0], &g.r, asciiStyle, "", g.r.between(40, 1500))
	dst = m.part(dst, tb.contentHeader, `Content-Disposition: attachment; filename="`+name+"\"\n")
	return g.appendText(dst, tb)
}

// nested builds a multipart/mixed message that forwards a message as a
// message/rfc822 part; the inner message is multipart/alternative.
func (g *gen) nested() {
	m, ch := g.newMultipart("mixed", 0)
	g.headers(ch)
	g.buf = g.startBody(g.buf)
	g.buf = m.part(g.buf, contentHeader{"text/plain; charset=us-ascii", ""}, "")
	g.buf = append(g.buf, "Forwarding the message below.\n"...)
	disp := "Content-Disposition: inline\n"
	if g.r.chance(30) {
		disp = "Content-Disposition: attachment; filename=\"forwarded message.eml\"\n"
	}
	g.buf = m.part(g.buf, contentHeader{"message/rfc822", ""}, disp)
	g.buf = g.innerMessage(g.buf)
	g.buf = m.close(g.buf, false)
}

// innerMessage appends a complete forwarded message: its own headers,
// older than the outer message, and a multipart/alternative body.
func (g *gen) innerMessage(dst []byte) []byte {
	inner, ch := g.newMultipart("alternative", 1)
	from := pick(&g.r, asciiPeople)
	dst = append(dst, "Date: "...)
	t := writeTime(g.seed, g.i).Add(-72 * time.Hour).In(from.zone)
	dst = t.AppendFormat(dst, "Mon, 2 Jan 2006 15:04:05 -0700")
	dst = append(dst, "\nFrom: "...)
	dst = appendAddr(dst, &g.r, from)
	dst = append(dst, "\nTo: "...)
	dst = appendAddr(dst, &g.r, g.ps.from)
	dst = append(dst, "\nSubject: "...)
	dst = append(dst, pick(&g.r, subjects)...)
	dst = append(dst, "\nMessage-ID: "...)
	dst = appendMessageID(dst, g.seed, -1-g.i)
	dst = append(dst, "\nMIME-Version: 1.0\n"...)
	dst = appendContentHeader(dst, ch)
	dst = append(dst, '\n')
	outer := g.ps
	g.ps, g.inner = people{from: from, to: []person{outer.from}}, true
	dst = g.alternativeBody(dst, inner, bodySize(&g.r)/2)
	g.ps, g.inner = outer, false
	return dst
}
