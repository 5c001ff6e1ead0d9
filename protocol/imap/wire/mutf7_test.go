package wire_test

import (
	"testing"

	"p9mail/protocol/imap/wire"
)

func TestMUTF7(t *testing.T) {
	for _, c := range []struct{ utf8, mutf7 string }{
		// RFC 3501 §5.1.3 example.
		{"~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"},
		{"", ""},
		{"INBOX", "INBOX"},
		{"&", "&-"},
		{"a&b&&", "a&-b&-&-"},
		{"Entwürfe", "Entw&APw-rfe"},
		{"é&é", "&AOk-&-&AOk-"},
		{"tab\there", "tab&AAk-here"},
		{"\x7f", "&AH8-"},
		{"😀", "&2D3eAA-"},
		{"a/b\\c+d,e-f", "a/b\\c+d,e-f"},
		{"ÿÿÿ", "&AP8A,wD,-"},
	} {
		if got := wire.EncodeMUTF7(c.utf8); got != c.mutf7 {
			t.Errorf("EncodeMUTF7(%q) = %q, want %q", c.utf8, got, c.mutf7)
		}
		if got, err := wire.DecodeMUTF7(c.mutf7); err != nil || got != c.utf8 {
			t.Errorf("DecodeMUTF7(%q) = %q, %v; want %q", c.mutf7, got, err, c.utf8)
		}
	}
	if got := wire.EncodeMUTF7("a\xffb"); got != "a&,,0-b" {
		t.Errorf("invalid UTF-8 encoded as %q, want U+FFFD", got)
	}
}

func TestMUTF7Invalid(t *testing.T) {
	for _, s := range []string{
		"&",           // unterminated
		"&U,BTFw",     // unterminated run
		"&AGE-",       // "a" must represent itself
		"&AOk-&AOk-",  // adjacent runs ("-&" null shift)
		"&AOl-",       // non-zero padding bits
		"&AO-",        // 12 bits: no whole unit
		"&AOkA-",      // 6 leftover bits
		"&2D0-",       // lone high surrogate
		"&3gA-",       // lone low surrogate
		"&2D3YPQ-",    // high surrogate then high surrogate
		"&Zz/-",       // "/" is not modified BASE64
		"caf\xc3\xa9", // raw 8-bit
		"a\tb",        // raw control character
		"&AOk=-",      // padding
	} {
		if got, err := wire.DecodeMUTF7(s); err == nil {
			t.Errorf("DecodeMUTF7(%q) = %q, want error", s, got)
		}
	}
}
