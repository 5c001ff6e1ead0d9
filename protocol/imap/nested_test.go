package imap_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	goimap "github.com/emersion/go-imap/v2"

	"p9mail/testenv"
)

// TestNestedMessage reads a message whose MIME parts nest 64 levels
// deep, and one nested past the emulator's limit (upasfs/mime maxDepth,
// 64), whole and in parts. Each part's files are deeper in the upasfs
// tree than one Twalk reaches (MAXWELEM, 16 names), which once failed
// ENVELOPE, BODY[] and BODY[HEADER] of the message and every SEARCH
// and FETCH of header fields in the mailbox. A plain message follows
// it, so that the whole mailbox is searched and fetched too.
func TestNestedMessage(t *testing.T) {
	plain := "From a@b.example Mon Jan  6 10:00:00 GMT 2025\nSubject: plain level\n\nplain body\n\n"
	for _, tc := range []struct {
		depth  int
		rfc822 bool
	}{
		{64, false},
		{64, true},
		{80, false}, // past the limit: the parts below 64 are one leaf
		{80, true},
	} {
		t.Run(fmt.Sprintf("depth=%d,rfc822=%v", tc.depth, tc.rfc822), func(t *testing.T) {
			data := append(testenv.NestedMessage(tc.depth, tc.rfc822), plain...)
			e := newInteropEnv(t, false, data)
			c := e.goimapLogin()
			if _, err := c.Select("INBOX", nil).Wait(); err != nil {
				t.Fatal(err)
			}
			leafAt := tc.depth // the section of the innermost text
			if tc.rfc822 {
				leafAt++
			}
			if tc.depth > 64 {
				leafAt = 64 // past the limit: the leaf that holds the rest
			}
			deep := make([]int, leafAt)
			for i := range deep {
				deep[i] = 1
			}
			whole := &goimap.FetchItemBodySection{Peek: true}
			header := &goimap.FetchItemBodySection{Peek: true, Specifier: goimap.PartSpecifierHeader}
			inner := &goimap.FetchItemBodySection{Peek: true, Part: deep}
			fields := &goimap.FetchItemBodySection{Peek: true, Specifier: goimap.PartSpecifierHeader, HeaderFields: []string{"Subject"}}
			msgs, err := c.Fetch(seqRange(1, 0), &goimap.FetchOptions{Envelope: true, BodyStructure: &goimap.FetchItemBodyStructure{Extended: true},
				RFC822Size: true, BodySection: []*goimap.FetchItemBodySection{whole, header, inner, fields}}).Collect()
			if err != nil {
				t.Fatalf("FETCH 1:*: %v", err)
			}
			if len(msgs) != 2 || len(e.want) != 2 {
				t.Fatalf("FETCH 1:* gave %d messages, want 2", len(msgs))
			}
			for i, m := range msgs {
				w := e.want[i].wire
				compareMessage(t, fmt.Sprintf("message %d BODY[]", i+1), m.FindBodySection(whole), w)
				hdr, _, _ := bytes.Cut(w, []byte("\r\n\r\n"))
				compareMessage(t, fmt.Sprintf("message %d BODY[HEADER]", i+1), m.FindBodySection(header), append(hdr, "\r\n\r\n"...))
				if m.RFC822Size != int64(len(w)) {
					t.Errorf("message %d: RFC822.SIZE %d, want %d", i+1, m.RFC822Size, len(w))
				}
				if m.Envelope == nil || m.BodyStructure == nil {
					t.Fatalf("message %d: no ENVELOPE or BODYSTRUCTURE", i+1)
				}
			}
			m := msgs[0]
			if want := fmt.Sprintf("nested %d", tc.depth); m.Envelope.Subject != want {
				t.Errorf("ENVELOPE subject %q, want %q", m.Envelope.Subject, want)
			}
			if got := string(m.FindBodySection(fields)); got != fmt.Sprintf("Subject: nested %d\r\n\r\n", tc.depth) {
				t.Errorf("BODY[HEADER.FIELDS (SUBJECT)] = %q", got)
			}
			if got, levels := structureDepth(m.BodyStructure); got != tc.depth && tc.depth <= 64 {
				t.Errorf("BODYSTRUCTURE nests %d levels (%v), want %d", got, levels, tc.depth)
			} else if tc.depth > 64 && got > 65 {
				// 65: a message/rfc822 leaf still has a body in its
				// structure (RFC 3501 §9 body-type-msg).
				t.Errorf("BODYSTRUCTURE nests %d levels, past the limit of 64", got)
			}
			if got := m.FindBodySection(inner); !bytes.Contains(got, []byte(strings.TrimSuffix(testenv.NestedLeaf, "\n"))) {
				t.Errorf("BODY[%s] = %q, want the innermost text", sectionName(deep), got)
			} else if tc.depth <= 64 && !bytes.HasPrefix(got, []byte(strings.TrimSuffix(testenv.NestedLeaf, "\n"))) {
				t.Errorf("BODY[%s] = %q, want only the innermost text", sectionName(deep), got)
			}
			for _, crit := range []*goimap.SearchCriteria{
				{Body: []string{"innermost part"}},
				{Text: []string{"innermost part"}},
				{Header: []goimap.SearchCriteriaHeaderField{{Key: "Subject", Value: "level"}}},
			} {
				data, err := c.Search(crit, nil).Wait()
				if err != nil {
					t.Fatalf("SEARCH %+v: %v", crit, err)
				}
				want := []uint32{1}
				if len(crit.Header) > 0 {
					want = []uint32{2} // the levels' Subjects are not the message's header
				}
				if got := data.AllSeqNums(); !slices.Equal(got, want) {
					t.Errorf("SEARCH %+v = %v, want %v", crit, got, want)
				}
			}
		})
	}
}

// structureDepth is how many levels a body structure nests below the
// message, and the types on the way down the first parts.
func structureDepth(bs goimap.BodyStructure) (int, []string) {
	var types []string
	n := 0
	for {
		types = append(types, bs.MediaType())
		switch b := bs.(type) {
		case *goimap.BodyStructureMultiPart:
			if len(b.Children) == 0 {
				return n, types
			}
			bs = b.Children[0]
		case *goimap.BodyStructureSinglePart:
			if b.MessageRFC822 == nil {
				return n, types
			}
			bs = b.MessageRFC822.BodyStructure
		default:
			return n, types
		}
		n++
	}
}

func sectionName(part []int) string {
	s := make([]string, len(part))
	for i, p := range part {
		s[i] = fmt.Sprint(p)
	}
	return strings.Join(s, ".")
}
