package message

import (
	"sync"

	"p9mail/upasfs"
)

// A Structure is everything a message's digest fixes (spec §1.4
// digest): its MIME tree with the types, parameters, encodings,
// dispositions, languages, ids and descriptions, CRLF sizes and line
// counts, and the envelopes of the message and of each message/rfc822
// part. It holds no bytes of bodies or headers. A Structure is not
// changed once Load returns (but for sizes computed on first use under
// a lock), so it may be shared by many sessions.
type Structure struct {
	root      *node
	body      *Body
	maxHeader int64 // of LoadLimited
}

// form is how a part's content is structured for IMAP.
type form uint8

const (
	leaf      form = iota
	multipart      // multipart/* that upasfs split into parts
	rfc822         // message/rfc822 whose message upasfs parsed
)

// A node is one upasfs part directory.
type node struct {
	path []int     // upasfs path below the message directory
	msg  bool      // a message (top level, or a message/rfc822 part's child): its header is rawheader, else mimeheader
	form form      // multipart and rfc822 nodes have kids
	kids []*node   // multipart: its parts; rfc822: the one encapsulated message
	mime mimeInfo  // from the node's header
	env  *Envelope // msg only
	// trim: the part is in a multipart (or is the message of a
	// message/rfc822 part that is), so the line break before the next
	// boundary belongs to the boundary (RFC 2046 §5.1.1), not to it;
	// upasfs keeps it in the part (spec §1.4).
	trim bool

	mu   sync.Mutex // guards geo when measured lazily
	geo  geometry
	have bool        // geo is known
	bin  *binaryInfo // of the decoded content, once Binary decoded it (guarded by mu)
	unix string      // the message's From line, without its newline, when measure read it
	// header: the message's rawheader (root only): SEARCH looks at it
	// for every message, and it is what Load read first.
	header []byte
}

// geometry locates a node's text within the CRLF conversion of its
// raw file (spec §1.4 raw = header block, empty line, rawbody).
type geometry struct {
	size    int64 // CRLF size of raw
	textOff int64 // where the body starts: after the header and the empty line that ends it, if any
	lines   int64 // LFs from textOff on
}

// text is the CRLF size of the node's body.
func (g geometry) text() int64 { return g.size - g.textOff }

// headerFile is the upasfs file holding a node's header block.
func (n *node) headerFile() string {
	if n.msg {
		return upasfs.FileRawHeader
	}
	return upasfs.FileMimeHeader
}

// Size is RFC822.SIZE: the size of BODY[], the stored message (upasfs
// raw) with LF made CRLF (decision 5).
func (s *Structure) Size() int64 { return s.root.geo.size }

// MaxHeader is the bound on header bytes the structure was loaded
// with (LoadLimited): one loaded with another holds other headers.
func (s *Structure) MaxHeader() int64 { return s.maxHeader }

// FromLine returns the message's From line ("From sender date", no
// newline) as Load read it, or "" if it could not.
func (s *Structure) FromLine() string { return s.root.unix }

// Envelope returns the message's ENVELOPE. The caller must not change it.
func (s *Structure) Envelope() *Envelope { return s.root.env }

// BodyStructure returns the message's BODY (ext false) or BODYSTRUCTURE
// (ext true) tree. The caller must not change it.
func (s *Structure) BodyStructure(ext bool) *Body {
	b := *s.body
	b.Extended = ext
	return &b
}
