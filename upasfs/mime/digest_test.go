package mime

import (
	"strings"
	"testing"
)

// TestDigestDefault: the parts of a multipart/digest without a
// Content-Type are messages (RFC 2046 §5.1.5), each with its child 1.
func TestDigestDefault(t *testing.T) {
	msg := "From a@b.example Mon Jan  6 10:00:00 GMT 2025\n" +
		"Subject: digest\nContent-Type: multipart/digest; boundary=d\n\n" +
		"--d\n\nSubject: first\n\nbody one\n" +
		"--d\nContent-Type: text/plain\n\nnot a message\n" +
		"--d--\n"
	p, err := Parse(strings.NewReader(msg), 0, int64(len(msg)), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Parts) != 2 {
		t.Fatalf("%d parts", len(p.Parts))
	}
	if got := p.Parts[0].Type; got != "message/rfc822" {
		t.Errorf("part 1 type %q, want message/rfc822", got)
	}
	if c := p.Lookup([]int{1, 1}); c == nil || c.Subject != "first" {
		t.Errorf("part 1/1 = %+v, want the message with subject first", c)
	}
	if got := p.Parts[1].Type; got != "text/plain" {
		t.Errorf("part 2 type %q, want text/plain (declared)", got)
	}
}
