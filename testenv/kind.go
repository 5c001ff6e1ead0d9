// Package testenv holds what tests and benchmarks across p9mail need:
// a deterministic generator of realistic mail, mbox writing in Plan 9
// form (spec §1.8), fixture mailboxes, and temporary mail roots laid out
// as <root>/box/<user>/ (spec §1.1).
package testenv

import "strconv"

// Kind is one kind of generated message.
type Kind int

// The kinds of generated message. Each exercises one thing a mail store,
// a MIME parser or a front end must get right.
const (
	Plain           Kind = iota // text/plain, us-ascii, with or without MIME headers
	Alternative                 // multipart/alternative: text/plain + text/html
	Attachment                  // multipart/mixed: text + base64 binary + text file whose name has spaces
	NestedRFC822                // multipart/mixed holding a message/rfc822 whose inner message is multipart/alternative
	EncodedUTF8                 // RFC 2047 UTF-8 Subject (adjacent B and Q words) and From display name
	EncodedLatin1               // RFC 2047 ISO-8859-1 Q Subject, quoted-printable ISO-8859-1 body
	QuotedPrintable             // text/plain; charset=utf-8, quoted-printable, soft breaks and =3D
	Base64Text                  // text/plain; charset=utf-8, base64
	EightBit                    // unlabeled 8-bit ISO-8859-1 body, no charset
	NoDateFromLine              // From line without a date ("From addr") or with "???" as the date
	FromInBody                  // body lines starting "From " (escaped in an mbox) and a ">From " line
	NulByte                     // a NUL byte in the body
	NumKinds                    // number of kinds; not a kind
)

var kindNames = [NumKinds]string{
	"Plain", "Alternative", "Attachment", "NestedRFC822", "EncodedUTF8",
	"EncodedLatin1", "QuotedPrintable", "Base64Text", "EightBit",
	"NoDateFromLine", "FromInBody", "NulByte",
}

// String returns the kind's Go name ("Plain", "NestedRFC822", ...), which
// is also its fixture name; a value out of range gives "Kind(n)".
func (k Kind) String() string {
	if k < 0 || k >= NumKinds {
		return "Kind(" + strconv.Itoa(int(k)) + ")"
	}
	return kindNames[k]
}

// kindWeights is the mix of a generated mailbox, in percent: mostly plain
// text, HTML mail and UTF-8 headers, a little of everything else.
var kindWeights = [NumKinds]int{
	Plain:           40,
	Alternative:     22,
	Attachment:      5,
	NestedRFC822:    2,
	EncodedUTF8:     12,
	EncodedLatin1:   4,
	QuotedPrintable: 4,
	Base64Text:      3,
	EightBit:        3,
	NoDateFromLine:  1,
	FromInBody:      3,
	NulByte:         1,
}

// KindOf picks the kind of message i in a generated mailbox. Messages
// 0..NumKinds-1 are a seed-dependent permutation of all kinds, so every
// mailbox of at least NumKinds messages holds every kind; later messages
// follow kindWeights.
func KindOf(seed int64, i int) Kind {
	if i >= 0 && i < int(NumKinds) {
		return kindPermutation(seed)[i]
	}
	r := newRNG(seed, i, streamKind)
	n := r.intn(100)
	for k, w := range kindWeights {
		if n < w {
			return Kind(k)
		}
		n -= w
	}
	return Plain
}

// kindPermutation is a Fisher-Yates shuffle of all kinds for seed.
func kindPermutation(seed int64) [NumKinds]Kind {
	var p [NumKinds]Kind
	for k := range p {
		p[k] = Kind(k)
	}
	r := newRNG(seed, -1, streamKind)
	for j := len(p) - 1; j > 0; j-- {
		m := r.intn(j + 1)
		p[j], p[m] = p[m], p[j]
	}
	return p
}
