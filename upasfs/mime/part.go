// Package mime is the message model of the upasfs emulator: it parses one
// message of an mbox file into its MIME part tree, keeping byte offsets
// into the file, and renders the 25 per-message files of upasfs(4), 4th
// edition (spec §1.2–§1.5).
//
// Parse keeps offsets, not bytes: the raw files are sections of the mbox
// file, and decoded bodies are produced when Content asks for them.
package mime

import (
	"errors"
	"io"
)

// Files are the 25 per-message file names in upasfs directory order
// (spec §1.2).
var Files = [25]string{
	"body", "bcc", "cc", "date", "digest", "disposition", "filename",
	"from", "header", "inreplyto", "lines", "mimeheader", "messageid",
	"raw", "rawbody", "rawheader", "rawunix", "replyto", "sender",
	"subject", "to", "type", "unixheader", "info", "unixdate",
}

// ErrNotExist is returned (wrapped) by Content for a name not in Files.
// Its text is Plan 9's (decision 3).
var ErrNotExist = errors.New("file does not exist")

// kind says where a part sits in the tree; it decides which header files
// it has (spec §1.4).
type kind uint8

const (
	kindTop     kind = iota // a message of the mbox file: From line, rawheader
	kindMime                // a part of a multipart: mimeheader only
	kindMessage             // the child of a message/rfc822 part: rawheader
)

// Part is one node of a message's MIME tree. A Part is not changed after
// Parse returns, so it may be read by many goroutines at once.
type Part struct {
	// Src is where this part's offsets point: the mbox file, or a decoded
	// buffer for the tree under a transfer-encoded message/rfc822 part.
	Src io.ReaderAt

	// UnixOff, UnixLen: the From line without its '\n', top level only.
	// For other parts UnixOff = HeaderOff and UnixLen = 0, so rawunix is
	// always the section from UnixOff to the end of the body.
	UnixOff, UnixLen int64
	// HeaderOff, HeaderLen: the header block without the empty line that
	// ends it. It is the rawheader of a top-level message or of the child
	// of a message/rfc822 part, and the mimeheader of a multipart's part.
	HeaderOff, HeaderLen int64
	// BodyOff, BodyLen: rawbody. The part ends at BodyOff+BodyLen.
	BodyOff, BodyLen int64

	// Digest is 40 hex digits, top level only (as given to Parse).
	Digest string

	// Type is the lower-cased MIME type without parameters, default
	// "text/plain". Charset is the charset parameter as written ("" when
	// absent; the body is then taken as ISO-8859-1, decision 2). Encoding
	// is "base64", "quoted-printable" or "". Disposition is "inline",
	// "file" or "". Filename is from Content-Disposition filename= or else
	// Content-Type name=, quotes removed, blanks and ';' made '_'.
	Type, Charset, Encoding, Disposition, Filename string

	// Address lists reduced to addr-specs separated by one space (spec
	// §1.4 "Address-list format"). From falls back to the From-line
	// sender; ReplyTo to From:, Sender:, then the From-line sender.
	From, To, Cc, Bcc, ReplyTo, Sender string

	// Raw (not RFC 2047-decoded) header values, trimmed and unfolded.
	// Date falls back to UnixDate. UnixDate is the From line's date or,
	// when that is unusable, one synthesised from Received: or Date: in
	// the form "Fri Jan  3 08:00:00 GMT 2025".
	Subject, InReplyTo, MessageID, Date, UnixDate string

	// Parts are the sub-parts 1..k of a multipart, or the single child of
	// a message/rfc822 part (whose header fields were promoted, §1.4).
	Parts []*Part

	kind       kind
	ignore     []string // header-name prefixes hidden from `header`
	unixHeader string   // "From <sender> <unixdate>\n", top level only
	lines      int64    // '\n' count of rawbody
	charset    string   // the charset the body is converted from
	hasNUL     bool     // rawbody holds a NUL byte
	has8bit    bool     // rawbody holds a byte >= 0x80
	decoded    []byte   // transfer-decoded body of a message/rfc822 part
}

// end is the offset just past the part's body.
func (p *Part) end() int64 { return p.BodyOff + p.BodyLen }

// Lookup returns the sub-part at path (1-based indices, e.g. [2 1]) or
// nil. An empty path is p itself.
func (p *Part) Lookup(path []int) *Part {
	for _, i := range path {
		if i < 1 || i > len(p.Parts) {
			return nil
		}
		p = p.Parts[i-1]
	}
	return p
}
