package message

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// A Section is a FETCH body section (RFC 3501 §6.4.5).
type Section struct {
	// Part holds the IMAP part numbers ("4.2.1" is {4, 2, 1}); empty
	// for the message itself.
	Part []int
	// Specifier is "", "HEADER", "HEADER.FIELDS", "HEADER.FIELDS.NOT",
	// "TEXT" or "MIME", in any case.
	Specifier string
	// Fields are the field names of HEADER.FIELDS.
	Fields []string
	// Not makes HEADER.FIELDS mean HEADER.FIELDS.NOT.
	Not bool
}

// A Partial is a FETCH partial range <Start.Count> (RFC 3501 §6.4.5).
type Partial struct {
	Start, Count int64
}

// Opener returns a stream of exactly the promised number of bytes.
type Opener func() (io.ReadCloser, error)

// Section returns the size of sec's bytes and a function that streams
// exactly that many bytes, after partial (nil for all) is applied: the
// bytes from Start, at most Count of them, none when Start is at or past
// the end. The size is known before any byte of a body is read, so the
// engine can send "{size}\r\n" and then stream.
//
//   - "" of the message (BODY[]): the stored message, upasfs raw.
//   - "" of a part: its body (for a message/rfc822 part, the whole
//     encapsulated message); part 1 of a single-part message is its body.
//   - HEADER: the header block as stored and the empty line after it;
//     HEADER.FIELDS(.NOT): the selected fields as stored and an empty
//     line; TEXT: what follows the header block's empty line. With part
//     numbers these need a message/rfc822 part and apply to its message.
//   - MIME: the part's header block (the message's, for a single-part
//     message's part 1, or a message/rfc822 part's single-part message's
//     part 1) and an empty line.
//
// All of it goes out with LF made CRLF and NUL made 0x80 (decisions 5
// and 6). A part or specifier that does not apply gives the empty string
// (size 0), as 4e imap4d does (spec §2.8); an unknown specifier is an
// error, as are upasfs errors.
func (s *Structure) Section(src Source, sec Section, partial *Partial) (int64, Opener, error) {
	n, asMsg, ok := s.resolve(sec.Part)
	if !ok {
		return cut(nil, partial)
	}
	spec := strings.ToUpper(sec.Specifier)
	not := sec.Not
	if spec == "HEADER.FIELDS.NOT" {
		spec, not = "HEADER.FIELDS", true
	}
	switch spec {
	case "":
		if asMsg {
			return s.stream(src, n, 0, partial)
		}
		return s.stream(src, n, -1, partial)
	case "MIME":
		if asMsg {
			return cut(nil, partial)
		}
		return s.header(src, n, nil, partial)
	case "HEADER", "HEADER.FIELDS", "TEXT":
		m := n
		if !asMsg {
			if n.form != rfc822 {
				return cut(nil, partial)
			}
			m = n.kids[0]
		}
		switch spec {
		case "HEADER":
			return s.header(src, m, nil, partial)
		case "HEADER.FIELDS":
			return s.header(src, m, func(h []byte) []byte { return SelectFields(h, sec.Fields, not) }, partial)
		}
		return s.stream(src, m, -1, partial)
	}
	return 0, nil, fmt.Errorf("unknown section specifier %q", sec.Specifier)
}

// resolve maps IMAP part numbers to a node (RFC 3501 §6.4.5, decision
// 14). asMsg says the node stands for a message (no part numbers) rather
// than a part. A message's part k is its k-th part when it is a
// multipart, else part 1 is the message's own body; a message/rfc822
// part's part k is its encapsulated message's part k.
func (s *Structure) resolve(part []int) (n *node, asMsg, ok bool) {
	n = s.root
	asMsg = true
	for _, k := range part {
		if !asMsg && n.form == rfc822 {
			n, asMsg = n.kids[0], true
		}
		switch {
		case n.form == multipart && k >= 1 && k <= len(n.kids):
			n = n.kids[k-1]
		case asMsg && n.form != multipart && k == 1:
		default:
			return nil, false, false
		}
		asMsg = false
	}
	return n, asMsg, true
}

// stream is the section of n's converted raw from off (-1: from the
// text) to its end.
func (s *Structure) stream(src Source, n *node, off int64, partial *Partial) (int64, Opener, error) {
	g, err := n.geometry(src, s.maxHeader)
	if err != nil {
		return 0, nil, err
	}
	if off < 0 {
		off = g.textOff
	}
	start, size := clip(g.size-off, partial)
	if size == 0 {
		return cut(nil, nil)
	}
	open := func() (io.ReadCloser, error) {
		f, err := src.Open(n.path, rawFile)
		if err != nil {
			return nil, fmt.Errorf("open %s raw: %w", pathString(n.path), err)
		}
		r := newCRLFReader(f)
		if _, err := io.CopyN(io.Discard, r, off+start); err != nil && err != io.EOF {
			r.Close()
			return nil, fmt.Errorf("read %s raw: %w", pathString(n.path), err)
		}
		return &exactReader{r: r, n: size}, nil
	}
	return size, open, nil
}

// header is a header section of n: its header block, filtered by sel
// (nil: all of it), as headerBlock makes it. A block longer than
// maxHeader is streamed whole when unfiltered; filtered, only its first
// maxHeader bytes are looked at.
func (s *Structure) header(src Source, n *node, sel func([]byte) []byte, partial *Partial) (int64, Opener, error) {
	h, err := readHeader(src, n.path, n.headerFile(), s.maxHeader)
	if err != nil {
		return 0, nil, err
	}
	if sel == nil {
		if h.cut {
			return streamHeader(src, n.path, n.headerFile(), h, partial)
		}
		return cut(headerBlock(h.b), partial)
	}
	return cut(headerBlock(sel(h.b)), partial)
}

// cut is a section held in memory.
func cut(b []byte, partial *Partial) (int64, Opener, error) {
	start, size := clip(int64(len(b)), partial)
	b = b[start : start+size]
	return size, func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	}, nil
}

// clip applies partial to a section of size bytes and returns where
// the result starts and its size.
func clip(size int64, partial *Partial) (start, n int64) {
	if partial == nil {
		return 0, size
	}
	start = max(partial.Start, 0)
	if start >= size {
		return 0, 0
	}
	return start, min(max(partial.Count, 0), size-start)
}

// SectionExists reports whether sec names something of the message,
// rather than what Section gives as the empty string (a part number
// past the parts, HEADER or TEXT of a part that is no message/rfc822,
// MIME of a message): CATENATE's URLs must name what exists (RFC 4469
// §3, NO [BADURL]).
func (s *Structure) SectionExists(sec Section) bool {
	n, asMsg, ok := s.resolve(sec.Part)
	if !ok {
		return false
	}
	switch strings.ToUpper(sec.Specifier) {
	case "MIME":
		return !asMsg
	case "HEADER", "HEADER.FIELDS", "HEADER.FIELDS.NOT", "TEXT":
		return asMsg || n.form == rfc822
	}
	return true
}
