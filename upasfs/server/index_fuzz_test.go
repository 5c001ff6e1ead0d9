package server

import (
	"encoding/binary"
	"hash/crc32"
	"slices"
	"testing"

	"p9mail/upasfs/mbox"
)

// FuzzIndexDecode gives decodeIndex any bytes; with fix set, the last
// four are first made the CRC-32C of the rest, so that the fuzzer
// reaches the header and record checks. decodeIndex must not panic;
// what it accepts must keep mbox.Msg's invariants in file order and
// survive an encode and decode unchanged.
func FuzzIndexDecode(f *testing.F) {
	locs, err := mbox.Scan(bytesReader(genMbox(0, 9)), 0)
	if err != nil {
		f.Fatal(err)
	}
	x := &index{Path: "/mail/box/glenda/mbox", Valid: true, Msgs: locs,
		ID: fileID{Dev: 7, Ino: 1234, Size: locs[len(locs)-1].End(), MTime: 1e18, Stamp: 5}}
	f.Add(encodeIndex(x), false)
	f.Add(encodeIndex(&index{Path: "/x"}), false)
	f.Add(encodeIndex(x)[:40], true)
	f.Fuzz(func(t *testing.T, data []byte, fix bool) {
		if fix && len(data) >= 4 {
			data = slices.Clone(data)
			binary.LittleEndian.PutUint32(data[len(data)-4:], crc32.Checksum(data[:len(data)-4], castagnoli))
		}
		x, err := decodeIndex(data)
		if err != nil {
			return
		}
		var end int64
		for i, m := range x.Msgs {
			if m.Off < end || m.Len < 0 || m.FromLen < 0 || m.HdrLen < 0 || m.FromLen > m.Len || m.HdrLen > m.Len-m.FromLen {
				t.Fatalf("record %d accepted: %+v after end %d", i, m, end)
			}
			end = m.End()
		}
		y, err := decodeIndex(encodeIndex(x))
		if err != nil {
			t.Fatalf("re-encoded index refused: %v", err)
		}
		if y.Path != x.Path || y.Valid != x.Valid || y.ID != x.ID || !slices.Equal(y.Msgs, x.Msgs) {
			t.Fatalf("round trip changed the index: %+v, %+v", x, y)
		}
	})
}
