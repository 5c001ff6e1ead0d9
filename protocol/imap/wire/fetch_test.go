package wire_test

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"p9mail/protocol/imap/wire"
)

// renderItems shows each item's fields, then its request form.
func renderItems(items []wire.FetchItem) string {
	var parts []string
	for _, it := range items {
		s := string(it.Att)
		if it.Att == wire.FetchBodySection || it.Att == wire.FetchBinary || it.Att == wire.FetchBinarySize {
			s = fmt.Sprintf("%s%v%s%q", map[bool]string{true: "PEEK"}[it.Peek],
				it.Section.Part, it.Section.Specifier, it.Section.Fields)
			if it.Partial != nil {
				s += fmt.Sprintf("<%d.%d>", it.Partial.Start, it.Partial.Count)
			}
			s += "=" + it.String()
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestFetchAtts(t *testing.T) {
	runParse(t, []parseCase{
		// RFC 3501 §6.4.5 example.
		{"(FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n",
			`FLAGS []HEADER.FIELDS["DATE" "FROM"]=BODY[HEADER.FIELDS (DATE FROM)]`},
		{"all\r\n", "FLAGS INTERNALDATE RFC822.SIZE ENVELOPE"},
		{"FAST\r\n", "FLAGS INTERNALDATE RFC822.SIZE"},
		{"Full\r\n", "FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY"},
		{"flags\r\n", "FLAGS"},
		{"(uid rfc822 rfc822.header rfc822.size rfc822.text body bodystructure envelope internaldate)\r\n",
			"UID RFC822 RFC822.HEADER RFC822.SIZE RFC822.TEXT BODY BODYSTRUCTURE ENVELOPE INTERNALDATE"},
		{"body[]\r\n", `[][]=BODY[]`},
		{"BODY.PEEK[]<0.2048>\r\n", `PEEK[][]<0.2048>=BODY.PEEK[]<0.2048>`},
		{"body[1.2.3]\r\n", `[1 2 3][]=BODY[1.2.3]`},
		{"body[2.mime]\r\n", `[2]MIME[]=BODY[2.MIME]`},
		{"body.peek[1.text]<10.5>\r\n", `PEEK[1]TEXT[]<10.5>=BODY.PEEK[1.TEXT]<10.5>`},
		{"BODY[header]\r\n", `[]HEADER[]=BODY[HEADER]`},
		{"BODY[4.HEADER.FIELDS.NOT (\"X y\" {2}\r\nab)]\r\n",
			`[4]HEADER.FIELDS.NOT["X y" "ab"]=BODY[4.HEADER.FIELDS.NOT ("X y" ab)]`},
		{"(UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (From To Subject Date)])\r\n",
			`UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE PEEK[]HEADER.FIELDS["From" "To" "Subject" "Date"]=BODY.PEEK[HEADER.FIELDS (From To Subject Date)]`},
		// RFC 3516 §4.2.
		{"binary[1.2]\r\n", `[1 2][]=BINARY[1.2]`},
		{"(BINARY.PEEK[]<0.10> binary.size[3])\r\n", `PEEK[][]<0.10>=BINARY.PEEK[]<0.10> [3][]=BINARY.SIZE[3]`},
		{"BINARY[1.TEXT]\r\n", `error: BINARY takes only part numbers`},
		{"BINARY\r\n", `error: expected "[" after BINARY`},
		{"BINARY.SIZE[1]<0.1>\r\n", `error: expected end of line`},
		{"BINARY[0]\r\n", `error: illegal part number in fetch section "0"`},
		{"BINARY[1\r\n", `error: expected "]" to end section`},
		{"(ALL)\r\n", `error: illegal fetch attribute "ALL"`},
		{"()\r\n", "error: expected fetch attribute"},
		{"(FLAGS\r\n", "error: expected SP"},
		{"BODY.PEEK\r\n", `error: illegal fetch attribute "BODY.PEEK"`},
		{"RFC822.HEADER.LINES\r\n", `error: illegal fetch attribute "RFC822.HEADER.LINES"`},
		{"BODY[MIME]\r\n", "error: MIME section needs a part number"},
		{"BODY[0]\r\n", `error: illegal part number in fetch section "0"`},
		{"BODY[1.]\r\n", `error: illegal fetch section "1."`},
		{"BODY[1.FOO]\r\n", `error: illegal fetch section text "FOO"`},
		{"BODY[HEADER.FIELDS]\r\n", "error: expected SP"},
		{"BODY[HEADER.FIELDS ()]\r\n", "error: expected string"},
		{"BODY[TEXT]<1>\r\n", `error: expected "." in partial`},
		{"BODY[TEXT]<1.0>\r\n", "error: expected non-zero number"},
		{"BODY[TEXT\r\n", `error: expected "]" to end section`},
	}, func(d *wire.Decoder) (string, bool) {
		var items []wire.FetchItem
		ok := d.ExpectFetchAtts(&items)
		return renderItems(items), ok
	})
}

func TestFetchName(t *testing.T) {
	for _, c := range []struct {
		it   wire.FetchItem
		want string
	}{
		{wire.FetchItem{Att: wire.FetchRFC822Size}, "RFC822.SIZE"},
		{wire.FetchItem{Att: wire.FetchBodySection, Peek: true}, "BODY[]"},
		{wire.FetchItem{Att: wire.FetchBodySection, Partial: &wire.Partial{Start: 5, Count: 9}}, "BODY[]<5>"},
		{wire.FetchItem{Att: wire.FetchBodySection, Section: wire.Section{Part: []uint32{1},
			Specifier: wire.SpecHeaderFields, Fields: []string{"SUBJECT", "x(y", "Ü"}}},
			"BODY[1.HEADER.FIELDS (SUBJECT \"x(y\" {2}\r\nÜ)]"},
	} {
		if got := encode(func(e *wire.Encoder) { e.FetchName(c.it) }); got != c.want {
			t.Errorf("FetchName(%+v) = %q, want %q", c.it, got, c.want)
		}
	}
}

func TestStore(t *testing.T) {
	runParse(t, []parseCase{
		// RFC 3501 §6.4.6 example.
		{"+FLAGS (\\Deleted)\r\n", `+FLAGS (\Deleted)`},
		{"flags.silent ()\r\n", `FLAGS.SILENT ()`},
		{"-Flags \\seen \\DRAFT $Junk\r\n", `-FLAGS (\Seen \Draft $Junk)`},
		{"+FLAGS.SILENT (\\Answered \\Flagged)\r\n", `+FLAGS.SILENT (\Answered \Flagged)`},
		{"FLAGS\r\n", "error: expected SP"},
		{"FLAGS \r\n", "error: expected flag"},
		{"FLAGS \\Seen \r\n", "error: expected flag"},
		{"*FLAGS (\\Seen)\r\n", `error: expected store attribute`},
		{"+FLAG (\\Seen)\r\n", `error: illegal store attribute "+FLAG"`},
	}, func(d *wire.Decoder) (string, bool) {
		var s wire.Store
		ok := d.ExpectStore(&s)
		return s.String(), ok
	})
}

// TestMultiAppendArgs reads APPEND with several messages (RFC 3502).
func TestMultiAppendArgs(t *testing.T) {
	for _, c := range []parseCase{
		{"x {1}\r\na\r\n", `x "a"`},
		{"x {1}\r\na (\\Seen) {2}\r\nbc {1+}\r\nd\r\n", `x "a" [\Seen] "bc" [] "d"`},
		{"x {1}\r\na \"17-Jul-1996 02:44:25 -0700\" ~{1}\r\n\x00\r\n", `x "a" [] "\x00"`},
		{"x {1}\r\na \r\n", "error: expected literal"},
		{"x {1}\r\nax\r\n", "error: expected end of line"},
	} {
		d, _ := newDecoder(c.in, wire.Options{LiteralPlus: true})
		got, ok := parseMultiAppend(d)
		if !ok {
			got = "error: " + fmt.Sprint(d.Err())
		}
		if got != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

// parseMultiAppend reads APPEND's messages, rendering their flags and data.
func parseMultiAppend(d *wire.Decoder) (string, bool) {
	var a wire.Append
	var r io.Reader
	if !d.ExpectAppend(&a) || !d.ExpectLiteralData(&r) {
		return "", false
	}
	data, _ := io.ReadAll(r)
	out := fmt.Sprintf("%s %q", a.Mailbox, data)
	for {
		more := false
		if !d.ExpectAppendNext(&a, &more) {
			return out, false
		}
		if !more {
			return out, true
		}
		if !d.ExpectLiteralData(&r) {
			return out, false
		}
		data, _ := io.ReadAll(r)
		out += fmt.Sprintf(" %v %q", a.Flags, data)
	}
}

func TestStatusItems(t *testing.T) {
	runParse(t, []parseCase{
		// RFC 3501 §6.3.10 example.
		{"(UIDNEXT MESSAGES)\r\n", "[UIDNEXT MESSAGES]"},
		{"(messages recent uidnext uidvalidity unseen)\r\n", "[MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN]"},
		{"()\r\n", "error: expected status item"},
		{"(SIZE appendlimit)\r\n", "[SIZE APPENDLIMIT]"}, // RFC 8438, RFC 7889
		{"(HEFT)\r\n", `error: illegal status item "HEFT"`},
		{"MESSAGES\r\n", `error: expected "(" to start status items`},
	}, func(d *wire.Decoder) (string, bool) {
		var items []wire.StatusItem
		ok := d.ExpectStatusItems(&items)
		return fmt.Sprint(items), ok
	})
}

func TestAppendArgs(t *testing.T) {
	runParse(t, []parseCase{
		{"saved-messages (\\Seen) {3}\r\nabc\r\n", `saved-messages [\Seen] 0001-01-01T00:00:00Z {3 false false} "abc"`},
		{"inbox \"17-Jul-1996 02:44:25 -0700\" {0+}\r\n\r\n", `INBOX [] 1996-07-17T02:44:25-07:00 {0 true false} ""`},
		{"x () {1}\r\n\x00\r\n", `x [] 0001-01-01T00:00:00Z {1 false false} "\x00"`},
		{"x {1}\r\n.\r\n", `x [] 0001-01-01T00:00:00Z {1 false false} "."`},
		// RFC 3516 §4.4 literal8.
		{"x ~{2}\r\n\x00a\r\n", `x [] 0001-01-01T00:00:00Z {2 false true} "\x00a"`},
		{"x ~{1+}\r\n\x00\r\n", `x [] 0001-01-01T00:00:00Z {1 true true} "\x00"`},
		{"x ~1\r\n", "error: expected literal"},
		{"x\r\n", "error: expected SP"},
		{"x (\\Seen)\r\n", "error: expected SP"},
		{"x \"bad\" {1}\r\n", "error: invalid date"},
		{"x 12\r\n", "error: expected literal"},
	}, func(d *wire.Decoder) (string, bool) {
		var a wire.Append
		var r io.Reader
		ok := d.ExpectAppend(&a) && d.ExpectLiteralData(&r)
		var data []byte
		if ok {
			data, _ = io.ReadAll(r)
		}
		return fmt.Sprintf("%s %v %s %v %q", a.Mailbox, a.Flags, a.Date.Format("2006-01-02T15:04:05Z07:00"), a.Literal, data), ok
	})
}
