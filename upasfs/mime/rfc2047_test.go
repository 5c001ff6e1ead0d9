package mime

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message"
)

func TestDecodeHeader(t *testing.T) {
	long := "=?utf-8?q?" + strings.Repeat("a", 1022) + "?="
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"=?UTF-8?B?QmrDtnJu?= <bob@example.com>", "Björn <bob@example.com>"},
		// decision 1: '_' is a space, white space between words goes.
		{"=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_M=C3=BCnchen?= =?ISO-8859-1?Q?_caf=E9?=", "Grüße aus München café"},
		{"=?us-ascii?q?a?=\n\t=?us-ascii?q?b?=", "ab"},
		{"=?us-ascii?q?a?= x =?us-ascii?q?b?=", "a x b"},
		{"x =?us-ascii?q?a?=  y", "x a  y"},
		{"=?ISO-8859-1?b?Suly9G1l?=", "Jérôme"},
		{"=?utf-8*en?q?lang?=", "lang"},
		// left encoded: unknown charset, bad encoding, too long, white space.
		{"=?x-none?q?a?=", "=?x-none?q?a?="},
		{"=?utf-8?x?a?=", "=?utf-8?x?a?="},
		{long, long},
		{"=?utf-8?q?a b?=", "=?utf-8?q?a b?="},
		{"=?utf-8?q?a?b?=", "=?utf-8?q?a?b?="},
		{"=?utf-8?q?=", "=?utf-8?q?="},
		// soft '=', invalid escapes, NUL cut, white space then no word.
		{"=?utf-8?q?ab=?=", "ab"},
		{"=?utf-8?q?a=ZZ?=", "a=ZZ"},
		{"=?utf-8?b?YQBi?=", "a"},
		{"=?utf-8?q?a?= ", "a "},
		{"==?utf-8?q?a?==", "=a="},
	}
	for _, tt := range tests {
		if got := DecodeHeader(tt.in); got != tt.want {
			t.Errorf("DecodeHeader(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestDecodeHeaderMaxWord checks the edge of the 1024-byte buffer.
func TestDecodeHeaderMaxWord(t *testing.T) {
	fits := "=?utf-8?q?" + strings.Repeat("a", maxWord-2) + "?="
	if got := DecodeHeader(fits); got != strings.Repeat("a", maxWord-2) {
		t.Errorf("word of %d bytes left encoded", maxWord-2)
	}
}

// withCharsetReader installs conv as go-message's CharsetReader for the
// rest of the test.
func withCharsetReader(t *testing.T, conv func(string, io.Reader) (io.Reader, error)) {
	old := message.CharsetReader
	message.CharsetReader = conv
	t.Cleanup(func() { message.CharsetReader = old })
}

// upperReader is a fake charset "x-upper" that upper-cases ASCII.
func upperReader(cs string, r io.Reader) (io.Reader, error) {
	if cs != "x-upper" {
		return nil, errors.New("unknown charset")
	}
	b, err := io.ReadAll(r)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return bytes.NewReader(b), err
}

func TestCharsetReaderHook(t *testing.T) {
	withCharsetReader(t, nil)
	if got := DecodeHeader("=?x-upper?q?abc?="); got != "=?x-upper?q?abc?=" {
		t.Fatalf("without a CharsetReader: %q", got)
	}
	withCharsetReader(t, upperReader)
	if got := DecodeHeader("=?x-upper?q?abc?= =?x-other?q?d?="); got != "ABC=?x-other?q?d?=" {
		t.Errorf("with a CharsetReader: %q", got)
	}
	msg := "From a@b Mon Jan  6 10:00:00 2025\nContent-Type: text/plain; charset=x-upper\n\nshout\x80\n"
	p, err := Parse(strings.NewReader(msg), 0, int64(len(msg)), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(readContent(t, p, "body")); got != "SHOUT\x80\n" {
		t.Errorf("body = %q", got)
	}
}

func TestToUTF8(t *testing.T) {
	withCharsetReader(t, nil) // as if go-message/charset were not linked
	tests := []struct {
		cs, in, want string
		ok           bool
	}{
		{"US-ASCII", "a\xe9", "a\xe9", true},
		{"utf-8", "é", "é", true},
		{"iso-8859-1", "caf\xe9", "café", true},
		{"ISO-8859-1", "plain", "plain", true},
		{"koi8-r", "\xc1", "\xc1", false},
		{"", "x", "x", false},
	}
	for _, tt := range tests {
		got, ok := toUTF8(tt.cs, []byte(tt.in))
		if string(got) != tt.want || ok != tt.ok {
			t.Errorf("toUTF8(%q, %q) = %q, %v; want %q, %v", tt.cs, tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// wordStartRef is 4e's rfc2047start, scanning back as far as it goes.
func wordStartRef(s string, start, end int) int {
	if end-2 < start || s[end-2] != '?' {
		return -1
	}
	quests := 0
	for i := end - 3; i >= start; i-- {
		switch s[i] {
		case '=':
			if quests == 3 && s[i+1] == '?' {
				return i
			}
		case '?':
			quests++
		case ' ', '\t', '\n', '\r':
			return -1
		}
	}
	return -1
}

// TestWordStartRef checks wordStart against 4e's scan on every prefix of
// strings dense in '=', '?' and blanks.
func TestWordStartRef(t *testing.T) {
	alphabet := "=?a "
	for n := 0; n < 1<<16; n++ {
		var b []byte
		for k := n; k > 0; k /= len(alphabet) {
			b = append(b, alphabet[k%len(alphabet)])
		}
		s := string(b)
		for end := 0; end <= len(s); end++ {
			for start := 0; start <= end; start++ {
				if got, want := wordStart(s, start, end), wordStartRef(s, start, end); got != want {
					t.Fatalf("wordStart(%q, %d, %d) = %d, want %d", s, start, end, got, want)
				}
			}
		}
	}
}

// TestDecodeHeaderLinear checks that a long hostile header decodes in
// linear time.
func TestDecodeHeaderLinear(t *testing.T) {
	for _, s := range []string{
		strings.Repeat("a", 1<<20) + strings.Repeat("?=", 1<<19),
		strings.Repeat("=?", 1<<20),
		strings.Repeat("=?a?b?c", 1<<18) + "?=",
	} {
		start := time.Now()
		DecodeHeader(s)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("DecodeHeader of %d bytes took %v", len(s), d)
		}
	}
}
