package mbox

import (
	"bytes"
	"crypto/sha1"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// p9pMsg1 is message 1 of p9p-upasfs.md §3.1, byte for byte: its
// rawheader is 168 bytes, rawbody 88, rawunix 305, and the real upas/fs
// served digest p9pDigest1 for it.
const (
	p9pFrom1   = "From alice@example.com Mon Jan  6 10:00:00 2025\n"
	p9pHdr1    = "Date: Mon, 6 Jan 2025 10:00:00 +0000\nFrom: Alice Example <alice@example.com>\nTo: Test User <testuser@example.org>\nSubject: Plain hello\nMessage-ID: <plain1@example.com>\n"
	p9pBody1   = "Hello testuser,\nthis is a plain message.\n>From the start, a quoted From line.\n-- \nAlice\n"
	p9pMsg1    = p9pFrom1 + p9pHdr1 + "\n" + p9pBody1
	p9pDigest1 = "622e75ceafcb3207afe1ca6b5888256281396c10"
)

// span is what one message must cover: the exact bytes of rawunix, of
// its From line (unixheader), of rawheader and of rawbody.
type span struct{ unix, from, hdr, body string }

var scanTests = []struct {
	name string
	in   string
	want []span
}{
	{"empty file", "", nil},
	{"not an mbox", "Hello\nFrom a\n\nx\n", nil},
	{"lower-case from", "from a\n\nx\n", nil},
	{"short", "From", nil},
	{"p9p message 1, then a last message without blank line",
		p9pMsg1 + "\n" + "From bob Tue Jan  7 11:30:00 2025\nSubject: last\n\nLast one.\n",
		[]span{
			{p9pMsg1, p9pFrom1, p9pHdr1, p9pBody1},
			{"From bob Tue Jan  7 11:30:00 2025\nSubject: last\n\nLast one.", "From bob Tue Jan  7 11:30:00 2025\n", "Subject: last\n", "Last one."},
		}},
	{"last message with its blank line",
		"From a\nS: 1\n\none\n\n",
		[]span{{"From a\nS: 1\n\none\n", "From a\n", "S: 1\n", "one\n"}}},
	{">From and indented From do not split",
		"From a\nS: 1\n\n>From here\n From there\nsee From\n\n",
		[]span{{"From a\nS: 1\n\n>From here\n From there\nsee From\n", "From a\n", "S: 1\n", ">From here\n From there\nsee From\n"}}},
	{"an unescaped From line in a body splits",
		"From a\nS: 1\n\nbody\nFrom the start\nmore\n",
		[]span{
			{"From a\nS: 1\n\nbody", "From a\n", "S: 1\n", "body"},
			{"From the start\nmore", "From the start\n", "more", ""},
		}},
	{"From line without a date",
		"From alice\nSubject: x\n\nhi\n\nFrom\tbob\n\nFrom \n",
		[]span{
			{"From alice\nSubject: x\n\nhi\n\nFrom\tbob\n", "From alice\n", "Subject: x\n", "hi\n\nFrom\tbob\n"},
			{"From ", "From ", "", ""},
		}},
	{"From line with only From and space",
		"From \nS: 1\n\nx\n",
		[]span{{"From \nS: 1\n\nx", "From \n", "S: 1\n", "x"}}},
	{"CRLF kept as bytes; a CRLF blank line does not end the header",
		"From a Mon Jan  6 10:00:00 2025\r\nSubject: x\r\n\r\nbody\r\n\r\nFrom b\r\n",
		[]span{
			{"From a Mon Jan  6 10:00:00 2025\r\nSubject: x\r\n\r\nbody\r\n\r", "From a Mon Jan  6 10:00:00 2025\r\n", "Subject: x\r\n\r\nbody\r\n\r", ""},
			{"From b\r", "From b\r", "", ""},
		}},
	{"NUL bytes kept",
		"From a\x00b\nX: \x00\n\nb\x00dy\n\x00\n\nFrom c\n",
		[]span{
			{"From a\x00b\nX: \x00\n\nb\x00dy\n\x00\n", "From a\x00b\n", "X: \x00\n", "b\x00dy\n\x00\n"},
			{"From c", "From c", "", ""},
		}},
	{"only a From line", "From a", []span{{"From a", "From a", "", ""}}},
	{"From lines back to back",
		"From a\nFrom b\nFrom c\n\n",
		[]span{
			{"From a", "From a", "", ""},
			{"From b", "From b", "", ""},
			{"From c\n", "From c\n", "", ""},
		}},
	{"no blank line after the header",
		"From a\nSubject: x\nTo: y",
		[]span{{"From a\nSubject: x\nTo: y", "From a\n", "Subject: x\nTo: y", ""}}},
	{"empty header",
		"From a\n\nbody\n\nFrom b\n\n\n",
		[]span{
			{"From a\n\nbody\n", "From a\n", "", "body\n"},
			{"From b\n\n", "From b\n", "", ""},
		}},
	{"header ends at the separator",
		"From a\nS: x\n\nFrom b\nT: y\n",
		[]span{
			{"From a\nS: x\n", "From a\n", "S: x\n", ""},
			{"From b\nT: y", "From b\n", "T: y", ""},
		}},
	{"only one newline is dropped between messages",
		"From a\n\nx\n\n\n\nFrom b\n\ny\n",
		[]span{
			{"From a\n\nx\n\n\n", "From a\n", "", "x\n\n\n"},
			{"From b\n\ny", "From b\n", "", "y"},
		}},
}

// checkSpans checks msgs, scanned from in placed at file offset base,
// against want, and every digest against crypto/sha1 of rawunix.
func checkSpans(t *testing.T, in string, base int64, msgs []Msg, want []span) {
	t.Helper()
	if len(msgs) != len(want) {
		t.Fatalf("got %d messages %+v, want %d", len(msgs), msgs, len(want))
	}
	at := func(off, end int64) string { return in[off-base : end-base] }
	for i, m := range msgs {
		w := want[i]
		got := span{at(m.Off, m.End()), at(m.Off, m.RawOff()), at(m.RawOff(), m.RawOff()+m.HdrLen), at(m.BodyOff(), m.End())}
		if got != w {
			t.Errorf("message %d: got %q, want %q", i+1, got, w)
		}
		if m.Digest != sha1.Sum([]byte(w.unix)) {
			t.Errorf("message %d: digest %s, want sha1 of %q", i+1, m.DigestHex(), w.unix)
		}
	}
}

func TestScan(t *testing.T) {
	for _, tt := range scanTests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := Scan(strings.NewReader(tt.in), 0)
			if err != nil {
				t.Fatal(err)
			}
			checkSpans(t, tt.in, 0, msgs, tt.want)
		})
	}
}

func TestScanP9pDigest(t *testing.T) {
	msgs, err := Scan(strings.NewReader(p9pMsg1+"\n"), 0)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("Scan = %v, %v", msgs, err)
	}
	m := msgs[0]
	if got := m.DigestHex(); got != p9pDigest1 {
		t.Errorf("digest %s, want %s (served by upas/fs)", got, p9pDigest1)
	}
	if m.Len != 305 || m.HdrLen != 168 || m.End()-m.BodyOff() != 88 || m.End()-m.RawOff() != 257 {
		t.Errorf("sizes %+v, want rawunix 305, rawheader 168, rawbody 88, raw 257", m)
	}
}

// TestScanChunks scans every case with tiny buffers, so that every
// boundary, From line and header end falls across reads, through
// readers returning short reads, and at a non-zero base.
func TestScanChunks(t *testing.T) {
	const base = 1000
	for _, tt := range scanTests {
		for size := 1; size <= 40; size++ {
			for _, r := range []io.Reader{strings.NewReader(tt.in), iotest.HalfReader(strings.NewReader(tt.in)), iotest.OneByteReader(strings.NewReader(tt.in))} {
				msgs, err := scan(r, base, size)
				if err != nil {
					t.Fatalf("%s, buffer %d: %v", tt.name, size, err)
				}
				checkSpans(t, tt.in, base, msgs, tt.want)
			}
		}
	}
}

// TestScanFromBoundary: scanning from any message's Off gives the tail
// of the full scan (the emulator's incremental sync, spec §1.3).
func TestScanFromBoundary(t *testing.T) {
	in := genMbox(1, 300<<10, 4<<10)
	all, err := Scan(bytes.NewReader(in), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 50 {
		t.Fatalf("generator made only %d messages", len(all))
	}
	for k, m := range all {
		tail, err := scan(bytes.NewReader(in[m.Off:]), m.Off, 4096)
		if err != nil {
			t.Fatal(err)
		}
		if !equalMsgs(tail, all[k:]) {
			t.Fatalf("scan from message %d at %d differs from the full scan's tail", k+1, m.Off)
		}
	}
}

func equalMsgs(a, b []Msg) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestScanReadError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("From a\n\nx\n\nFrom b\n\ny\n"), iotest.ErrReader(boom))
	msgs, err := scan(r, 0, 16)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	if len(msgs) != 1 || msgs[0].Len != int64(len("From a\n\nx\n")) {
		t.Errorf("msgs = %+v, want the one complete message", msgs)
	}
}

func TestIsMbox(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"", true},
		{"From ", true},
		{"From a\n", true},
		{"From", false},
		{"F", false},
		{"from a\n", false},
		{"\nFrom a\n", false},
		{"Hello\n", false},
	} {
		got, err := IsMbox(strings.NewReader(tt.in))
		if err != nil || got != tt.want {
			t.Errorf("IsMbox(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	boom := errors.New("boom")
	if _, err := IsMbox(errReaderAt{boom}); !errors.Is(err, boom) {
		t.Errorf("IsMbox on failing reader: err = %v, want %v", err, boom)
	}
}

type errReaderAt struct{ err error }

func (e errReaderAt) ReadAt([]byte, int64) (int, error) { return 0, e.err }
