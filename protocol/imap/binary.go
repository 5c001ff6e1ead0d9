package imap

import (
	"p9mail/protocol/imap/message"
	"p9mail/protocol/imap/wire"
)

// BINARY (RFC 3516): FETCH BINARY[part]<partial>, BINARY.PEEK and
// BINARY.SIZE[part] send a part's content with its content-transfer-
// encoding undone (message.Structure.Binary does the decoding and
// keeps the decoded size, so BINARY.SIZE decodes a part once); the
// data goes out as a literal8 "~{n}" when it holds NUL. APPEND's
// literal8 is in append.go and multiappend.go.

// errUnknownCTE is fetchOne's error for a message with a part that
// BINARY cannot decode: FETCH ends NO [UNKNOWN-CTE] (RFC 3516 §4.3).
var errUnknownCTE = errorString("unknown content-transfer-encoding")

// openBinary opens a BINARY or BINARY.SIZE item of a message.
func openBinary(o *opened, it wire.FetchItem, st *message.Structure, src message.Source) error {
	part := make([]int, len(it.Section.Part))
	for k, p := range it.Section.Part {
		part[k] = int(p)
	}
	var partial *message.Partial
	if it.Partial != nil {
		partial = &message.Partial{Start: int64(it.Partial.Start), Count: int64(it.Partial.Count)}
	}
	size, hasNUL, open, err := st.Binary(src, part, partial)
	if err != nil {
		return err
	}
	o.size, o.binary = size, hasNUL
	if it.Att == wire.FetchBinarySize {
		return nil
	}
	o.r, err = open()
	return err
}

// writeBinary writes a BINARY or BINARY.SIZE item of a FETCH response.
func writeBinary(s *session, it wire.FetchItem, o opened) {
	e := s.enc
	// A partial names its origin, "BINARY[1]<5>", as RFC 3516 §4.2's
	// text and Dovecot do (its ABNF leaves it out; go-imap v2 cannot
	// parse it).
	e.FetchName(it).SP()
	if it.Att == wire.FetchBinarySize {
		e.Number64(uint64(o.size))
		return
	}
	if o.binary {
		s.literal8(o)
		return
	}
	s.literal(o)
}
