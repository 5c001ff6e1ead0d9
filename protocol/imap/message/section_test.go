package message

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"p9mail/testenv"
)

var fixtures = []string{"p9p", "all", "NestedRFC822", "Attachment"}

// TestWholeMessage: BODY[] is the stored message with LF made CRLF
// (decision 5) and RFC822.SIZE is its length, for every fixture message.
func TestWholeMessage(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			mbox := testenv.Fixture(name)
			raws := splitMbox(mbox)
			srcs, ss := loadAll(t, mbox)
			if len(ss) != len(raws) {
				t.Fatalf("%d messages served, %d in the mbox", len(ss), len(raws))
			}
			for i, s := range ss {
				want := literal(raws[i])
				got := fetch(t, s, srcs[i], Section{}, nil)
				if !bytes.Equal(got, want) {
					t.Errorf("message %d: BODY[] differs from the mbox:\n got %q\nwant %q", i+1, got, want)
				}
				if s.Size() != int64(len(want)) {
					t.Errorf("message %d: RFC822.SIZE %d, want %d", i+1, s.Size(), len(want))
				}
			}
		})
	}
}

// partNumbers lists every IMAP part number of a body tree (RFC 3501
// §6.4.5) with the body it names.
func partNumbers(b *Body, prefix []int, out map[string]*Body) {
	kids := b.Parts
	if b.IsMessage() {
		inner := b.Parts[0]
		if inner.IsMultipart() {
			kids = inner.Parts
		} else {
			kids = []*Body{inner}
		}
	} else if !b.IsMultipart() {
		return
	}
	for i, k := range kids {
		p := append(append([]int(nil), prefix...), i+1)
		out[dotted(p)] = k
		partNumbers(k, p, out)
	}
}

func dotted(p []int) string {
	s := make([]string, len(p))
	for i, k := range p {
		s[i] = fmt.Sprint(k)
	}
	return strings.Join(s, ".")
}

func undot(s string) []int {
	var p []int
	for _, f := range strings.Split(s, ".") {
		var k int
		fmt.Sscan(f, &k)
		p = append(p, k)
	}
	return p
}

// TestEverySection fetches every section of every part of every fixture
// message, whole and in partial ranges, and checks that the sizes equal
// the bytes streamed (fetch does), that sizes agree with BODYSTRUCTURE,
// and that the pieces fit together.
func TestEverySection(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			srcs, ss := loadAll(t, testenv.Fixture(name))
			for i, s := range ss {
				checkMessage(t, s, srcs[i], fmt.Sprintf("message %d", i+1))
			}
		})
	}
}

// checkMessage checks the sections of one message.
func checkMessage(t *testing.T, s *Structure, src Source, what string) {
	t.Helper()
	whole := fetch(t, s, src, Section{}, nil)
	checkMsgSections(t, s, src, nil, whole, what)
	parts := map[string]*Body{}
	bs := s.BodyStructure(true)
	if bs.IsMultipart() {
		partNumbers(bs, nil, parts)
	} else {
		parts["1"] = bs
		partNumbers(bs, []int{1}, parts)
	}
	for num, b := range parts {
		p := undot(num)
		body := fetch(t, s, src, Section{Part: p}, nil)
		if !b.IsMultipart() && int64(len(body)) != b.Size {
			t.Errorf("%s part %s: BODYSTRUCTURE size %d, BODY[%s] has %d bytes", what, num, b.Size, num, len(body))
		}
		if (b.Type == "TEXT" || b.IsMessage()) && int64(bytes.Count(body, []byte("\n"))) != b.Lines {
			t.Errorf("%s part %s: %d lines, BODY[%s] has %d", what, num, b.Lines, num, bytes.Count(body, []byte("\n")))
		}
		if !bytes.Contains(whole, body) {
			t.Errorf("%s part %s: BODY[%s] is not inside BODY[]", what, num, num)
		}
		mimeHdr := fetch(t, s, src, Section{Part: p, Specifier: "MIME"}, nil)
		if !bytes.HasSuffix(mimeHdr, []byte("\r\n")) || bytes.Contains(mimeHdr, []byte("\r\n\r\n")) && !bytes.HasSuffix(mimeHdr, []byte("\r\n\r\n")) {
			t.Errorf("%s part %s: MIME header %q is not a header block", what, num, mimeHdr)
		}
		checkPartials(t, s, src, Section{Part: p}, body)
		if b.IsMessage() {
			if !bytes.Equal(body, fetch(t, s, src, Section{Part: p}, nil)) {
				t.Errorf("%s part %s: refetch differs", what, num)
			}
			checkMsgSections(t, s, src, p, body, fmt.Sprintf("%s part %s", what, num))
		} else if got := fetch(t, s, src, Section{Part: p, Specifier: "TEXT"}, nil); len(got) != 0 {
			t.Errorf("%s part %s: TEXT of a part that is no message is %q, want empty", what, num, got)
		}
	}
}

// checkMsgSections checks HEADER, TEXT and HEADER.FIELDS of the message
// at part p (nil: the message itself) against its whole bytes.
func checkMsgSections(t *testing.T, s *Structure, src Source, p []int, whole []byte, what string) {
	t.Helper()
	hdr := fetch(t, s, src, Section{Part: p, Specifier: "HEADER"}, nil)
	text := fetch(t, s, src, Section{Part: p, Specifier: "TEXT"}, nil)
	if !bytes.Equal(append(append([]byte(nil), hdr...), text...), whole) {
		t.Errorf("%s: HEADER + TEXT != the whole message:\nheader %q\ntext %q\nwhole %q", what, hdr, text, whole)
	}
	if !bytes.HasSuffix(hdr, []byte("\r\n\r\n")) && !bytes.Equal(hdr, []byte("\r\n")) {
		t.Errorf("%s: HEADER %q does not end with an empty line", what, hdr)
	}
	fields := fetch(t, s, src, Section{Part: p, Specifier: "header.fields", Fields: []string{"from", "SUBJECT", "content-type"}}, nil)
	not := fetch(t, s, src, Section{Part: p, Specifier: "HEADER.FIELDS.NOT", Fields: []string{"From", "Subject", "Content-Type"}}, nil)
	if len(fields)+len(not) != len(hdr)+2 {
		t.Errorf("%s: HEADER.FIELDS (%d) and .NOT (%d) do not split HEADER (%d)", what, len(fields), len(not), len(hdr))
	}
	for _, l := range bytes.SplitAfter(fields, []byte("\r\n")) {
		if !bytes.Contains(hdr, l) {
			t.Errorf("%s: HEADER.FIELDS line %q not in HEADER", what, l)
		}
	}
	checkPartials(t, s, src, Section{Part: p}, whole)
	checkPartials(t, s, src, Section{Part: p, Specifier: "TEXT"}, text)
	checkPartials(t, s, src, Section{Part: p, Specifier: "HEADER"}, hdr)
}

// checkPartials checks partial fetches of sec against its whole bytes.
func checkPartials(t *testing.T, s *Structure, src Source, sec Section, whole []byte) {
	t.Helper()
	n := int64(len(whole))
	for _, p := range []Partial{{0, 0}, {0, 1}, {0, n}, {0, n + 10}, {1, 3}, {n / 2, 7}, {n - 1, 5}, {n, 1}, {n + 5, 10}, {3, 1 << 40}} {
		got := fetch(t, s, src, sec, &p)
		start := min(p.Start, n)
		want := whole[start:min(start+p.Count, n)]
		if !bytes.Equal(got, want) {
			t.Errorf("%+v<%d.%d>: got %q, want %q", sec, p.Start, p.Count, got, want)
		}
	}
}
