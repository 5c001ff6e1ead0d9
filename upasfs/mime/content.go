package mime

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Content returns the content of file name (one of Files) of part p as a
// ReaderAt and its size (spec §1.4, §1.5):
//
//   - raw, rawunix, rawheader, rawbody, mimeheader: a section of p.Src,
//     not a copy. rawheader is empty for a multipart's parts, mimeheader
//     for everything else.
//   - body: the transfer-decoded body; for a leaf text/* part also
//     converted to UTF-8 (decision 2) and without NUL bytes. A
//     multipart's body is its raw body.
//   - header: rawheader without ignored fields, RFC 2047-decoded.
//   - info: the 16 lines of spec §1.5, each RFC 2047-decoded.
//   - the rest: the field's value; lines is the decimal count of '\n' in
//     rawbody; unixheader is "From <sender> <unixdate>\n".
//
// A part lacking a field gets an empty file. The error wraps ErrNotExist
// for an unknown name, or is an error reading p.Src.
func (p *Part) Content(name string) (io.ReaderAt, int64, error) {
	switch name {
	case "raw":
		return p.section(p.HeaderOff, p.end())
	case "rawunix":
		return p.section(p.UnixOff, p.end())
	case "rawbody":
		return p.section(p.BodyOff, p.end())
	case "rawheader":
		if p.kind == kindMime {
			return text("")
		}
		return p.section(p.HeaderOff, p.HeaderOff+p.HeaderLen)
	case "mimeheader":
		if p.kind != kindMime {
			return text("")
		}
		return p.section(p.HeaderOff, p.HeaderOff+p.HeaderLen)
	case "header":
		b, err := p.header()
		return data(b, err)
	case "body":
		return p.body()
	case "info":
		return text(p.info())
	}
	v, ok := p.value(name)
	if !ok {
		return nil, 0, fmt.Errorf("mime: %q: %w", name, ErrNotExist)
	}
	return text(v)
}

func (p *Part) section(start, end int64) (io.ReaderAt, int64, error) {
	return io.NewSectionReader(p.Src, start, end-start), end - start, nil
}

func text(s string) (io.ReaderAt, int64, error) {
	return strings.NewReader(s), int64(len(s)), nil
}

func data(b []byte, err error) (io.ReaderAt, int64, error) {
	if err != nil {
		return nil, 0, err
	}
	return bytes.NewReader(b), int64(len(b)), nil
}

// value is the content of a file holding one header-derived value.
func (p *Part) value(name string) (string, bool) {
	switch name {
	case "bcc":
		return p.Bcc, true
	case "cc":
		return p.Cc, true
	case "date":
		return p.Date, true
	case "digest":
		return p.Digest, true
	case "disposition":
		return p.Disposition, true
	case "filename":
		return p.Filename, true
	case "from":
		return p.From, true
	case "inreplyto":
		return p.InReplyTo, true
	case "lines":
		return strconv.FormatInt(p.lines, 10), true
	case "messageid":
		return p.MessageID, true
	case "replyto":
		return p.ReplyTo, true
	case "sender":
		return p.Sender, true
	case "subject":
		return p.Subject, true
	case "to":
		return p.To, true
	case "type":
		return p.Type, true
	case "unixheader":
		return p.unixHeader, true
	case "unixdate":
		return p.UnixDate, true
	}
	return "", false
}

// infoFields are the files whose values make the 16 lines of info, in
// order (spec §1.5).
var infoFields = [16]string{
	"from", "to", "cc", "replyto", "unixdate", "subject", "type",
	"disposition", "filename", "digest", "bcc", "inreplyto", "date",
	"sender", "messageid", "lines",
}

// info renders the info file: each value RFC 2047-decoded, then '\n'.
func (p *Part) info() string {
	var b strings.Builder
	for _, f := range infoFields {
		v, _ := p.value(f)
		b.WriteString(DecodeHeader(v))
		b.WriteByte('\n')
	}
	return b.String()
}

// header renders the header file: the fields of rawheader whose names
// do not start with an ignore-list entry, RFC 2047-decoded (spec §1.4).
func (p *Part) header() ([]byte, error) {
	if p.kind == kindMime {
		return nil, nil
	}
	raw, err := p.read(p.HeaderOff, p.HeaderLen)
	if err != nil {
		return nil, fmt.Errorf("mime: read header: %w", err)
	}
	var out []byte
	for len(raw) > 0 {
		n := fieldLen(raw)
		f := raw[:n]
		raw = raw[n:]
		if !ignored(p.ignore, f) {
			out = append(out, DecodeHeader(string(f))...)
		}
	}
	return out, nil
}

// fieldLen is the length of the header field at the start of b: its line
// and the continuation lines (starting with blank or tab) after it.
func fieldLen(b []byte) int {
	n := 0
	for {
		i := bytes.IndexByte(b[n:], '\n')
		if i < 0 {
			return len(b)
		}
		n += i + 1
		if n >= len(b) || b[n] != ' ' && b[n] != '\t' {
			return n
		}
	}
}

// ignored reports whether field f starts with an entry of the ignore
// list, case-insensitively. Entries lose leading blanks; empty entries
// and those starting with '#' are skipped.
func ignored(list []string, f []byte) bool {
	for _, e := range list {
		e = strings.TrimRight(strings.TrimLeft(e, " \t"), "\r\n")
		if e != "" && e[0] != '#' && hasPrefixFold(f, e) {
			return true
		}
	}
	return false
}

// body renders the body file (spec §1.4 body, decision 2).
func (p *Part) body() (io.ReaderAt, int64, error) {
	if p.decoded != nil {
		return data(p.decoded, nil)
	}
	isText := strings.HasPrefix(p.Type, "text/") && len(p.Parts) == 0
	if strings.HasPrefix(p.Type, "multipart/") || p.Encoding == "" &&
		(!isText || !p.hasNUL && (!p.has8bit || plainCharset(p.charset))) {
		return p.section(p.BodyOff, p.end())
	}
	b, err := p.read(p.BodyOff, p.BodyLen)
	if err != nil {
		return nil, 0, fmt.Errorf("mime: read body: %w", err)
	}
	b = decodeTransfer(p.Encoding, b)
	if isText {
		if u, ok := toUTF8(p.charset, b); ok {
			b = u
		}
		b = dropNUL(b)
	}
	return data(b, nil)
}

// plainCharset reports whether cs needs no conversion to UTF-8.
func plainCharset(cs string) bool {
	return strings.EqualFold(cs, "us-ascii") || strings.EqualFold(cs, "utf-8")
}

// read returns n bytes of p.Src at off.
func (p *Part) read(off, n int64) ([]byte, error) {
	b := make([]byte, n)
	m, err := p.Src.ReadAt(b, off)
	if m == len(b) && (err == nil || errors.Is(err, io.EOF)) {
		return b, nil
	}
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return nil, err
}
