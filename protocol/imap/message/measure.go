package message

import (
	"bytes"
	"fmt"
	"io"
)

// measure streams the raw file at path through the CRLF conversion and
// returns its geometry. hdrSize is the CRLF size of the part's header
// block, which raw begins with (spec §1.4): the text starts there, or
// two bytes later when the converted raw holds CRLF there, the empty
// line that ends the header (stored as LF or CRLF).
func measure(src Source, path []int, hdrSize int64) (geometry, error) {
	f, err := src.Open(path, rawFile)
	if err != nil {
		return geometry{}, fmt.Errorf("open %s raw: %w", pathString(path), err)
	}
	defer f.Close()
	m := meter{hdr: hdrSize}
	if _, err := io.Copy(&m, newCRLFReader(f)); err != nil {
		return geometry{}, fmt.Errorf("read %s raw: %w", pathString(path), err)
	}
	return m.geometry(), nil
}

// meter takes the converted raw stream and measures it.
type meter struct {
	hdr   int64   // CRLF size of the header block
	n     int64   // bytes so far
	at    [2]byte // the two bytes at hdr
	nat   int
	lines int64 // LFs at or after hdr
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
	return total, nil
}

func (m *meter) geometry() geometry {
	g := geometry{size: m.n, textOff: min(m.hdr, m.n), lines: m.lines}
	if m.nat == 2 && m.at == [2]byte{'\r', '\n'} {
		g.textOff += 2
		g.lines--
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
	g, err := measure(src, n.path, int64(len(toCRLF(hdr))))
	if err != nil {
		return geometry{}, err
	}
	n.geo, n.have = g, true
	return g, nil
}
