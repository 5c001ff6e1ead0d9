package testenv

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

func TestWriteMboxDeterministic(t *testing.T) {
	var a, b, c bytes.Buffer
	if _, err := WriteMbox(&a, 7, 150); err != nil {
		t.Fatal(err)
	}
	WriteMbox(&b, 7, 150)
	WriteMbox(&c, 8, 150)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("same seed, different bytes")
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Errorf("seeds 7 and 8 give the same mbox")
	}
}

// TestWriteMbox splits the mbox the way upas/fs does (a message starts
// at every line beginning "From ", spec §1.8) and checks that this finds
// exactly the returned offsets, that each message is its envelope, the
// escaped message and one empty line, and that no body line is left
// unescaped.
func TestWriteMbox(t *testing.T) {
	const seed, n = 5, 300
	var buf bytes.Buffer
	offsets, err := WriteMbox(&buf, seed, n)
	if err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	starts := fromLineStarts(data)
	if fmt.Sprint(starts) != fmt.Sprint(offsets) {
		t.Fatalf("From lines at %v,\nWriteMbox said %v", starts, offsets)
	}
	for i, off := range offsets {
		end := int64(len(data))
		if i+1 < n {
			end = offsets[i+1]
		}
		k := KindOf(seed, i)
		want := []byte(Envelope(seed, i, k) + "\n")
		want = append(want, EscapeFrom(Message(seed, i, k))...)
		want = append(want, '\n')
		if !bytes.Equal(data[off:end], want) {
			t.Fatalf("message %d (%v) differs from envelope + escaped message + blank line", i, k)
		}
	}
}

// fromLineStarts returns the offsets of the lines that begin "From ".
func fromLineStarts(data []byte) []int64 {
	var starts []int64
	for off := 0; off < len(data); {
		if bytes.HasPrefix(data[off:], fromPrefix) {
			starts = append(starts, int64(off))
		}
		nl := bytes.IndexByte(data[off:], '\n')
		if nl < 0 {
			break
		}
		off += nl + 1
	}
	return starts
}

func TestWriteMboxFromInBody(t *testing.T) {
	data := Fixture("FromInBody")
	if got := len(fromLineStarts(data)); got != fixtureKindCount {
		t.Fatalf("%d From lines, want %d", got, fixtureKindCount)
	}
	for _, want := range []string{
		"\n\n From bob@example.com Mon Jan  6 10:00:00 GMT 2025\n", // first body line
		"\n From the minutes",
		"\n   From an indented line",
		"\n>From a Unix mailer",
	} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("mbox lacks %q", want)
		}
	}
}

func TestEscapeFrom(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"From x\n", " From x\n"},
		{"a\nFrom b\n", "a\n From b\n"},
		{"a\n  From c\n", "a\n   From c\n"},
		{"a\n>From d\n", "a\n>From d\n"},
		{"a xFrom e\nFrom\n", "a xFrom e\nFrom\n"},
		{"From From x\nFrom y", " From From x\n From y"},
		{"a\n\tFrom f\n", "a\n\tFrom f\n"},
		{"From: header\nfrom x\n", "From: header\nfrom x\n"},
		{"x From y\n From z\n", "x From y\n  From z\n"},
	}
	for _, tt := range tests {
		if got := string(EscapeFrom([]byte(tt.in))); got != tt.want {
			t.Errorf("EscapeFrom(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

type failWriter struct{}

var errFail = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errFail }

func TestWriteMboxError(t *testing.T) {
	if _, err := WriteMbox(failWriter{}, 1, 50); !errors.Is(err, errFail) {
		t.Errorf("error %v, want %v", err, errFail)
	}
	var b bytes.Buffer
	if offs, err := WriteMbox(&b, 1, 0); err != nil || len(offs) != 0 || b.Len() != 0 {
		t.Errorf("n=0: %v %v %d bytes", offs, err, b.Len())
	}
}

// TestMessageSize: a generated mailbox averages 3-4 KB a message.
func TestMessageSize(t *testing.T) {
	var cw countWriter
	const n = 3000
	if _, err := WriteMbox(&cw, 11, n); err != nil {
		t.Fatal(err)
	}
	if avg := cw.n / n; avg < 2500 || avg > 5000 {
		t.Errorf("average message %d bytes, want 2500-5000", avg)
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

func BenchmarkWriteMbox(b *testing.B) {
	const n = 1000
	var cw countWriter
	WriteMbox(&cw, 1, n)
	b.SetBytes(cw.n)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := WriteMbox(&cw, 1, n); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMessage(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Message(1, i, KindOf(1, i))
		i++
	}
}
