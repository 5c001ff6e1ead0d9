// Package inflate decodes raw DEFLATE streams (RFC 1951) and hands out
// every decoded octet as soon as it is decoded.
//
// The standard library's compress/flate reader delivers data only at a
// stored block, when its window fills or at the final block, so a peer
// that ends a burst with zlib's Z_PARTIAL_FLUSH (an empty fixed-Huffman
// block that is not byte-aligned, as mbsync does under IMAP COMPRESS)
// waits for an answer the server never decodes. A Reader here decodes
// until its input runs dry and then returns what it has; it asks its
// source for more only when it holds no decoded octet.
//
// Decoding is resumable at symbol boundaries: a literal, a whole
// length/distance pair, a block header (with all of a dynamic block's
// code lengths) or a run of stored octets is either decoded from the
// input at hand or left unconsumed until more arrives. So the input kept
// is at most one such unit (a dynamic header is under 600 octets) plus
// one read's worth (inChunk), and the output buffer is the 32 KiB window
// plus as much again: memory is bounded whatever the stream.
//
// Bad streams are errors, with zlib's rules and messages: a block type
// of 3, a stored length whose complement does not match, more than 286
// literal/length or 30 distance codes, a repeat with nothing before it
// or past the end, a missing end-of-block code, oversubscribed codes,
// and incomplete ones except a single code of one bit for the
// literal/length or distance code (zlib accepts that; a code-length code
// must be complete), a literal/length symbol 286 or 287 or a distance
// symbol 30 or 31 (possible in fixed blocks), and a distance before the
// start of the stream. Errors wrap ErrCorrupt.
package inflate

import (
	"errors"
	"fmt"
	"io"
)

const (
	windowSize = 1 << 15 // RFC 1951: distances reach 32768 octets back
	maxMatch   = 258
	bufSize    = 2*windowSize + maxMatch
	inChunk    = 4096 // octets asked of the source per read
	maxBits    = 15   // longest Huffman code
	tableBits  = 9    // codes up to this long are decoded in one look-up
	numLitLen  = 288  // literal/length alphabet including 286, 287
	numDist    = 32   // distance alphabet including 30, 31
)

// ErrCorrupt is wrapped by every error about a bad stream.
var ErrCorrupt = errors.New("inflate: corrupt input")

func corrupt(msg string) error { return fmt.Errorf("%w: %s", ErrCorrupt, msg) }

var (
	errBlockType  = corrupt("invalid block type")
	errStoredLen  = corrupt("invalid stored block lengths")
	errTooMany    = corrupt("too many length or distance symbols")
	errCodeLens   = corrupt("invalid code lengths set")
	errRepeat     = corrupt("invalid bit length repeat")
	errNoEOB      = corrupt("invalid code -- missing end-of-block")
	errLitLenSet  = corrupt("invalid literal/lengths set")
	errDistSet    = corrupt("invalid distances set")
	errLitLenCode = corrupt("invalid literal/length code")
	errDistCode   = corrupt("invalid distance code")
	errTooFar     = corrupt("invalid distance too far back")
)

// Base values and extra bits of the length symbols 257..285 and the
// distance symbols 0..29 (RFC 1951 §3.2.5).
var (
	lenBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lenExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	dstBase  = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	dstExtra = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	// clOrder is the order of the code-length code's lengths (§3.2.7).
	clOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

// A huffman is a canonical Huffman code. table is indexed by the next
// tableBits input bits (first bit lowest); an entry is sym<<4 | length
// for a code of at most tableBits bits, entLong for the prefix of a
// longer one (decoded bit by bit from count and symbol), or entInvalid
// where no code starts (an incomplete or empty code).
type huffman struct {
	count  [maxBits + 1]uint16
	symbol [numLitLen]uint16
	table  [1 << tableBits]uint16
}

const (
	entLong    = 0
	entInvalid = 0xfff1 // length 1, symbol 0xfff
	symInvalid = 0xfff
)

// build makes h the code of lengths. An incomplete code is accepted
// only if incomplete is true and it is a single code of one bit, or
// empty (zlib's rules; an empty code fails when used).
func (h *huffman) build(lengths []uint8, incomplete bool) bool {
	h.count = [maxBits + 1]uint16{}
	for _, l := range lengths {
		h.count[l]++
	}
	h.count[0] = 0
	maxLen := 0
	left := 1
	for l := 1; l <= maxBits; l++ {
		left <<= 1
		left -= int(h.count[l])
		if left < 0 {
			return false // oversubscribed
		}
		if h.count[l] > 0 {
			maxLen = l
		}
	}
	if left > 0 && maxLen != 0 && (!incomplete || maxLen != 1) {
		return false
	}
	if maxLen == 0 && !incomplete {
		return false
	}
	var offs [maxBits + 2]uint16
	for l := 1; l <= maxBits; l++ {
		offs[l+1] = offs[l] + h.count[l]
	}
	for s, l := range lengths {
		if l != 0 {
			h.symbol[offs[l]] = uint16(s)
			offs[l]++
		}
	}
	for i := range h.table {
		h.table[i] = entInvalid
	}
	// Walk the canonical codes in order, filling the table.
	code := 0
	k := 0
	for l := 1; l <= maxBits; l++ {
		for range int(h.count[l]) {
			rev := reverse(code, l)
			if l <= tableBits {
				for i := rev; i < len(h.table); i += 1 << l {
					h.table[i] = h.symbol[k]<<4 | uint16(l)
				}
			} else {
				h.table[rev&(1<<tableBits-1)] = entLong
			}
			code++
			k++
		}
		code <<= 1
	}
	return true
}

// reverse returns the low n bits of c in reverse order.
func reverse(c, n int) int {
	r := 0
	for range n {
		r = r<<1 | c&1
		c >>= 1
	}
	return r
}

var fixedLit, fixedDist huffman

func init() {
	var l [numLitLen]uint8
	for i := range l {
		switch {
		case i < 144:
			l[i] = 8
		case i < 256:
			l[i] = 9
		case i < 280:
			l[i] = 7
		default:
			l[i] = 8
		}
	}
	fixedLit.build(l[:], false)
	var d [numDist]uint8
	for i := range d {
		d[i] = 5
	}
	fixedDist.build(d[:], false)
}

// Decoder states between calls.
const (
	stHeader  = iota // at a block header
	stStored         // in a stored block, stored octets left
	stHuffman        // in a fixed or dynamic block
	stDone           // after the final block
)

// A Reader inflates a raw DEFLATE stream read from its source.
type Reader struct {
	src   io.Reader
	in    []byte // input read, in[ip:] not yet taken into bits
	ip    int
	bits  uint64 // input bits taken, first bit lowest
	nbits uint
	srcEr error // the source's error, met when in runs out

	buf        []byte // buf[:wpos] is history, buf[rpos:wpos] not yet handed out
	rpos, wpos int

	state  int
	final  bool // the current block is the last
	stored int
	lit    *huffman
	dist   *huffman
	dynLit huffman
	dynDst huffman
	err    error // sticky: a corrupt stream, the source's error or io.EOF
}

// NewReader returns a Reader inflating the raw DEFLATE stream in r.
func NewReader(r io.Reader) *Reader {
	return &Reader{src: r, in: make([]byte, 0, 2*inChunk), buf: make([]byte, bufSize)}
}

// Read hands out decoded octets: any already decoded, else as many as
// the input at hand yields (at most len(p)), reading the source only
// when none can be decoded. After the final block it returns io.EOF; a
// stream that ends early is io.ErrUnexpectedEOF; a bad one an error
// wrapping ErrCorrupt, once the octets decoded before it are read.
func (f *Reader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if f.rpos < f.wpos {
			n := copy(p, f.buf[f.rpos:f.wpos])
			f.rpos += n
			return n, nil
		}
		if f.err != nil {
			return 0, f.err
		}
		f.slide(len(p))
		limit := min(f.wpos+len(p), len(f.buf)-maxMatch)
		if f.decode(limit) || f.err != nil {
			continue
		}
		if f.wpos > f.rpos {
			continue
		}
		f.fill()
	}
}

// Close releases nothing and exists to be an io.ReadCloser.
func (f *Reader) Close() error { return nil }

// slide moves the last window of history to the front of buf when less
// than min(want, windowSize/2) octets of room are left.
func (f *Reader) slide(want int) {
	room := len(f.buf) - maxMatch - f.wpos
	if room >= min(want, windowSize/2) || f.wpos <= windowSize {
		return
	}
	copy(f.buf, f.buf[f.wpos-windowSize:f.wpos])
	f.wpos = windowSize
	f.rpos = f.wpos
}

// fill reads more input from the source, dropping what has been taken.
func (f *Reader) fill() {
	if f.srcEr != nil {
		if f.srcEr == io.EOF {
			f.err = io.ErrUnexpectedEOF
		} else {
			f.err = f.srcEr
		}
		return
	}
	n := copy(f.in, f.in[f.ip:])
	f.in = f.in[:n]
	f.ip = 0
	if cap(f.in)-n < inChunk {
		f.in = append(make([]byte, 0, n+2*inChunk), f.in...)
	}
	k, err := f.src.Read(f.in[n : n+inChunk])
	f.in = f.in[:n+k]
	if err != nil {
		f.srcEr = err
	} else if k == 0 {
		// A source that returns nothing and no error: try again, as
		// io.Reader allows, on the next round.
		return
	}
}

// need makes at least n bits available, reporting whether the input at
// hand had them.
func (f *Reader) need(n uint) bool {
	for f.nbits < n {
		if f.ip >= len(f.in) {
			return false
		}
		f.bits |= uint64(f.in[f.ip]) << f.nbits
		f.ip++
		f.nbits += 8
	}
	return true
}

// take removes n (available) bits.
func (f *Reader) take(n uint) int {
	v := int(f.bits & (1<<n - 1))
	f.bits >>= n
	f.nbits -= n
	return v
}

// Outcomes of decoding one symbol.
const (
	symOK = iota
	symShort
	symBad
)

// sym decodes one symbol of h.
func (f *Reader) sym(h *huffman) (int, int) {
	if f.nbits < maxBits {
		f.need(maxBits) // a short code may still be complete
	}
	e := h.table[f.bits&(1<<tableBits-1)]
	if e != entLong {
		l := uint(e & 15)
		if l > f.nbits {
			return 0, symShort
		}
		if e>>4 == symInvalid {
			return 0, symBad
		}
		f.bits >>= l
		f.nbits -= l
		return int(e >> 4), symOK
	}
	code, first, index := 0, 0, 0
	for l := uint(1); l <= maxBits; l++ {
		if l > f.nbits {
			return 0, symShort
		}
		code |= int(f.bits>>(l-1)) & 1
		count := int(h.count[l])
		if code-first < count {
			f.bits >>= l
			f.nbits -= l
			return int(h.symbol[index+code-first]), symOK
		}
		index += count
		first = (first + count) << 1
		code <<= 1
	}
	return 0, symBad
}

// decode decodes until wpos reaches limit, the input at hand runs out
// or the stream ends or fails (f.err). It reports whether it stopped at
// the limit with more to decode.
func (f *Reader) decode(limit int) bool {
	for f.err == nil {
		switch f.state {
		case stDone:
			f.err = io.EOF
			return false
		case stHeader:
			if !f.header() {
				return false
			}
		case stStored:
			if f.wpos >= limit {
				return true
			}
			if !f.copyStored(limit) {
				return false
			}
		case stHuffman:
			if f.wpos >= limit {
				return true
			}
			if !f.huffman(limit) {
				return false
			}
		}
	}
	return false
}

// endBlock moves on after a block.
func (f *Reader) endBlock() {
	if f.final {
		f.state = stDone
	} else {
		f.state = stHeader
	}
}

// header reads a block header, all of it or nothing. It reports whether
// it did (or set f.err).
func (f *Reader) header() bool {
	ip, bits, nbits := f.ip, f.bits, f.nbits
	ok := f.header1()
	if !ok && f.err == nil {
		f.ip, f.bits, f.nbits = ip, bits, nbits
	}
	return ok
}

func (f *Reader) header1() bool {
	if !f.need(3) {
		return false
	}
	f.final = f.take(1) == 1
	switch f.take(2) {
	case 0:
		f.take(f.nbits % 8)
		if !f.need(32) {
			return false
		}
		n, nc := f.take(16), f.take(16)
		if n != ^nc&0xffff {
			f.err = errStoredLen
			return false
		}
		f.stored = n
		f.state = stStored
		if n == 0 {
			f.endBlock()
		}
	case 1:
		f.lit, f.dist = &fixedLit, &fixedDist
		f.state = stHuffman
	case 2:
		if !f.dynamic() {
			return false
		}
		f.lit, f.dist = &f.dynLit, &f.dynDst
		f.state = stHuffman
	default:
		f.err = errBlockType
		return false
	}
	return true
}

// dynamic reads a dynamic block's code lengths and builds its codes.
func (f *Reader) dynamic() bool {
	if !f.need(14) {
		return false
	}
	nlit := f.take(5) + 257
	ndist := f.take(5) + 1
	nclen := f.take(4) + 4
	if nlit > 286 || ndist > 30 {
		f.err = errTooMany
		return false
	}
	var cl [19]uint8
	for i := range nclen {
		if !f.need(3) {
			return false
		}
		cl[clOrder[i]] = uint8(f.take(3))
	}
	var clh huffman
	if !clh.build(cl[:], false) {
		f.err = errCodeLens
		return false
	}
	var lens [286 + 30]uint8
	n := nlit + ndist
	for i := 0; i < n; {
		s, st := f.sym(&clh)
		switch st {
		case symShort:
			return false
		case symBad:
			f.err = errCodeLens
			return false
		}
		if s < 16 {
			lens[i] = uint8(s)
			i++
			continue
		}
		var rep int
		var v uint8
		switch s {
		case 16:
			if i == 0 {
				f.err = errRepeat
				return false
			}
			if !f.need(2) {
				return false
			}
			v, rep = lens[i-1], 3+f.take(2)
		case 17:
			if !f.need(3) {
				return false
			}
			rep = 3 + f.take(3)
		default:
			if !f.need(7) {
				return false
			}
			rep = 11 + f.take(7)
		}
		if i+rep > n {
			f.err = errRepeat
			return false
		}
		for range rep {
			lens[i] = v
			i++
		}
	}
	if lens[256] == 0 {
		f.err = errNoEOB
		return false
	}
	if !f.dynLit.build(lens[:nlit], true) {
		f.err = errLitLenSet
		return false
	}
	if !f.dynDst.build(lens[nlit:n], true) {
		f.err = errDistSet
		return false
	}
	return true
}

// copyStored copies stored octets at hand, up to limit. It reports
// whether it reached the limit or the block's end.
func (f *Reader) copyStored(limit int) bool {
	for f.stored > 0 && f.wpos < limit && f.nbits >= 8 {
		f.buf[f.wpos] = byte(f.take(8))
		f.wpos++
		f.stored--
	}
	if f.stored > 0 && f.wpos < limit {
		n := copy(f.buf[f.wpos:min(limit, f.wpos+f.stored)], f.in[f.ip:])
		f.ip += n
		f.wpos += n
		f.stored -= n
	}
	if f.stored == 0 {
		f.endBlock()
		return true
	}
	return f.wpos >= limit
}

// huffman decodes symbols of a fixed or dynamic block while wpos is
// under limit. It reports whether it reached the limit or the block's
// end; on a short input it leaves the unfinished symbol unread.
func (f *Reader) huffman(limit int) bool {
	for f.wpos < limit {
		ip, bits, nbits := f.ip, f.bits, f.nbits
		s, st := f.sym(f.lit)
		if st == symOK && s < 256 {
			f.buf[f.wpos] = byte(s)
			f.wpos++
			continue
		}
		if st == symOK && s == 256 {
			f.endBlock()
			return true
		}
		if st == symOK && s > 285 || st == symBad {
			f.err = errLitLenCode
			return false
		}
		if st == symShort {
			f.ip, f.bits, f.nbits = ip, bits, nbits
			return false
		}
		s -= 257
		if !f.need(uint(lenExtra[s])) {
			f.ip, f.bits, f.nbits = ip, bits, nbits
			return false
		}
		length := int(lenBase[s]) + f.take(uint(lenExtra[s]))
		d, st := f.sym(f.dist)
		if st == symShort {
			f.ip, f.bits, f.nbits = ip, bits, nbits
			return false
		}
		if st == symBad || d >= 30 {
			f.err = errDistCode
			return false
		}
		if !f.need(uint(dstExtra[d])) {
			f.ip, f.bits, f.nbits = ip, bits, nbits
			return false
		}
		dist := int(dstBase[d]) + f.take(uint(dstExtra[d]))
		if dist > f.wpos {
			f.err = errTooFar
			return false
		}
		from := f.wpos - dist
		if dist >= length {
			copy(f.buf[f.wpos:f.wpos+length], f.buf[from:from+length])
		} else {
			for i := range length {
				f.buf[f.wpos+i] = f.buf[from+i]
			}
		}
		f.wpos += length
	}
	return true
}
