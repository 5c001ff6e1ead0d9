package message

import (
	"bytes"
	"fmt"
	"io"
	"sync"

	"p9mail/upasfs"
)

// rawFile is the file measure and Section stream: the part with its
// header (spec §1.4 raw).
const rawFile = upasfs.FileRaw

// openRaw opens the raw file of the part at path; for the message
// itself, rawunix after its From line, which it returns without the
// newline (openAfterFromLine).
func openRaw(src Source, path []int) (f io.ReadCloser, unix string, err error) {
	if path == nil {
		f, unix, err = openAfterFromLine(src)
	} else {
		f, err = src.Open(path, rawFile)
	}
	if err != nil {
		return nil, "", fmt.Errorf("open %s raw: %w", pathString(path), err)
	}
	return f, unix, nil
}

// measureStream streams f, a part's raw file, through the CRLF
// conversion, closes it and returns its geometry. hdrSize is the CRLF
// size of the part's header block, which raw begins with (spec §1.4):
// the text starts there, or two bytes later when the converted raw
// holds CRLF there, the empty line that ends the header (stored as LF
// or CRLF).
//
// With trim the final line break is left out, as it belongs to the
// multipart boundary that follows (RFC 2046 §5.1.1); a last line left
// without its break still counts as a line.
func measureStream(f io.ReadCloser, path []int, hdrSize int64, trim bool) (geometry, error) {
	r := newCRLFReader(f)
	defer r.Close()
	m := meter{hdr: hdrSize, trim: trim}
	if _, err := r.WriteTo(&m); err != nil {
		return geometry{}, fmt.Errorf("read %s raw: %w", pathString(path), err)
	}
	return m.geometry(), nil
}

// headChunk is how much of a part's raw file head reads to find its
// header block in. The first read asks for firstRawRead bytes, which
// holds most messages whole, or for a part firstPartRead: srv9p
// allocates and clears the count it is asked for.
const (
	headChunk     = 16 << 10
	firstRawRead  = 8 << 10 // a message
	firstPartRead = 2 << 10 // a MIME part
)

// head opens the raw file of the part at path (for the message itself,
// rawunix after its From line, which it returns without the newline)
// and reads the part's header block from its beginning when the block
// is plainly delimited (plainHeader); otherwise it reads the header
// file (rawheader or mimeheader), at most maxHeader bytes of it
// (readHeader). It returns the header, the CRLF size of the whole
// block, and the raw file from its first byte on, for measureStream: a
// part costs one file of upasfs instead of two (DESIGN.md "Speed, by
// construction").
func head(src Source, path []int, hdrFile string, maxHeader int64) (hdr []byte, hdrSize int64, raw io.ReadCloser, unix string, err error) {
	f, unix, err := openRaw(src, path)
	if err != nil {
		return nil, 0, nil, "", err
	}
	p, ok := f.(*prefixed)
	if !ok {
		p = &prefixed{ReadCloser: f}
	}
	want := firstPartRead
	if path == nil {
		want = firstRawRead
	}
	for ; len(p.rest) < headChunk; want = headChunk {
		if n, ok := plainHeader(p.rest); ok {
			hdr = bytes.Clone(p.rest[:n])
			return hdr, int64(len(toCRLF(hdr))), p, unix, nil
		}
		if p.eof {
			break
		}
		if err := p.fill(want); err != nil {
			p.Close()
			return nil, 0, nil, "", fmt.Errorf("read %s raw: %w", pathString(path), err)
		}
	}
	h, err := readHeader(src, path, hdrFile, maxHeader)
	if err != nil {
		p.Close()
		return nil, 0, nil, "", err
	}
	return h.b, h.size, p, unix, nil
}

// plainHeader reports whether b begins with a header block that every
// upasfs delimits the same way, and its length without the empty line
// that ends it (spec §1.4 rawheader). Plainly delimited: one or more
// fields, each a line "name:..." (name of printable ASCII, no space)
// followed by continuation lines beginning with a space or tab, all
// ending in LF, no CR, then an empty line ("\n"). upasfs ends a
// header block at the first line that is not a header line; such a
// block has none before its empty line.
func plainHeader(b []byte) (int, bool) {
	first := true
	for at := 0; ; {
		nl := bytes.IndexByte(b[at:], '\n')
		if nl < 0 {
			return 0, false // the block goes on past what was read
		}
		line := b[at : at+nl]
		switch {
		case len(line) == 0:
			return at, !first
		case bytes.IndexByte(line, '\r') >= 0:
			return 0, false
		case line[0] == ' ' || line[0] == '\t':
			if first {
				return 0, false
			}
		default:
			colon := bytes.IndexByte(line, ':')
			if colon <= 0 {
				return 0, false
			}
			for _, c := range line[:colon] {
				if c <= ' ' || c > '~' {
					return 0, false
				}
			}
		}
		first = false
		at += nl + 1
	}
}

// openAfterFromLine opens the message's rawunix positioned after its
// From line, which it returns; or, when rawunix has no such line
// within maxFromLine bytes, its raw file and "".
func openAfterFromLine(src Source) (io.ReadCloser, string, error) {
	f, err := src.Open(nil, upasfs.FileRawUnix)
	if err != nil {
		return nil, "", err
	}
	p := &prefixed{ReadCloser: f}
	for {
		if i := bytes.IndexByte(p.rest, '\n'); i >= 0 {
			if !bytes.HasPrefix(p.rest, []byte("From ")) || i >= maxFromLine {
				break
			}
			unix := string(p.rest[:i])
			p.rest = p.rest[i+1:]
			return p, unix, nil
		}
		if len(p.rest) >= maxFromLine || p.eof {
			break
		}
		if err := p.fill(firstRawRead); err != nil {
			p.Close()
			return nil, "", err
		}
	}
	p.Close()
	f, err = src.Open(nil, rawFile)
	return f, "", err
}

// maxFromLine bounds the From line openAfterFromLine looks for.
const maxFromLine = 1024

// prefixed reads rest, then the rest of the ReadCloser.
type prefixed struct {
	rest   []byte
	eof    bool    // the ReadCloser is at its end
	pooled *[]byte // a buffer of rawBufs that rest is or was in
	io.ReadCloser
}

// rawBufs holds the buffers prefixed reads the head of a file into, of
// rawBufSize bytes: Load reads one per part.
var rawBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, rawBufSize)
	return &b
}}

const rawBufSize = headChunk + firstRawRead

// fill reads into rest what one read of at most n bytes gives; at the
// end of the file it sets eof.
func (p *prefixed) fill(n int) error {
	if cap(p.rest)-len(p.rest) < n {
		var b []byte
		if p.pooled == nil && len(p.rest)+n <= rawBufSize {
			p.pooled = rawBufs.Get().(*[]byte)
			b = (*p.pooled)[:0]
		} else {
			b = make([]byte, 0, len(p.rest)+n)
		}
		p.rest = append(b, p.rest...)
	}
	k, err := p.ReadCloser.Read(p.rest[len(p.rest) : len(p.rest)+n])
	p.rest = p.rest[:len(p.rest)+k]
	if err == io.EOF {
		p.eof = true
		return nil
	}
	return err
}

// Close closes the file and gives back the buffer; rest is gone.
func (p *prefixed) Close() error {
	err := p.ReadCloser.Close()
	if p.pooled != nil {
		rawBufs.Put(p.pooled)
		p.pooled, p.rest = nil, nil
	}
	return err
}

func (p *prefixed) Read(b []byte) (int, error) {
	if len(p.rest) > 0 {
		n := copy(b, p.rest)
		p.rest = p.rest[n:]
		return n, nil
	}
	if p.eof {
		return 0, io.EOF
	}
	return p.ReadCloser.Read(b)
}

// meter takes the converted raw stream and measures it.
type meter struct {
	hdr   int64   // CRLF size of the header block
	n     int64   // bytes so far
	at    [2]byte // the two bytes at hdr
	nat   int
	lines int64 // LFs at or after hdr
	trim  bool
	tail  [3]byte // the last bytes seen, tail[2] the very last
}

func (m *meter) Write(p []byte) (int, error) {
	total, start := len(p), m.n
	m.n += int64(total)
	if m.n <= m.hdr {
		return total, nil
	}
	if off := m.hdr - start; off > 0 {
		p = p[off:]
	}
	for i := 0; i < len(p) && m.nat < len(m.at); i++ {
		m.at[m.nat] = p[i]
		m.nat++
	}
	m.lines += int64(bytes.Count(p, []byte{'\n'}))
	for _, c := range p[max(0, len(p)-3):] {
		m.tail = [3]byte{m.tail[1], m.tail[2], c}
	}
	return total, nil
}

func (m *meter) geometry() geometry {
	g := geometry{size: m.n, textOff: min(m.hdr, m.n), lines: m.lines}
	if m.nat == 2 && m.at == [2]byte{'\r', '\n'} {
		g.textOff += 2
		g.lines--
	}
	last := m.tail[2]
	if m.trim && g.size-g.textOff >= 2 && m.tail[1] == '\r' && m.tail[2] == '\n' {
		g.size -= 2
		g.lines--
		last = m.tail[0]
	}
	// A last line without its line break is a line too.
	if g.size > g.textOff && last != '\n' {
		g.lines++
	}
	return g
}

// geometry returns n's geometry, measuring it now (once) if Load did
// not (a multipart's parts, for BODY[n.MIME] and the like), the way
// Load measures.
func (n *node) geometry(src Source, maxHeader int64) (geometry, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.have {
		return n.geo, nil
	}
	_, hdrSize, raw, _, err := head(src, n.path, n.headerFile(), maxHeader)
	if err != nil {
		return geometry{}, err
	}
	g, err := measureStream(raw, n.path, hdrSize, n.trim)
	if err != nil {
		return geometry{}, err
	}
	n.geo, n.have = g, true
	return g, nil
}
