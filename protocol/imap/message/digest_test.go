package message

import (
	"io"
	"slices"
	"testing"

	"p9mail/testenv"
	"p9mail/upasfs"
)

// p9pDigest serves a message as plan9port's upas/fs does where the
// emulator differs (docs/upasfs.md): a multipart/digest part without a
// Content-Type is typed text/plain and has no sub-parts; the rest is
// the emulator's.
type p9pDigest struct {
	Source
	untyped [][]int // the digest parts without a Content-Type
}

func (s p9pDigest) isUntyped(part []int) bool {
	return slices.ContainsFunc(s.untyped, func(p []int) bool { return slices.Equal(p, part) })
}

func (s p9pDigest) ReadFile(part []int, file string) ([]byte, error) {
	if file == upasfs.FileType && s.isUntyped(part) {
		return []byte("text/plain"), nil
	}
	return s.Source.ReadFile(part, file)
}

func (s p9pDigest) Open(part []int, file string) (io.ReadCloser, error) {
	if len(part) > 0 && s.isUntyped(part[:len(part)-1]) {
		return nil, io.ErrUnexpectedEOF // no such file: it has no parts
	}
	return s.Source.Open(part, file)
}

func (s p9pDigest) Parts(part []int) ([]int, error) {
	if s.isUntyped(part) {
		return nil, nil
	}
	return s.Source.Parts(part)
}

// TestDigestAsP9P: where upasfs serves a digest's untyped part as a
// text/plain leaf, BODYSTRUCTURE says TEXT/PLAIN of BODY[1]'s size and
// lines (it used to say MESSAGE/RFC822 with a NIL envelope and an empty
// TEXT/PLAIN inside, while BODY[1] held the part), and the sections
// that need a message are empty, as for any leaf.
func TestDigestAsP9P(t *testing.T) {
	c, nums := openBox(t, testenv.Fixture("digest"))
	src := p9pDigest{Source: UpasfsSource(c, "mbox", nums[0]), untyped: [][]int{{1}}}
	s, err := Load(src)
	if err != nil {
		t.Fatal(err)
	}
	// Part 1 as stored: "Subject ... Its second line.\n" after the empty
	// MIME header, less the line break before the next delimiter.
	body := "From: Alice <alice@example.com>\r\nTo: list@example.org\r\nSubject: First message, no Content-Type\r\n" +
		"Date: Sun, 12 Jan 2025 10:00:00 +0000\r\nMessage-ID: <d1@example.com>\r\n\r\n" +
		"Body of the first message.\r\nIts second line.\r\n"
	b := s.BodyStructure(false)
	p1 := b.Parts[0]
	if p1.Type != "TEXT" || p1.Subtype != "PLAIN" || p1.Envelope != nil || len(p1.Parts) != 0 ||
		p1.Size != int64(len(body)) || p1.Lines != 8 {
		t.Errorf("part 1: %s, want a TEXT/PLAIN leaf of %d octets, 8 lines", p1.Append(nil), len(body))
	}
	for _, c := range []struct {
		sec  Section
		want string
	}{
		{Section{Part: []int{1}}, body},
		{Section{Part: []int{1}, Specifier: "MIME"}, "\r\n"},
		{Section{Part: []int{1}, Specifier: "HEADER"}, ""},
		{Section{Part: []int{1}, Specifier: "TEXT"}, ""},
		{Section{Part: []int{1, 1}}, ""},
	} {
		if got := sectionString(t, s, src, c.sec); got != c.want {
			t.Errorf("BODY[%v %s]: %q, want %q", c.sec.Part, c.sec.Specifier, got, c.want)
		}
	}
	// The part typed message/rfc822 stays a message.
	if p2 := b.Parts[1]; !p2.IsMessage() || p2.Envelope.Subject == nil || *p2.Envelope.Subject != "Second message, typed message/rfc822" {
		t.Errorf("part 2: %s", p2.Append(nil))
	}
}

func sectionString(t *testing.T, s *Structure, src Source, sec Section) string {
	t.Helper()
	n, open, err := s.Section(src, sec, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil || int64(len(b)) != n {
		t.Fatalf("section %v: %d bytes of %d, %v", sec, len(b), n, err)
	}
	return string(b)
}
