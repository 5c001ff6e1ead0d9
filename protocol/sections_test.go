//go:build unix

package protocol_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net/textproto"
	"os"
	"slices"
	"strings"
	"testing"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"p9mail/testenv"
)

// sectionFixtures are the mailboxes whose every part TestSectionsAgree
// and TestSectionsAgreeOnP9P look at: every testenv fixture (the
// "digest" one holds multipart/digest parts with and without a type)
// and the MIME parser's edge cases.
func sectionFixtures(t *testing.T) map[string][]byte {
	t.Helper()
	boxes := map[string][]byte{}
	for _, name := range testenv.FixtureNames() {
		boxes[name] = testenv.Fixture(name)
	}
	extra, err := os.ReadFile("../upasfs/mime/testdata/extra.mbox")
	if err != nil {
		t.Fatal(err)
	}
	boxes["mime-extra"] = extra
	// Deep nesting: the walks of BODY[1.1.1...] go past 16 names, which
	// take several Twalks (ninep), on plan9port's upas/fs too.
	boxes["nested"] = append(testenv.NestedMessage(40, false), testenv.NestedMessage(24, true)...)
	return boxes
}

// TestSectionsAgree: for every part of every message of the fixtures,
// served by the emulator, what BODYSTRUCTURE says is what the BODY
// sections return (RFC 3501 §6.4.5, §7.4.2); see checkSectionsAgree.
func TestSectionsAgree(t *testing.T) {
	for name, data := range sectionFixtures(t) {
		t.Run(name, func(t *testing.T) {
			root := testenv.MailRoot(t, "glenda")
			testenv.WriteFixture(t, root, "glenda", "mbox", data)
			imapAddr, _ := mailServers(t, root, false)
			n := checkSectionsAgree(t, imapAddr, "glenda", "s3cret", len(testenv.Raws(data)))
			t.Logf("%d parts", n)
		})
	}
}

// checkSectionsAgree logs in to the IMAP server at addr, EXAMINEs INBOX,
// which must hold want messages, and checks part by part that each
// message's BODYSTRUCTURE describes what its BODY sections return:
//
//   - BODY[] is BODY[HEADER] then BODY[TEXT] (see joins), RFC822.SIZE
//     octets;
//   - a message's body (BODY[TEXT], or BODY[n.TEXT] of a message/rfc822
//     part n) is, when it is not a multipart, its part 1 (BODY[1],
//     BODY[n.1]);
//   - a multipart's body splits at its boundary's delimiters (RFC 2046
//     §5.1.1, the CRLF before a delimiter being the delimiter's) into as
//     many parts as it has, part k being BODY[k.MIME] then BODY[k];
//   - a part's BODY[k] is body-fld-octets long and, for text/* and
//     message/rfc822, holds body-fld-lines lines;
//   - a message/rfc822 part's BODY[k] is BODY[k.HEADER] then
//     BODY[k.TEXT] (joins), its envelope has a subject and date only where that
//     header has the field, and its body is checked as a message's.
//
// It returns the number of parts checked.
func checkSectionsAgree(t *testing.T, addr, login, password string, want int) int {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(login, password).Wait(); err != nil {
		t.Fatal(err)
	}
	sel, err := c.Select("INBOX", &goimap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil || int(sel.NumMessages) != want {
		t.Fatalf("EXAMINE INBOX: %v, %v; want %d messages", sel, err, want)
	}
	var all goimap.SeqSet
	all.AddRange(1, 0)
	msgs, err := c.Fetch(all, &goimap.FetchOptions{
		RFC822Size:    true,
		BodyStructure: &goimap.FetchItemBodyStructure{Extended: true},
	}).Collect()
	if err != nil || len(msgs) != want {
		t.Fatalf("FETCH 1:* (RFC822.SIZE BODYSTRUCTURE): %d messages, %v", len(msgs), err)
	}
	parts := 0
	for _, m := range msgs {
		ck := &sectionCheck{t: t, c: c, seq: m.SeqNum, cache: map[string][]byte{}}
		whole := ck.section(goimap.PartSpecifierNone)
		hdr, text := ck.section(goimap.PartSpecifierHeader), ck.section(goimap.PartSpecifierText)
		if !joins(whole, hdr, text) {
			ck.errorf("BODY[] (%d octets) is not BODY[HEADER] (%d) then BODY[TEXT] (%d)", len(whole), len(hdr), len(text))
		}
		if int64(len(whole)) != m.RFC822Size {
			ck.errorf("BODY[] has %d octets, RFC822.SIZE says %d", len(whole), m.RFC822Size)
		}
		ck.messageBody(m.BodyStructure, nil, text)
		parts += ck.parts
	}
	if err := c.Logout().Wait(); err != nil {
		t.Fatal(err)
	}
	return parts
}

// sectionCheck checks one message; see checkSectionsAgree.
type sectionCheck struct {
	t     *testing.T
	c     *imapclient.Client
	seq   uint32
	cache map[string][]byte
	parts int
}

func (ck *sectionCheck) errorf(format string, args ...any) {
	ck.t.Helper()
	ck.t.Errorf("message %d: %s", ck.seq, fmt.Sprintf(format, args...))
}

// section FETCHes BODY.PEEK[part.spec] of the message.
func (ck *sectionCheck) section(spec goimap.PartSpecifier, part ...int) []byte {
	ck.t.Helper()
	name := sectionName(part, spec)
	if b, ok := ck.cache[name]; ok {
		return b
	}
	item := &goimap.FetchItemBodySection{Specifier: spec, Part: part, Peek: true}
	var set goimap.SeqSet
	set.AddNum(ck.seq)
	msgs, err := ck.c.Fetch(set, &goimap.FetchOptions{BodySection: []*goimap.FetchItemBodySection{item}}).Collect()
	if err != nil || len(msgs) != 1 {
		ck.t.Fatalf("message %d: FETCH BODY.PEEK[%s]: %d messages, %v", ck.seq, name, len(msgs), err)
	}
	b := msgs[0].FindBodySection(item)
	ck.cache[name] = b
	return b
}

// sectionName is the section's name as FETCH writes it: "1.2.MIME".
func sectionName(part []int, spec goimap.PartSpecifier) string {
	var s []string
	for _, k := range part {
		s = append(s, fmt.Sprint(k))
	}
	if spec != goimap.PartSpecifierNone {
		s = append(s, string(spec))
	}
	return strings.Join(s, ".")
}

// messageBody checks bs, the body of the message at num (nil: the
// message itself; else a message/rfc822 part), whose body text is text.
func (ck *sectionCheck) messageBody(bs goimap.BodyStructure, num []int, text []byte) {
	ck.t.Helper()
	if _, ok := bs.(*goimap.BodyStructureMultiPart); ok {
		ck.body(bs, num, text)
		return
	}
	one := append(slices.Clip(num), 1)
	got := ck.section(goimap.PartSpecifierNone, one...)
	if !bytes.Equal(got, text) {
		ck.errorf("BODY[%s] (%d octets) is not the body of its message (%d)", sectionName(one, ""), len(got), len(text))
	}
	ck.body(bs, one, got)
}

// body checks the part bs numbered num, whose BODY[num] is content
// (for a multipart that is the message itself or a message's body, the
// text of that message).
func (ck *sectionCheck) body(bs goimap.BodyStructure, num []int, content []byte) {
	ck.t.Helper()
	ck.parts++
	name := sectionName(num, "")
	switch bs := bs.(type) {
	case *goimap.BodyStructureMultiPart:
		var boundary string
		if bs.Extended != nil {
			boundary = bs.Extended.Params["boundary"]
		}
		if boundary == "" {
			ck.errorf("part %q %s: no boundary parameter", name, bs.MediaType())
			return
		}
		segs := splitMultipart(content, boundary)
		if len(segs) != len(bs.Children) {
			ck.errorf("part %q %s has %d parts, its body %d", name, bs.MediaType(), len(bs.Children), len(segs))
			return
		}
		for i, kid := range bs.Children {
			k := append(slices.Clip(num), i+1)
			mime, b := ck.section(goimap.PartSpecifierMIME, k...), ck.section(goimap.PartSpecifierNone, k...)
			if !bytes.Equal(append(slices.Clip(mime), b...), segs[i]) {
				ck.errorf("BODY[%s] (%d octets) then BODY[%s] (%d) are not part %d of %q (%d): %.80q",
					sectionName(k, goimap.PartSpecifierMIME), len(mime), sectionName(k, ""), len(b), i+1, name, len(segs[i]), segs[i])
			}
			ck.body(kid, k, b)
		}
	case *goimap.BodyStructureSinglePart:
		if int64(bs.Size) != int64(len(content)) {
			ck.errorf("part %q %s: body-fld-octets %d, BODY[%s] has %d", name, bs.MediaType(), bs.Size, name, len(content))
		}
		if bs.Text != nil && bs.Text.NumLines != countLines(content) {
			ck.errorf("part %q %s: body-fld-lines %d, BODY[%s] has %d lines", name, bs.MediaType(), bs.Text.NumLines, name, countLines(content))
		}
		if m := bs.MessageRFC822; m != nil {
			hdr, text := ck.section(goimap.PartSpecifierHeader, num...), ck.section(goimap.PartSpecifierText, num...)
			// RFC 2046 §5.2.1 allows message/rfc822 no encoding but
			// 7bit, 8bit and binary. Of one in base64 (mime-extra
			// message 4) upasfs parses the decoded message, so its
			// HEADER and TEXT are the decoded message's while BODY[n]
			// is the part's content as encoded (RFC 3501 §6.4.5).
			encoded := !slices.Contains([]string{"7bit", "8bit", "binary"}, strings.ToLower(bs.Encoding))
			if !encoded && !joins(content, hdr, text) {
				ck.errorf("part %q message/rfc822: BODY[%s] (%d octets) is not BODY[%s.HEADER] (%d) then BODY[%s.TEXT] (%d)",
					name, name, len(content), name, len(hdr), name, len(text))
			}
			if !encoded && m.NumLines != countLines(content) {
				ck.errorf("part %q message/rfc822: body-fld-lines %d, BODY[%s] has %d lines", name, m.NumLines, name, countLines(content))
			}
			ck.envelope(name, m.Envelope, hdr)
			if m.BodyStructure == nil {
				ck.errorf("part %q message/rfc822 has no body structure", name)
				return
			}
			ck.messageBody(m.BodyStructure, num, text)
		}
	default:
		ck.errorf("part %q: body structure %T", name, bs)
	}
}

// envelope checks that a message/rfc822 part's envelope has a subject
// and a date only where its header (BODY[n.HEADER]) has the field.
func (ck *sectionCheck) envelope(name string, env *goimap.Envelope, hdr []byte) {
	ck.t.Helper()
	h, err := textproto.NewReader(bufioReader(hdr)).ReadMIMEHeader()
	if err != nil && len(hdr) > 0 {
		h = textproto.MIMEHeader{} // not a header: nothing in it
	}
	if env == nil {
		ck.errorf("part %q message/rfc822 has no envelope", name)
		return
	}
	if (env.Subject != "") != (h.Get("Subject") != "") {
		ck.errorf("part %q: envelope subject %q, BODY[%s.HEADER] %q", name, env.Subject, name, hdr)
	}
	if env.Date.IsZero() != (h.Get("Date") == "") {
		ck.errorf("part %q: envelope date %v, BODY[%s.HEADER] %q", name, env.Date, name, hdr)
	}
}

// joins reports whether a message's BODY[] (or BODY[n] of a
// message/rfc822 part n) is its HEADER then its TEXT. RFC 3501 §6.4.5:
// "the blank line is always included in header fetches", so HEADER may
// end with an empty line (and the line break of its last field) that
// the stored message lacks, where a line that is not a field ends the
// header or nothing follows it.
func joins(whole, hdr, text []byte) bool {
	for _, extra := range []string{"", "\r\n", "\r\n\r\n"} {
		h, ok := bytes.CutSuffix(hdr, []byte(extra))
		if ok && bytes.Equal(whole, append(slices.Clip(h), text...)) {
			return true
		}
	}
	return false
}

// countLines counts body-fld-lines: the lines of b, a last one without
// a line break included.
func countLines(b []byte) int64 {
	n := int64(bytes.Count(b, []byte("\n")))
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return n
}

// splitMultipart splits a multipart body (CRLF form) at the delimiter
// lines of boundary as upasfs does (spec §1.4 "MIME structure", as 4e
// compares them): a line that begins with "--" and the boundary, the
// CRLF before it belonging to it (RFC 2046 §5.1.1), so that the first
// may open the body; "--" after the boundary closes the body. Each
// part is what lies between one delimiter line's CRLF and the CRLF
// before the next. Without a close delimiter the last part runs to the
// end.
func splitMultipart(body []byte, boundary string) [][]byte {
	b := append([]byte("\r\n"), body...)
	delim := []byte("\r\n--" + boundary)
	var parts [][]byte
	start := -1
	for off := 0; ; {
		i := bytes.Index(b[off:], delim)
		if i < 0 {
			break
		}
		i += off
		if start >= 0 {
			parts = append(parts, b[start:max(start, i)])
		}
		rest := b[i+len(delim):]
		eol := bytes.Index(rest, []byte("\r\n"))
		if bytes.HasPrefix(rest, []byte("--")) || eol < 0 {
			return parts
		}
		start = i + len(delim) + eol + 2
		off = start - 2 // an empty part: the next delimiter's CRLF is this one's
	}
	if start >= 0 {
		parts = append(parts, b[start:])
	}
	return parts
}

func bufioReader(b []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(b)) }
