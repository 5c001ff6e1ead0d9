package mbox

import (
	"bytes"
	"crypto/sha1"
	"testing"
)

// FuzzScan checks Scan's invariants on any input, scanned with a
// 1 MB buffer and with a small one (so boundaries fall across reads):
// both give the same messages; they are contiguous, separated by
// exactly one '\n', start with "From " and contain no other line
// starting "From "; each digest is the SHA-1 of its span; FromLen and
// HdrLen are as documented; and the spans with their separators
// reproduce the input from the first "From " on.
func FuzzScan(f *testing.F) {
	for _, tt := range scanTests {
		f.Add([]byte(tt.in), uint8(7))
	}
	f.Fuzz(func(t *testing.T, in []byte, bufSize uint8) {
		msgs, err := Scan(bytes.NewReader(in), 0)
		if err != nil {
			t.Fatal(err)
		}
		small, err := scan(bytes.NewReader(in), 0, int(bufSize))
		if err != nil {
			t.Fatal(err)
		}
		if !equalMsgs(msgs, small) {
			t.Fatalf("buffer %d: %+v, 1 MB buffer: %+v", bufSize, small, msgs)
		}
		if !bytes.HasPrefix(in, []byte(fromLine)) {
			if len(msgs) != 0 {
				t.Fatalf("not an mbox but %d messages", len(msgs))
			}
			return
		}
		checkInvariants(t, in, msgs)
	})
}

// checkInvariants checks msgs, the messages Scan found in in, which
// begins with "From ".
func checkInvariants(t *testing.T, in []byte, msgs []Msg) {
	var rebuilt []byte
	for i, m := range msgs {
		if i == 0 && m.Off != 0 || i > 0 && m.Off != msgs[i-1].End()+1 {
			t.Fatalf("message %d at %d does not follow the previous one and its separator", i, m.Off)
		}
		if m.FromLen < 0 || m.FromLen > m.Len || m.HdrLen < 0 || m.HdrLen > m.Len-m.FromLen || m.End() > int64(len(in)) {
			t.Fatalf("message %d: bad lengths %+v", i, m)
		}
		b := in[m.Off:m.End()]
		if !bytes.HasPrefix(b, []byte(fromLine)) || bytes.Contains(b, []byte(sepFrom)) {
			t.Fatalf("message %d: %q is not one message", i, b)
		}
		if m.Digest != sha1.Sum(b) {
			t.Fatalf("message %d: digest %s is not sha1 of its span", i, m.DigestHex())
		}
		from := b[:m.FromLen]
		if k := bytes.IndexByte(from, '\n'); k >= 0 && k != len(from)-1 || k < 0 && m.FromLen != m.Len {
			t.Fatalf("message %d: From line %q", i, from)
		}
		if want := headerLen(b, m.FromLen); m.HdrLen != want {
			t.Fatalf("message %d: HdrLen %d, want %d", i, m.HdrLen, want)
		}
		rebuilt = append(rebuilt, b...)
		if i < len(msgs)-1 || m.End() < int64(len(in)) {
			rebuilt = append(rebuilt, '\n')
		}
	}
	if !bytes.Equal(rebuilt, in) {
		t.Fatalf("spans and separators give %q, not the input", rebuilt)
	}
}

// headerLen computes HdrLen of the message b whose From line is
// fromLen bytes long: up to the first "\n\n" from the From line's '\n'
// on, else the rest.
func headerLen(b []byte, fromLen int64) int64 {
	if fromLen == int64(len(b)) {
		return 0
	}
	if q := bytes.Index(b[fromLen-1:], []byte("\n\n")); q >= 0 {
		return int64(q)
	}
	return int64(len(b)) - fromLen
}
