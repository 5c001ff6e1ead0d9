package imp

import "fmt"

// Magic is the first line of every .imp file (spec §2.5).
const Magic = "imap internal mailbox description\n"

// Field widths and line lengths (imap4d's NDigest, NUid; spec §2.5).
const (
	NDigest   = 40                                  // lowercase hex SHA-1 of the message (upasfs digest)
	NUid      = 10                                  // zero-padded decimal
	HeaderLen = len(Magic) + 2*NUid + 2             // magic, "<uidvalidity> <uidnext>\n"
	LineLen   = NDigest + 1 + NUid + 1 + NFlags + 1 // "<digest> <uid> <flags>\n"
)

// A Line is one message line. UID 0 marks a line appended by APPEND or
// COPY for a message no server has given a UID yet; only its flags
// mean anything (spec §2.5, §2.9).
type Line struct {
	Digest string
	UID    uint32
	Flags  Flags
}

// A File is a whole .imp file. Lines are in mailbox order, with any
// UID-0 lines last (that is what Parse accepts and Snapshot builds).
type File struct {
	UIDValidity, UIDNext uint32
	Lines                []Line
}

// State returns the file's UIDVALIDITY and UIDNEXT.
func (f *File) State() State {
	return State{UIDValidity: f.UIDValidity, UIDNext: f.UIDNext}
}

// Marshal returns the file's exact bytes: Magic, "%010d %010d\n", then
// "<digest> %010d <flags>\n" per line, as imap4d's closeImp prints them.
// It prints f as it is: a File that Parse would reject (a digest that
// is not 40 lowercase hex digits, UIDs out of order, UIDNext 0) gives
// bytes that Parse rejects too.
func (f *File) Marshal() []byte {
	b := make([]byte, 0, HeaderLen+LineLen*len(f.Lines))
	b = appendHeader(b, f.UIDValidity, f.UIDNext)
	for _, l := range f.Lines {
		b = appendLine(b, l)
	}
	return b
}

// Header returns Magic and the second line: the whole content of a new
// .imp file that APPEND or COPY creates before appending its line,
// with validity the mailbox's mtime and next 1 (spec §2.5, §2.9).
func Header(validity, next uint32) []byte {
	return appendHeader(make([]byte, 0, HeaderLen), validity, next)
}

// NewLine returns one 61-byte message line, for APPEND and COPY, which
// append "<digest> 0000000000 <flags>\n" to the destination's .imp
// (spec §2.9). They pass uid 0 and flags without Recent: imap4d never
// writes 'r' there. The digest must be 40 lowercase hex digits.
func NewLine(digest string, uid uint32, fl Flags) ([]byte, error) {
	if !validDigest(digest) {
		return nil, fmt.Errorf("imp: bad digest %q", digest)
	}
	return appendLine(make([]byte, 0, LineLen), Line{digest, uid, fl}), nil
}

func appendHeader(b []byte, validity, next uint32) []byte {
	b = append(b, Magic...)
	b = appendNum(b, validity)
	b = append(b, ' ')
	b = appendNum(b, next)
	return append(b, '\n')
}

func appendLine(b []byte, l Line) []byte {
	b = append(b, l.Digest...)
	b = append(b, ' ')
	b = appendNum(b, l.UID)
	b = append(b, ' ')
	b = l.Flags.appendField(b)
	return append(b, '\n')
}

// appendNum appends v as NUid zero-padded decimal digits (C's %.10lud).
func appendNum(b []byte, v uint32) []byte {
	var d [NUid]byte
	for i := NUid - 1; i >= 0; i-- {
		d[i] = '0' + byte(v%10)
		v /= 10
	}
	return append(b, d[:]...)
}

// validDigest reports whether s is NDigest lowercase hex digits, the
// form of the upasfs digest file (spec §1.4).
func validDigest(s string) bool {
	if len(s) != NDigest {
		return false
	}
	for i := range len(s) {
		if !lowerHex[s[i]] {
			return false
		}
	}
	return true
}

// lowerHex marks the bytes of a digest: 0-9 a-f.
var lowerHex = func() (t [256]bool) {
	for _, c := range "0123456789abcdef" {
		t[c] = true
	}
	return t
}()

// SameMessages reports whether the .imp files a and b have the same
// header and list the same messages (digests and UIDs, in order),
// whatever their flags: whether a session that may not write flags
// (EXAMINE) still has something to write. Malformed files differ from
// everything.
func SameMessages(a, b []byte) bool {
	if len(a) != len(b) || len(a) < HeaderLen || (len(a)-HeaderLen)%LineLen != 0 {
		return false
	}
	if string(a[:HeaderLen]) != string(b[:HeaderLen]) {
		return false
	}
	const id = NDigest + 1 + NUid // "<digest> <uid>"
	for off := HeaderLen; off < len(a); off += LineLen {
		if string(a[off:off+id]) != string(b[off:off+id]) {
			return false
		}
	}
	return true
}
