package wire_test

import (
	"bufio"
	"testing"

	"p9mail/protocol/imap/wire"
)

// repeater yields line forever.
type repeater struct {
	line string
	off  int
}

func (r *repeater) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.line[r.off:])
		n += c
		r.off = (r.off + c) % len(r.line)
	}
	return n, nil
}

// BenchmarkUIDFetch parses the FETCH a typical client sends on opening
// a mailbox.
func BenchmarkUIDFetch(b *testing.B) {
	line := "a12 UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (From To Subject Date)])\r\n"
	d := wire.NewDecoder(bufio.NewReader(&repeater{line: line}), wire.Options{})
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		var tag, cmd, sub string
		var set wire.SeqSet
		var items []wire.FetchItem
		if d.Next() != nil || !d.ExpectTag(&tag) || !d.ExpectSP() || !d.ExpectCommand(&cmd) ||
			!d.ExpectSP() || !d.ExpectCommand(&sub) || !d.ExpectSP() || !d.ExpectUIDSet(&set) ||
			!d.ExpectSP() || !d.ExpectFetchAtts(&items) || !d.ExpectCRLF() {
			b.Fatal(d.Err())
		}
		if len(items) != 7 {
			b.Fatalf("%d items", len(items))
		}
	}
}
