package message

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"p9mail/testenv"
	"p9mail/upasfs"
)

func TestContains(t *testing.T) {
	tests := []struct {
		s, needle string
		want      bool
	}{
		{"Hello World", "WORLD", true},
		{"Grüße", "GRÜSSE", false}, // simple folding only
		{"GRÜẞE", "grüße", true},
		{"abc", "", true},
		{"", "a", false},
	}
	for _, tt := range tests {
		if got := Contains(tt.s, tt.needle); got != tt.want {
			t.Errorf("Contains(%q, %q) = %v", tt.s, tt.needle, got)
		}
	}
}

func TestFieldContains(t *testing.T) {
	fields := parseFields([]byte("From: =?UTF-8?B?QmrDtnJu?= <bob@example.com>\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\nX-Tag: blue\n"))
	tests := []struct {
		name, needle string
		want         bool
	}{
		{"from", "björn", true},       // decoded
		{"FROM", "QmrDtnJu", true},    // raw
		{"from", "BOB@EXAMPLE", true}, // case
		{"subject", "grüße", true},
		{"subject", "bob", false},
		{"x-tag", "blu", true},
		{"x-other", "", false},
		{"", "x-tag: bl", true}, // TEXT sees names too
		{"", "nothing", false},
	}
	for _, tt := range tests {
		if got := FieldContains(fields, tt.name, tt.needle); got != tt.want {
			t.Errorf("FieldContains(%q, %q) = %v", tt.name, tt.needle, got)
		}
	}
}

// TestBodyContains searches the decoded text parts of the p9p messages.
func TestBodyContains(t *testing.T) {
	srcs, ss := loadAll(t, testenv.Fixture("p9p"))
	tests := []struct {
		msg    int
		needle string
		want   bool
	}{
		{1, "PLAIN MESSAGE", true},
		{1, "Date:", false},              // the header is not the body
		{2, "grüß dich", true},           // quoted-printable decoded
		{2, "=C3", false},                // ...so the raw text is not seen
		{3, "second line", true},         // base64 text/plain attachment
		{3, "AAECAwQF", false},           // application/octet-stream is not text
		{3, "multi-part message", false}, // the preamble is no part
		{4, "plain version café", true},  // ISO-8859-1 made UTF-8
		{4, "html version", true},
		{4, "inner body", true}, // inside message/rfc822
		{5, "last one", true},
		{5, "", true},
	}
	for _, tt := range tests {
		got, err := ss[tt.msg-1].BodyContains(srcs[tt.msg-1], tt.needle)
		if err != nil || got != tt.want {
			t.Errorf("message %d BodyContains(%q) = %v, %v", tt.msg, tt.needle, got, err)
		}
	}
}

// TestMatcherBoundaries feeds text in pieces of every size: a match
// across pieces is found, and none is made up.
func TestMatcherBoundaries(t *testing.T) {
	text := strings.Repeat("xy", 50) + "Grüße aus München" + strings.Repeat("z", 50)
	for size := 1; size < 30; size++ {
		for _, tt := range []struct {
			needle string
			want   bool
		}{{"GRÜSSE", false}, {"grüße aus mün", true}, {"yxg", false}, {"yGr", true}, {"chenz", true}} {
			m := newMatcher(tt.needle)
			got := false
			b := []byte(text)
			for len(b) > 0 && !got {
				n := min(size, len(b))
				n -= partialRune(b[:n])
				if n == 0 {
					n = min(size+3, len(b))
				}
				got = m.feed(b[:n])
				b = b[n:]
			}
			if got != tt.want {
				t.Errorf("piece size %d, needle %q: got %v", size, tt.needle, got)
			}
		}
	}
}

// countingSource counts the body files a search opens.
type countingSource struct {
	Source
	bodies int
}

func (c *countingSource) Open(part []int, file string) (io.ReadCloser, error) {
	if file == upasfs.FileBody {
		c.bodies++
	}
	return c.Source.Open(part, file)
}

// TestBodyContainsAllReadsOnce: many needles cost one read of each text
// part (a SEARCH of 1,000 BODY keys used to read every message 1,000
// times), and each needle gets BodyContains's answer.
func TestBodyContainsAllReadsOnce(t *testing.T) {
	srcs, ss := loadAll(t, testenv.Fixture("p9p"))
	needles := []string{"plain version café", "html version", "inner body", "no such text"}
	for i := 0; i < 200; i++ {
		needles = append(needles, fmt.Sprintf("absent %d", i))
	}
	const msg = 4 // text/plain, text/html and a message/rfc822 with text
	src := &countingSource{Source: srcs[msg-1]}
	found, err := ss[msg-1].BodyContainsAll(src, needles)
	if err != nil {
		t.Fatal(err)
	}
	if leaves := len(ss[msg-1].root.textLeaves(nil)); src.bodies != leaves {
		t.Errorf("%d needles opened %d body files; the message has %d text parts", len(needles), src.bodies, leaves)
	}
	for i, n := range needles {
		want, err := ss[msg-1].BodyContains(srcs[msg-1], n)
		if err != nil || found[i] != want {
			t.Errorf("needle %q: BodyContainsAll %v, BodyContains %v (%v)", n, found[i], want, err)
		}
	}
}
