package mime

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
)

// Limits on hostile nesting; 4e has none (docs/upasfs.md).
//
// maxDepth bounds how deep parts nest: the message is at depth 0, its
// parts at 1, and a part at depth maxDepth is a leaf however its header
// types it, its raw and body files holding the parts below whole. Such
// a message stays readable, and so does the rest of the mailbox. Each
// level is one directory of the tree (n/1/1/...), so the deepest file is
// maxDepth+3 names below the root: clients walk it in several Twalks
// (MAXWELEM is 16; ninep walks any depth).
//
// maxParts bounds the parts of one message; parts past it are dropped.
const (
	maxDepth = 64
	maxParts = 10000
)

// parser holds the state of one Parse call.
type parser struct {
	sc     scanner
	field  []byte // the header line being unfolded
	nparts int
	ignore []string
}

// span is a part's byte range in its source.
type span struct{ start, end int64 }

// Parse parses the message whose rawunix bytes (From line through end,
// as located by the mbox scanner) are src[off:off+n]. digest is the
// message's hex digest. ignore is the header-name prefix ignore list for
// the `header` file (the lines of /mail/lib/ignore; may be nil); Parse
// keeps the slice, which the caller must not change afterwards.
//
// Parse reads the message once per nesting level through a bounded
// buffer; it holds no body in memory, except the decoding of a
// transfer-encoded message/rfc822 part. Malformed mail is parsed as well
// as it can be; errors are only those of reading src.
func Parse(src io.ReaderAt, off, n int64, digest string, ignore []string) (*Part, error) {
	if off < 0 || n < 0 {
		return nil, fmt.Errorf("mime: parse message at %d: bad length %d", off, n)
	}
	if n > 0 {
		// Offsets are trusted from here on: the last byte must exist.
		var last [1]byte
		if m, err := src.ReadAt(last[:], off+n-1); m != 1 {
			if err == nil || err == io.EOF {
				err = fmt.Errorf("%d bytes run past the end of the file", n)
			}
			return nil, fmt.Errorf("mime: parse message at %d: %w", off, err)
		}
	}
	br := readers.Get().(*bufio.Reader)
	defer func() {
		br.Reset(nil)
		readers.Put(br)
	}()
	ps := &parser{sc: scanner{br: br}, ignore: ignore}
	var h hdr
	p, err := ps.part(src, off, off+n, kindTop, 0, &h, false)
	if err != nil {
		return nil, fmt.Errorf("mime: parse message at %d: %w", off, err)
	}
	p.Digest = digest
	return p, nil
}

// part parses src[start:end] as a part of the given kind, filling h with
// what its header says.
//
// In a multipart/digest a part without a Content-Type is a
// message/rfc822 (RFC 2046 §5.1.5); 4e took it as text/plain, but then
// IMAP clients cannot see the messages of a digest (docs/upasfs.md).
func (ps *parser) part(src io.ReaderAt, start, end int64, k kind, depth int, h *hdr, inDigest bool) (*Part, error) {
	ps.nparts++
	p := &Part{Src: src, kind: k}
	if k != kindMime {
		p.ignore = ps.ignore
	}
	ps.sc.reset(src, start, end)
	hstart, err := ps.unixLine(p, h)
	if err != nil {
		return nil, err
	}
	hend, body, err := ps.header(h, k == kindMime)
	if err != nil {
		return nil, err
	}
	p.HeaderOff, p.HeaderLen = hstart, hend-hstart
	p.BodyOff, p.BodyLen = body, end-body
	p.setMime(h)
	if inDigest && !(h.typ.ok && h.typ.s != "") {
		p.Type = "message/rfc822"
	}
	if !usableDate(h.unixDate) {
		h.unixDate = synthDate(h)
	}
	if k == kindTop {
		p.unixHeader = unixHeader(h)
	}
	if err := ps.body(p, h, depth); err != nil {
		return nil, err
	}
	p.setFields(h)
	return p, nil
}

// unixLine reads the mbox From line of a top-level message into h and
// returns where the header starts. A message without one (which the mbox
// scanner does not produce) has its header at the start.
func (ps *parser) unixLine(p *Part, h *hdr) (int64, error) {
	start := ps.sc.off
	p.UnixOff = start
	if p.kind != kindTop {
		return start, nil
	}
	l, err := ps.sc.next()
	if err != nil {
		return 0, err
	}
	if !bytes.HasPrefix(l.head, []byte("From ")) {
		if l.n > 0 {
			ps.sc.unread(l)
		}
		return start, nil
	}
	p.UnixLen = l.n
	if l.nl {
		p.UnixLen--
	}
	h.unixFrom, h.unixDate = parseUnix(l.head)
	return start + l.n, nil
}

// header reads header lines into h up to the first line that is not one
// (spec §1.4). It returns the end of the header block and the start of
// the body: past the empty line that ends the block, if that is what
// ended it. justMime restricts it to the Content- fields.
func (ps *parser) header(h *hdr, justMime bool) (hend, body int64, err error) {
	sc := &ps.sc
	for first := true; ; first = false {
		at := sc.off
		l, err := sc.next()
		if err != nil || l.n == 0 {
			return at, at, err
		}
		if !isHeaderLine(l.head) {
			if l.n == 1 && l.nl {
				return at, at + 1, nil
			}
			sc.unread(l)
			return at, at, nil
		}
		f := appendCapped(ps.field[:0], trimNL(l.head))
		for l.nl {
			if c, ok := sc.peek(); !ok || c != ' ' && c != '\t' {
				break
			}
			if l, err = sc.next(); err != nil {
				return 0, 0, err
			}
			f = appendCapped(append(f, ' '), bytes.TrimLeft(trimNL(l.head), " \t"))
		}
		ps.field = f
		h.field(f, justMime, first)
	}
}

// appendCapped appends b to f, keeping f within maxField bytes.
func appendCapped(f, b []byte) []byte {
	if room := maxField - len(f); len(b) > room {
		b = b[:max(room, 0)]
	}
	return append(f, b...)
}

func trimNL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		return b[:n-1]
	}
	return b
}

// setMime sets the MIME fields of p from h (spec §1.4).
func (p *Part) setMime(h *hdr) {
	p.Type = "text/plain"
	if h.typ.ok && h.typ.s != "" {
		p.Type = h.typ.s
	}
	p.Charset = h.charset.s
	p.charset = "iso-8859-1"
	if h.charset.ok {
		p.charset = h.charset.s
	}
	p.Encoding, p.Disposition, p.Filename = h.encoding, h.disposition, h.filename.s
}

// unixHeader is "From <sender> <unixdate>\n" (spec §1.4 unixheader),
// or "" when the From line names no sender: 4e builds no header for a
// local mbox message without one (parseheaders with addfrom 0).
func unixHeader(h *hdr) string {
	if !h.unixFrom.ok {
		return ""
	}
	from := "???"
	switch {
	case h.unixFrom.ok && h.unixFrom.s != "???":
		from = h.unixFrom.s
	case h.from.ok:
		from = h.from.s
	}
	date := epoch
	if h.unixDate.ok {
		date = h.unixDate.s
	}
	return "From " + from + " " + date + "\n"
}

// setFields sets the header files of p from h, with their fallbacks
// (spec §1.4).
func (p *Part) setFields(h *hdr) {
	p.From = h.from.or(h.unixFrom).s
	p.ReplyTo = h.replyTo.or(h.from).or(h.sender).or(h.unixFrom).s
	p.To, p.Cc, p.Bcc, p.Sender = h.to.s, h.cc.s, h.bcc.s, h.sender.s
	p.Subject, p.InReplyTo, p.MessageID = h.subject.s, h.inReplyTo.s, h.messageID.s
	p.UnixDate = h.unixDate.s
	p.Date = h.date.or(h.unixDate).s
}

// body reads the body of p, parsing sub-parts of a multipart or
// message/rfc822 part (spec §1.4 "MIME structure").
func (ps *parser) body(p *Part, h *hdr, depth int) error {
	if depth < maxDepth && ps.nparts < maxParts {
		switch {
		case strings.HasPrefix(p.Type, "multipart/") && h.boundary.ok:
			return ps.multipart(p, h.boundary.s, depth)
		case p.Type == "message/rfc822":
			return ps.rfc822(p, h, depth)
		}
	}
	st, err := ps.sc.rest()
	p.lines, p.hasNUL, p.has8bit = st.lines, st.hasNUL, st.has8bit
	return err
}

// multipart splits the body of p at lines starting with bnd ("--" and
// the boundary) and parses each piece as a part. A piece ends where the
// next boundary line starts, so the newline before it stays in the piece
// (4e; p9p §3.3). The text before the first boundary line and from a
// closing "--boundary--" on is not a part; without a closing line the
// last part runs to the end.
func (ps *parser) multipart(p *Part, bnd string, depth int) error {
	spans, err := ps.split(p, []byte(bnd))
	if err != nil {
		return err
	}
	for _, sp := range spans {
		if ps.nparts >= maxParts {
			break
		}
		var h hdr
		c, err := ps.part(p.Src, sp.start, sp.end, kindMime, depth+1, &h, p.Type == "multipart/digest")
		if err != nil {
			return err
		}
		p.Parts = append(p.Parts, c)
	}
	return nil
}

// split finds the spans of a multipart body, counting its lines.
func (ps *parser) split(p *Part, bnd []byte) ([]span, error) {
	sc := &ps.sc
	var spans []span
	open, done := false, false
	var cur int64
	for {
		at := sc.off
		l, err := sc.next()
		if err != nil {
			return nil, err
		}
		if l.n == 0 {
			break
		}
		if l.nl {
			p.lines++
		}
		if done || !bytes.HasPrefix(l.head, bnd) {
			continue
		}
		if open {
			spans = append(spans, span{cur, at})
			open = false
		}
		if bytes.HasPrefix(l.head[len(bnd):], []byte("--")) || !l.nl {
			done = true
			continue
		}
		cur, open = at+l.n, true
	}
	if open {
		spans = append(spans, span{cur, sc.off})
	}
	return spans, nil
}

// rfc822 parses the body of a message/rfc822 part p, transfer-decoded if
// need be, as its one child, and promotes the child's header fields when
// p has no From:, Reply-To: or Sender: of its own (spec §1.4).
func (ps *parser) rfc822(p *Part, h *hdr, depth int) error {
	src, start, end := p.Src, p.BodyOff, p.end()
	if p.Encoding != "" {
		raw, err := p.read(p.BodyOff, p.BodyLen)
		if err != nil {
			return fmt.Errorf("read message/rfc822 body: %w", err)
		}
		p.lines = int64(bytes.Count(raw, []byte{'\n'}))
		p.decoded = decodeTransfer(p.Encoding, raw)
		src, start, end = bytes.NewReader(p.decoded), 0, int64(len(p.decoded))
	} else {
		st, err := ps.sc.rest()
		if err != nil {
			return err
		}
		p.lines = st.lines
	}
	var ch hdr
	c, err := ps.part(src, start, end, kindMessage, depth+1, &ch, false)
	if err != nil {
		return err
	}
	p.Parts = []*Part{c}
	if !h.from.ok && !h.replyTo.ok && !h.sender.ok {
		h.from, h.to, h.date, h.sender = ch.from, ch.to, ch.date, ch.sender
		h.replyTo, h.subject, h.unixDate = ch.replyTo, ch.subject, ch.unixDate
	}
	return nil
}
