package server

import (
	"bytes"
	"io"
)

// content returns what file node n reads: a reader, its size and a
// reference on the file generation the reader may read from (nil when
// the content is in memory), which the caller drops with decRef.
//
// The top-level raw files and digest come straight from the mbox
// location, and info is kept once made: a digest fixes it, and imap4d
// reads it for every message (spec §2.6). Everything else parses the
// message (cached, see cache.go).
func (n *node) content(name string) (io.ReaderAt, int64, *fileGen, error) {
	b := n.ob.box
	if len(n.part) == 0 {
		switch name {
		case "raw", "rawunix", "digest":
			loc, g, err := b.location(n.m)
			if err != nil {
				return nil, 0, nil, err
			}
			switch name {
			case "raw":
				size := loc.End() - loc.RawOff()
				return io.NewSectionReader(g, loc.RawOff(), size), size, g, nil
			case "rawunix":
				return io.NewSectionReader(g, loc.Off, loc.Len), loc.Len, g, nil
			}
			g.decRef()
			d := []byte(loc.DigestHex())
			return bytes.NewReader(d), int64(len(d)), nil, nil
		case "info":
			if info := n.m.info.Load(); info != nil {
				return bytes.NewReader(*info), int64(len(*info)), nil, nil
			}
		}
	}
	p, g, err := b.parse(n.m)
	if err != nil {
		return nil, 0, nil, err
	}
	if len(n.part) > 0 {
		p = p.Lookup(n.part)
	}
	if p == nil {
		g.decRef()
		return nil, 0, nil, errNoFile
	}
	r, size, err := p.Content(name)
	if err != nil {
		g.decRef()
		return nil, 0, nil, err
	}
	if name == "info" && len(n.part) == 0 {
		info := make([]byte, size)
		if _, err := r.ReadAt(info, 0); err != nil && err != io.EOF {
			g.decRef()
			return nil, 0, nil, err
		}
		n.m.info.Store(&info)
	}
	return r, size, g, nil
}
