package message

import (
	"bytes"
	"fmt"
	"io"

	"p9mail/upasfs"
)

// rawFile is the file measure and Section stream: the part with its
// header (spec §1.4 raw).
const rawFile = upasfs.FileRaw

// measure streams the raw file at path through the CRLF conversion and
// returns its geometry. hdrSize is the CRLF size of the part's header
// block, which raw begins with (spec §1.4): the text starts there, or
// two bytes later when the converted raw holds CRLF there, the empty
// line that ends the header (stored as LF or CRLF).
//
// With trim the final line break is left out, as it belongs to the
// multipart boundary that follows (RFC 2046 §5.1.1); a last line left
// without its break still counts as a line.
//
// The message itself (path nil) is measured from rawunix, the From line
// and then raw (spec §1.4), which gives its INTERNALDATE in the same
// request (the From line is returned as unix, without its newline);
// if rawunix does not begin with a From line, raw is read instead.
func measure(src Source, path []int, hdrSize int64, trim bool) (g geometry, unix string, err error) {
	var f io.ReadCloser
	if path == nil {
		f, unix, err = openAfterFromLine(src)
	} else {
		f, err = src.Open(path, rawFile)
	}
	if err != nil {
		return geometry{}, "", fmt.Errorf("open %s raw: %w", pathString(path), err)
	}
	r := newCRLFReader(f)
	defer r.Close()
	m := meter{hdr: hdrSize, trim: trim}
	if _, err := r.WriteTo(&m); err != nil {
		return geometry{}, "", fmt.Errorf("read %s raw: %w", pathString(path), err)
	}
	return m.geometry(), unix, nil
}

// maxFromLine bounds the From line openAfterFromLine looks for.
const maxFromLine = 1024

// openAfterFromLine opens the message's rawunix positioned after its
// From line, which it returns; or, when rawunix has no such line
// within maxFromLine bytes, its raw file and "".
func openAfterFromLine(src Source) (io.ReadCloser, string, error) {
	f, err := src.Open(nil, upasfs.FileRawUnix)
	if err != nil {
		return nil, "", err
	}
	buf := make([]byte, 0, maxFromLine)
	for {
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			if !bytes.HasPrefix(buf, []byte("From ")) {
				break
			}
			return &prefixed{rest: buf[i+1:], ReadCloser: f}, string(buf[:i]), nil
		}
		if len(buf) == cap(buf) {
			break
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF && n == 0 {
			break
		}
		if err != nil && err != io.EOF {
			f.Close()
			return nil, "", err
		}
	}
	f.Close()
	f, err = src.Open(nil, rawFile)
	return f, "", err
}

// prefixed reads rest, then the ReadCloser.
type prefixed struct {
	rest []byte
	io.ReadCloser
}

func (p *prefixed) Read(b []byte) (int, error) {
	if len(p.rest) > 0 {
		n := copy(b, p.rest)
		p.rest = p.rest[n:]
		return n, nil
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
// not.
func (n *node) geometry(src Source) (geometry, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.have {
		return n.geo, nil
	}
	hdr, err := src.ReadFile(n.path, n.headerFile())
	if err != nil {
		return geometry{}, fmt.Errorf("read %s %s: %w", pathString(n.path), n.headerFile(), err)
	}
	g, unix, err := measure(src, n.path, int64(len(toCRLF(hdr))), n.trim)
	if err != nil {
		return geometry{}, err
	}
	n.geo, n.have = g, true
	if n.path == nil {
		n.unix = unix
	}
	return g, nil
}
