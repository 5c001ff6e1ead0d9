package message

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"p9mail/upasfs"
)

// loadParallel bounds the requests Load keeps in flight for one message.
const loadParallel = 8

// maxDepth bounds the part tree Load follows, the message being at
// depth 0; a part at maxDepth is a leaf whatever its type. It matches
// the emulator's bound (upasfs/mime maxDepth), so a real upas/fs,
// which has none, gives IMAP clients the same tree.
const maxDepth = 64

// Load reads a message's structure through src: the header of every
// part (rawheader of the message and of each message/rfc822 part's
// message, mimeheader of the others), the sub-part lists of multipart
// and message/rfc822 parts, and, once each, the raw file of the
// message, of every leaf and of every message/rfc822 part, streamed to
// measure CRLF sizes and line counts. Independent requests are issued
// in parallel.
func Load(src Source) (*Structure, error) { return LoadLimited(src, DefaultMaxHeader) }

// LoadLimited is Load holding at most maxHeader bytes of each header
// block (DefaultMaxHeader).
func LoadLimited(src Source, maxHeader int64) (*Structure, error) {
	l := &loader{src: src, sem: make(chan struct{}, loadParallel), maxHeader: maxHeader}
	root, err := l.load(nil, true, false, false, 0)
	if err != nil {
		return nil, err
	}
	return &Structure{root: root, body: root.body(), maxHeader: maxHeader}, nil
}

type loader struct {
	src       Source
	sem       chan struct{}
	maxHeader int64
}

// io runs f holding one of the loader's request slots.
func (l *loader) io(f func() error) error {
	l.sem <- struct{}{}
	defer func() { <-l.sem }()
	return f()
}

// load reads the node at path and, recursively, its parts. Only a
// part whose header says multipart or message/rfc822 can have parts
// (spec §1.4 "MIME structure"), so only those are listed: most parts
// are leaves, and a real upas/fs serves one request at a time.
func (l *loader) load(path []int, msg, trim, inDigest bool, depth int) (*node, error) {
	n := &node{path: path, msg: msg, trim: trim}
	var (
		hdr     []byte
		hdrSize int64
		raw     io.ReadCloser // open at its start, for measuring
	)
	err := l.io(func() (err error) {
		hdr, hdrSize, raw, n.unix, err = head(l.src, path, n.headerFile(), l.maxHeader)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("message part %s: %w", pathString(path), err)
	}
	fields := parseFields(hdr)
	if path == nil {
		n.header = hdr // for SEARCH (Structure.Header)
	}
	n.mime = parseMIME(fields, inDigest && !msg)
	if msg {
		n.env = newEnvelope(fields)
	}
	var kids []int
	if n.mime.typ == "MULTIPART" || n.mime.typ == "MESSAGE" && n.mime.sub == "RFC822" {
		err := l.io(func() (err error) {
			kids, err = l.src.Parts(path)
			return err
		})
		if err != nil {
			raw.Close()
			return nil, fmt.Errorf("message part %s: %w", pathString(path), err)
		}
		slices.Sort(kids)
	}
	n.form = formOf(n.mime, len(kids), depth)
	if n.form == leaf && n.mime.digestDefault && depth < maxDepth {
		// A digest's part without a Content-Type that upasfs did not
		// parse as a message: plan9port's upas/fs (and 4e) type it
		// text/plain and give it no parts. The part is what upasfs
		// serves, a leaf of upasfs's type, so that BODYSTRUCTURE
		// agrees with BODY[n], and BODY[n.HEADER], BODY[n.TEXT] and
		// BODY[n.1], which need a message, are empty.
		var typ []byte
		err := l.io(func() (err error) {
			typ, err = l.src.ReadFile(path, upasfs.FileType)
			return err
		})
		if err != nil {
			raw.Close()
			return nil, fmt.Errorf("message part %s: %w", pathString(path), err)
		}
		n.mime.leafType(string(typ))
	}
	return n, l.loadKids(n, kids, raw, hdrSize, depth)
}

// formOf decides a node's form from its type and whether upasfs gave it
// sub-parts.
func formOf(m mimeInfo, nkids, depth int) form {
	switch {
	case nkids == 0 || depth >= maxDepth:
		return leaf
	case m.typ == "MULTIPART":
		return multipart
	case m.typ == "MESSAGE" && m.sub == "RFC822":
		return rfc822
	}
	return leaf
}

// loadKids loads n's parts and measures n from raw, its raw file, if
// BODYSTRUCTURE gives it a size (leaves and message/rfc822 parts) or it
// is the message (for RFC822.SIZE); it closes raw. hdrSize is the CRLF
// size of n's header block.
func (l *loader) loadKids(n *node, kids []int, raw io.ReadCloser, hdrSize int64, depth int) error {
	var jobs []func() error
	switch n.form {
	case multipart:
		n.kids = make([]*node, len(kids))
	case rfc822:
		n.kids = make([]*node, 1)
	}
	for i := range n.kids {
		jobs = append(jobs, func() error {
			digest := n.form == multipart && n.mime.sub == "DIGEST"
			k, err := l.load(append(slices.Clip(n.path), kids[i]), n.form == rfc822, n.form == multipart || n.trim, digest, depth+1)
			n.kids[i] = k
			return err
		})
	}
	if n.form != multipart || n.path == nil {
		jobs = append(jobs, func() error {
			return l.io(func() (err error) {
				n.geo, err = measureStream(raw, n.path, hdrSize, n.trim)
				n.have = err == nil
				return err
			})
		})
	} else {
		raw.Close()
	}
	return parallel(jobs...)
}

// parallel runs fs, at most loadParallel at a time, and returns the
// first error.
func parallel(fs ...func() error) error {
	if len(fs) == 1 {
		return fs[0]()
	}
	errs := make([]error, len(fs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(len(fs), loadParallel) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = fs[i]()
			}
		}()
	}
	for i := range fs {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// pathString is a upasfs path as a file name: "" for the message, else
// "2/1/3".
func pathString(path []int) string {
	s := make([]string, len(path))
	for i, k := range path {
		s[i] = fmt.Sprint(k)
	}
	return strings.Join(s, "/")
}
