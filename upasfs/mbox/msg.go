package mbox

import "encoding/hex"

// Msg locates one message in an mbox file. All offsets are file
// offsets. Invariants (kept by Scan and Rewrite):
// 0 <= FromLen <= Len and 0 <= HdrLen <= Len-FromLen.
type Msg struct {
	// Off is the offset of the 'F' of the message's "From " line.
	Off int64
	// Len is the length of rawunix: the From line through the end of
	// the message, minus exactly one trailing '\n' if there is one
	// (spec §1.4 digest; p9p §3.1: the separator blank line is
	// dropped; a last message with no blank line loses its own final
	// newline).
	Len int64
	// FromLen is the length of the From line including its '\n'. If
	// that '\n' is not within Len (a message that is only a From
	// line), FromLen is Len.
	FromLen int64
	// HdrLen is the length of rawheader: the bytes after the From line
	// up to, not including, the empty line ("\n" alone) that ends the
	// header, so it includes the last header line's '\n'; the whole
	// rest of the message if there is no empty line (spec §1.4).
	HdrLen int64
	// Digest is the SHA-1 of the Len bytes at Off (spec §1.4 digest).
	Digest [20]byte
}

// RawOff returns the start of raw: the byte after the From line.
func (m Msg) RawOff() int64 { return m.Off + m.FromLen }

// BodyOff returns the start of rawbody: after the header and its empty
// line, clamped to End().
func (m Msg) BodyOff() int64 { return min(m.RawOff()+m.HdrLen+1, m.End()) }

// End returns Off+Len, the offset just past rawunix.
func (m Msg) End() int64 { return m.Off + m.Len }

// DigestHex returns the digest as upasfs serves it: 40 lowercase hex
// digits (spec §1.4).
func (m Msg) DigestHex() string { return hex.EncodeToString(m.Digest[:]) }
