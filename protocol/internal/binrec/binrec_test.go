package binrec

import (
	"encoding/binary"
	"testing"
)

// TestReader reads back what encoding/binary wrote, and a cut record
// leaves Bad set and zeros after it.
func TestReader(t *testing.T) {
	b := binary.AppendUvarint(nil, 300)
	b = binary.AppendVarint(b, -7)
	b = append(b, 9)
	b = binary.AppendUvarint(b, 3)
	b = append(b, "abc"...)
	r := Reader{B: b}
	if u, v, c, s := r.Uvarint(), r.Varint(), r.Byte(), r.Str(); u != 300 || v != -7 || c != 9 || s != "abc" || r.Bad || len(r.B) != 0 {
		t.Fatalf("read %d %d %d %q bad=%v rest %d", u, v, c, s, r.Bad, len(r.B))
	}
	cut := Reader{B: b[:len(b)-1]}
	cut.Uvarint()
	cut.Varint()
	cut.Byte()
	if s := cut.Str(); s != "" || !cut.Bad || cut.Uvarint() != 0 || cut.Byte() != 0 {
		t.Fatalf("a cut string read %q, bad=%v", s, cut.Bad)
	}
	if (&Reader{}).Byte() != 0 {
		t.Fatal("a byte from nothing")
	}
}
