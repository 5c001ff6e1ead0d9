package wire

import (
	"bytes"
	"fmt"
	"io"
	"math"
)

// LiteralHeader is a literal's "{n}" or "{n+}" (RFC 3501 §4.3, RFC 7888).
type LiteralHeader struct {
	Size    int64
	NonSync bool // "{n+}": the data follows without a continuation
	Binary  bool // "~{n}": a literal8 (RFC 3516 §4.1), which may hold NUL
}

// ExpectLiteralHeader reads "{n}" or "{n+}" and the line end after it,
// and checks them against the Options and Limits. It sends no
// continuation: the engine then either asks for the data with
// ExpectLiteralData or refuses it by replying and calling Next (for
// "{n}" the client then sends nothing; "{n+}" data is discarded).
//
// It fails with a syntax Error for "{n+}" without LiteralPlus, and with
// a TOOBIG Error for a literal over MaxLiteral or past MaxLiterals; *h
// is filled in even then, so the reply can name the size.
func (d *Decoder) ExpectLiteralHeader(h *LiteralHeader) bool {
	return d.literalHeader(h, false)
}

// ExpectLiteral8Header is ExpectLiteralHeader that also takes a
// literal8 "~{n}" or "~{n+}" (RFC 3516 §4.1, for APPEND's message);
// h.Binary tells which came.
func (d *Decoder) ExpectLiteral8Header(h *LiteralHeader) bool {
	return d.literalHeader(h, true)
}

func (d *Decoder) literalHeader(h *LiteralHeader, literal8 bool) bool {
	var n uint64
	binary := literal8 && d.consume('~')
	if !d.expect('{', "literal") || !d.number(&n, math.MaxInt64) {
		return false
	}
	nonSync := d.consume('+')
	if !d.expect('}', `"}"`) || !d.lineEnd() {
		return false
	}
	*h = LiteralHeader{Size: int64(n), NonSync: nonSync, Binary: binary}
	p := *h
	d.pending = &p
	d.literals++
	switch {
	case nonSync && !d.opts.LiteralPlus:
		return d.fail("non-synchronizing literal {%d+} not allowed", n)
	case d.literals > d.limits.MaxLiterals:
		return d.tooBig("too many literals (limit %d)", d.limits.MaxLiterals)
	case nonSync && d.limits.MaxNonSync > 0 && h.Size > d.limits.MaxNonSync:
		d.nonSyncBig = d.err == nil
		return d.tooBig("non-synchronizing literal of %d octets too big (LITERAL- limit %d)", h.Size, d.limits.MaxNonSync)
	case h.Size > d.limits.MaxLiteral:
		return d.tooBig("literal of %d octets too big (limit %d)", h.Size, d.limits.MaxLiteral)
	}
	return true
}

// ExpectLiteralData takes the data of the literal whose header
// ExpectLiteralHeader just read. For "{n}" it calls Options.Continue
// first. *r yields exactly Size octets; read it to EOF before the next
// call on the decoder (any later call discards what is left). The data
// is not checked: it may hold NUL (APPEND spools it as it comes).
func (d *Decoder) ExpectLiteralData(r *io.Reader) bool {
	if d.err != nil {
		return false
	}
	if d.pending == nil {
		return d.fail("no literal to read")
	}
	h := *d.pending
	d.pending = nil
	if !h.NonSync && d.opts.Continue != nil {
		if err := d.opts.Continue(); err != nil {
			return d.failSession(fmt.Errorf("imap wire: send continuation: %w", err))
		}
	}
	d.remain = h.Size
	d.litGen++
	*r = &literalReader{d: d, gen: d.litGen}
	return true
}

// literalReader reads the data of one literal straight from the stream.
type literalReader struct {
	d   *Decoder
	gen int
}

func (lr *literalReader) Read(p []byte) (int, error) {
	d := lr.d
	if lr.gen != d.litGen || d.remain == 0 {
		return 0, io.EOF
	}
	if d.ioErr != nil {
		return 0, d.ioErr
	}
	if int64(len(p)) > d.remain {
		p = p[:d.remain]
	}
	n, err := d.r.Read(p)
	d.remain -= int64(n)
	if err != nil {
		d.failIO(err)
		return n, d.ioErr
	}
	return n, nil
}

// ExpectLiteral reads a literal into memory (RFC 3501 §4.3): for
// ordinary string arguments. All literal data held for one command
// counts against Limits.MaxHeld. NUL is refused (RFC 3501 §9 CHAR8).
func (d *Decoder) ExpectLiteral(s *string) bool {
	var h LiteralHeader
	if !d.ExpectLiteralHeader(&h) {
		return false
	}
	if d.held+h.Size > d.limits.MaxHeld {
		return d.tooBig("literals too big (limit %d octets per command)", d.limits.MaxHeld)
	}
	d.held += h.Size
	var r io.Reader
	if !d.ExpectLiteralData(&r) {
		return false
	}
	b, ok := readSized(r, h.Size)
	if !ok {
		return false // the reader recorded the I/O error
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return d.fail("NUL in literal")
	}
	*s = string(b)
	return true
}

// readSized reads size octets from r, growing its buffer as data
// arrives rather than trusting size up front.
func readSized(r io.Reader, size int64) ([]byte, bool) {
	b := make([]byte, 0, min(size, 64<<10))
	for int64(len(b)) < size {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		end := min(int64(cap(b)), size)
		n, err := r.Read(b[len(b):end])
		b = b[:len(b)+n]
		if err != nil && int64(len(b)) < size {
			return nil, false
		}
	}
	return b, true
}
