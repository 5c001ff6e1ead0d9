// Package binrec reads the compact binary records the gateway keeps in
// its indexes (message.Structure.Marshal, IMAP's sort keys): varints,
// bytes and length-prefixed strings, with a sticky error, so a decoder
// reads a whole record and checks Bad once.
package binrec

import "encoding/binary"

// A Reader reads B from its start. After a short or bad read Bad is set
// and every later read gives zero.
type Reader struct {
	B   []byte
	Bad bool
}

// Uvarint reads an unsigned varint.
func (r *Reader) Uvarint() uint64 {
	v, n := binary.Uvarint(r.B)
	if n <= 0 || r.Bad {
		r.Bad = true
		return 0
	}
	r.B = r.B[n:]
	return v
}

// Varint reads a signed varint.
func (r *Reader) Varint() int64 {
	v, n := binary.Varint(r.B)
	if n <= 0 || r.Bad {
		r.Bad = true
		return 0
	}
	r.B = r.B[n:]
	return v
}

// Byte reads one byte.
func (r *Reader) Byte() byte {
	if len(r.B) == 0 || r.Bad {
		r.Bad = true
		return 0
	}
	c := r.B[0]
	r.B = r.B[1:]
	return c
}

// Str reads a string written as its length (a uvarint) and its bytes.
func (r *Reader) Str() string {
	n := r.Uvarint()
	if r.Bad || n > uint64(len(r.B)) {
		r.Bad = true
		return ""
	}
	s := string(r.B[:n])
	r.B = r.B[n:]
	return s
}
