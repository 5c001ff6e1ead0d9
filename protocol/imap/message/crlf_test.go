package message

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"testing"
	"testing/iotest"
)

func TestCRLF(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"\n", "\r\n"},
		{"a\nb\r\nc\rd\n\n", "a\r\nb\r\nc\rd\r\n\r\n"},
		{"\r\r\n\x00\n", "\r\r\n\x80\r\n"},
	}
	for _, tt := range tests {
		if got := string(toCRLF([]byte(tt.in))); got != tt.want {
			t.Errorf("toCRLF(%q) = %q, want %q", tt.in, got, tt.want)
		}
		// One byte per read: a CR at the end of one read and the LF at
		// the start of the next must not become CR CR LF.
		r := newCRLFReader(io.NopCloser(iotest.OneByteReader(bytes.NewReader([]byte(tt.in)))))
		got, err := io.ReadAll(r)
		if err != nil || string(got) != tt.want {
			t.Errorf("crlfReader(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		r.Close()
		var w bytes.Buffer
		r = newCRLFReader(io.NopCloser(iotest.HalfReader(bytes.NewReader([]byte(tt.in)))))
		if _, err := r.WriteTo(&w); err != nil || w.String() != tt.want {
			t.Errorf("crlfReader(%q).WriteTo = %q, %v; want %q", tt.in, w.String(), err, tt.want)
		}
		r.Close()
		if _, err := r.Read(make([]byte, 1)); err == nil {
			t.Errorf("read after close succeeded")
		}
	}
}

func TestExactReader(t *testing.T) {
	tests := []struct {
		in   string
		n    int64
		want string
	}{
		{"abc", 3, "abc"},
		{"abc", 2, "ab"},
		{"abc", 6, "abc   "}, // the file shrank: pad
		{"", 2, "  "},
		{"abc", 0, ""},
	}
	for _, tt := range tests {
		r := &exactReader{r: io.NopCloser(iotest.HalfReader(bytes.NewReader([]byte(tt.in)))), n: tt.n}
		got, err := io.ReadAll(r)
		if err != nil || string(got) != tt.want {
			t.Errorf("exactReader(%q, %d) = %q, %v; want %q", tt.in, tt.n, got, err, tt.want)
		}
	}
	boom := errors.New("boom")
	r := &exactReader{r: io.NopCloser(iotest.ErrReader(boom)), n: 3}
	if _, err := io.ReadAll(r); !errors.Is(err, boom) {
		t.Errorf("read error: got %v, want %v", err, boom)
	}
}

// TestCRLFFast: the conversion of a stream cut anywhere is the same by
// append (which finds line breaks with IndexByte when there is no NUL)
// and by appendEach, byte by byte.
func TestCRLFFast(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alphabet := []byte("ab\r\n\r\n \x00")
	for round := 0; round < 2000; round++ {
		src := make([]byte, rng.Intn(64))
		for i := range src {
			src[i] = alphabet[rng.Intn(len(alphabet)-1+round%2)] // NUL in every other round
		}
		var fast, each crlf
		var a, b []byte
		for rest := src; len(rest) > 0; {
			n := 1 + rng.Intn(len(rest))
			a = fast.append(a, rest[:n])
			b = each.appendEach(b, rest[:n])
			rest = rest[n:]
		}
		if !bytes.Equal(a, b) {
			t.Fatalf("%q: append %q, appendEach %q", src, a, b)
		}
	}
}
