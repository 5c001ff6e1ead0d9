package main

import (
	"hash/crc32"
	"strings"
)

// A fetched is what one FETCH response (RFC 3501 §7.4.2) carried of the
// items this benchmark asks for. Strings are canonical forms (see
// reader.value), so two servers' answers compare byte for byte.
type fetched struct {
	Seq   int    `json:"n"`
	UID   int64  `json:"uid,omitempty"`
	Size  int64  `json:"size,omitempty"` // RFC822.SIZE
	Flags string `json:"flags,omitempty"`
	Date  string `json:"date,omitempty"` // INTERNALDATE
	Env   string `json:"env,omitempty"`  // ENVELOPE
	BS    string `json:"bs,omitempty"`   // BODYSTRUCTURE

	hasBody bool   // BODY[] was there
	octets  int64  // BODY[]'s length
	crc     uint32 // BODY[]'s CRC-32C
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// fetchAtts reads a FETCH response's "(" msg-att *(SP msg-att) ")" and
// its CRLF, after "* n FETCH ". BODY[] is streamed through a CRC, never
// kept; other items we do not ask for are read and dropped.
func (r *reader) fetchAtts(seq int) *fetched {
	f := &fetched{Seq: seq}
	r.expect('(')
	for r.err == nil {
		for r.peek() == ' ' {
			r.next()
		}
		if r.peek() == ')' {
			r.next()
			break
		}
		name := strings.ToUpper(r.atom())
		r.sp()
		r.fetchAtt(f, name)
	}
	r.crlf()
	return f
}

// fetchAtt reads the value of one item called name into f.
func (r *reader) fetchAtt(f *fetched, name string) {
	switch name {
	case "UID":
		f.UID = r.number()
	case "RFC822.SIZE":
		f.Size = r.number()
	case "FLAGS":
		f.Flags = string(r.value(nil, 0))
	case "INTERNALDATE":
		f.Date = string(r.value(nil, 0))
	case "ENVELOPE":
		f.Env = string(r.value(nil, 0))
	case "BODYSTRUCTURE":
		f.BS = string(r.value(nil, 0))
	case "BODY[]", "RFC822":
		r.body(f)
	default:
		r.value(nil, 0)
	}
}

// body reads BODY[]'s nstring: a literal streamed through the CRC, a
// quoted string, or NIL.
func (r *reader) body(f *fetched) {
	f.hasBody = true
	h := crc32.New(castagnoli)
	switch r.peek() {
	case '{', '~':
		n := r.literalLen()
		r.stream(h, n)
		f.octets = n
	case '"':
		b := r.quoted()
		h.Write(b)
		f.octets = int64(len(b))
	default:
		if a := r.atom(); !strings.EqualFold(a, "NIL") {
			r.fail("BODY[]: want a string, have %q", a)
		}
	}
	f.crc = h.Sum32()
}
