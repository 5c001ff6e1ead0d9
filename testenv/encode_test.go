package testenv

import (
	"bytes"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAppendQP(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text\n", "plain text\n"},
		{"a = b\n", "a =3D b\n"},
		{"trailing \n", "trailing=20\n"},
		{"tab\t\nx", "tab=09\nx"},
		{"café\n", "caf=C3=A9\n"},
		{"nul\x00\n", "nul=00\n"},
		{strings.Repeat("x", 80) + "\n", strings.Repeat("x", 75) + "=\n" + "xxxxx\n"},
		{strings.Repeat("x", 76) + "\n", strings.Repeat("x", 76) + "\n"},
		{strings.Repeat("x", 74) + "é\n", strings.Repeat("x", 74) + "=\n=C3=A9\n"},
	}
	for _, tt := range tests {
		if got := string(appendQP(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("appendQP(%q) =\n%q, want\n%q", tt.in, got, tt.want)
		}
	}
}

func TestAppendWords(t *testing.T) {
	tests := []struct {
		cs   string
		enc  byte
		in   string
		want string
	}{
		{"UTF-8", 'B', "Björn", "=?UTF-8?B?QmrDtnJu?="},
		{"UTF-8", 'Q', " München?", "=?UTF-8?Q?_M=C3=BCnchen=3F?="},
		{"ISO-8859-1", 'Q', "caf\xe9", "=?ISO-8859-1?Q?caf=E9?="},
	}
	for _, tt := range tests {
		if got := string(appendWords(nil, tt.cs, tt.enc, []byte(tt.in))); got != tt.want {
			t.Errorf("appendWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	long := strings.Repeat("Grüße aus München ", 6)
	got := appendWords([]byte("Subject: "), "UTF-8", 'Q', []byte(long))
	for _, line := range strings.Split(string(got), "\n") {
		if len(line) > 76 {
			t.Errorf("line of %d bytes: %q", len(line), line)
		}
	}
	if dec, err := new(mime.WordDecoder).DecodeHeader(string(got[len("Subject: "):])); err != nil || dec != long {
		t.Errorf("long subject decodes to %q, %v", dec, err)
	}
}

// FuzzQuotedPrintable: appendQP output decodes back to its input with
// the standard library's reader, in lines of at most 76 characters that
// never end in white space (RFC 2045 §6.7).
func FuzzQuotedPrintable(f *testing.F) {
	f.Add([]byte("hello = world \n"))
	f.Add([]byte(strings.Repeat("é", 60) + "\n\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		// A raw CR would be taken as part of a line end; generated text
		// never has one.
		text = bytes.ReplaceAll(text, []byte("\r"), nil)
		enc := appendQP(nil, text)
		for _, line := range strings.Split(string(enc), "\n") {
			if len(line) > 76 || strings.HasSuffix(line, " ") || strings.HasSuffix(line, "\t") {
				t.Fatalf("bad line %q", line)
			}
		}
		dec, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(enc)))
		if err != nil || !bytes.Equal(dec, text) {
			t.Fatalf("round trip: %q -> %q -> %q, %v", text, enc, dec, err)
		}
	})
}

// FuzzEncodedWords: appendWords output holds words of at most 75
// characters (RFC 2047 §2) and decodes back to the UTF-8 input.
func FuzzEncodedWords(f *testing.F) {
	f.Add("Grüße aus München", true)
	f.Add("日本語のテスト", false)
	f.Fuzz(func(t *testing.T, s string, b bool) {
		if s == "" || !utf8.ValidString(s) || strings.ContainsAny(s, "\r\n") {
			return
		}
		enc := byte('Q')
		if b {
			enc = 'B'
		}
		got := string(appendWords(nil, "UTF-8", enc, []byte(s)))
		for _, w := range strings.Fields(got) {
			if len(w) > maxWord {
				t.Fatalf("word of %d characters: %q", len(w), w)
			}
		}
		dec, err := new(mime.WordDecoder).DecodeHeader(got)
		if err != nil || dec != s {
			t.Fatalf("%q -> %q -> %q, %v", s, got, dec, err)
		}
	})
}

// FuzzEscapeFrom: after escaping no line starts "From ", and removing
// one space from every line that is spaces then "From " restores the
// input (spec §1.8's escaping is reversible).
func FuzzEscapeFrom(f *testing.F) {
	f.Add([]byte("From x\n  From y\n>From z\nFrom"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		esc := EscapeFrom(msg)
		lines := bytes.Split(esc, []byte("\n"))
		for j, line := range lines {
			if bytes.HasPrefix(line, fromPrefix) {
				t.Fatalf("unescaped line %q", line)
			}
			if needsEscape(line) {
				lines[j] = line[1:]
			}
		}
		if got := bytes.Join(lines, []byte("\n")); !bytes.Equal(got, msg) {
			t.Fatalf("%q -> %q -> %q", msg, esc, got)
		}
	})
}

// FuzzMessage: any seed, message number and kind give a message that
// the standard library parses and walks, with the kind's shape.
func FuzzMessage(f *testing.F) {
	f.Add(int64(1), 0, uint8(0))
	f.Add(int64(-7), 123456, uint8(NestedRFC822))
	f.Fuzz(func(t *testing.T, seed int64, i int, k uint8) {
		kind := Kind(k % uint8(NumKinds))
		if err := checkMessage(seed, i, kind); err != nil {
			t.Fatalf("seed %d #%d %v: %v", seed, i, kind, err)
		}
	})
}
