package message

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"

	"p9mail/testenv"
)

// fixtures are the mailboxes every message of which is checked:
// testenv fixtures and testdata/edge.mbox.
var fixtures = []string{"p9p", "all", "NestedRFC822", "Attachment", "edge"}

// TestWholeMessage: BODY[] is the stored message with LF made CRLF
// (decision 5) and RFC822.SIZE is its length, for every fixture message.
func TestWholeMessage(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			mbox := mailbox(t, name)
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
			srcs, ss := loadAll(t, mailbox(t, name))
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
		if (b.Type == "TEXT" || b.IsMessage()) && lineCount(body) != b.Lines {
			t.Errorf("%s part %s: %d lines, BODY[%s] has %d", what, num, b.Lines, num, lineCount(body))
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
	// HEADER always ends its last line and an empty line (RFC 3501
	// §6.4.5); when the stored header does not, HEADER has up to four
	// bytes of CRLF more.
	stored := whole[:len(whole)-len(text)]
	extra, isPrefix := bytes.CutPrefix(hdr, stored)
	// (Then TEXT cannot start with the empty line.)
	if !bytes.HasSuffix(whole, text) || !isPrefix || len(bytes.ReplaceAll(extra, []byte("\r\n"), nil)) > 0 ||
		len(extra) > 4 || len(extra) > 0 && bytes.HasPrefix(text, []byte("\r\n")) {
		t.Errorf("%s: HEADER + TEXT != the whole message:\nheader %q\ntext %q\nwhole %q", what, hdr, text, whole)
	}
	if !bytes.HasSuffix(hdr, []byte("\r\n\r\n")) && !bytes.Equal(hdr, []byte("\r\n")) {
		t.Errorf("%s: HEADER %q does not end with an empty line", what, hdr)
	}
	fields := fetch(t, s, src, Section{Part: p, Specifier: "header.fields", Fields: []string{"from", "SUBJECT", "content-type"}}, nil)
	not := fetch(t, s, src, Section{Part: p, Specifier: "HEADER.FIELDS.NOT", Fields: []string{"From", "Subject", "Content-Type"}}, nil)
	if len(fields)+len(not) != len(hdr)+2 {
		// Together they hold every field and two empty lines.
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
		start := max(min(p.Start, n), 0)
		want := whole[start:min(start+p.Count, n)]
		if !bytes.Equal(got, want) {
			t.Errorf("%+v<%d.%d>: got %q, want %q", sec, p.Start, p.Count, got, want)
		}
	}
}

// TestConcurrentSections: one Structure serves many sessions at once,
// including sections whose size is measured on first use (BODY[1] of a
// multipart part); all see the same bytes (run with -race).
func TestConcurrentSections(t *testing.T) {
	srcs, ss := loadAll(t, testenv.Fixture("p9p"))
	s, src := ss[3], srcs[3]
	secs := []Section{{Part: []int{1}}, {Part: []int{2, 1}}, {Specifier: "TEXT"}, {Part: []int{1, 2}, Specifier: "MIME"}}
	const n = 8
	got := make([][][]byte, n)
	var wg sync.WaitGroup
	for g := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, sec := range secs {
				b, err := readSection(s, src, sec, nil)
				if err != nil {
					t.Error(err)
				}
				got[g] = append(got[g], b)
			}
		}()
	}
	wg.Wait()
	for i, sec := range secs {
		want := fetch(t, s, src, sec, nil)
		for g := range n {
			if i >= len(got[g]) || !bytes.Equal(got[g][i], want) {
				t.Errorf("goroutine %d, section %+v: differs from a later fetch", g, sec)
			}
		}
	}
}

// lineCount counts lines as BODYSTRUCTURE does: a last line without
// its line break (it went to the boundary, RFC 2046) counts too.
func lineCount(b []byte) int64 {
	n := int64(bytes.Count(b, []byte("\n")))
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return n
}
