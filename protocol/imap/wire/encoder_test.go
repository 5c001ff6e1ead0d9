package wire_test

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"p9mail/protocol/imap/wire"
)

func TestEncoder(t *testing.T) {
	date := time.Date(1996, 7, 7, 2, 44, 25, 0, time.FixedZone("", -7*3600))
	subject := "Re: caf\u00e9"
	for _, c := range []struct {
		name string
		f    func(e *wire.Encoder)
		want string
	}{
		{"exists", func(e *wire.Encoder) { e.Atom("*").SP().Number(172).SP().Atom("EXISTS").CRLF() },
			"* 172 EXISTS\r\n"},
		{"number64", func(e *wire.Encoder) { e.Number64(1 << 40) }, "1099511627776"},
		{"quoted escapes", func(e *wire.Encoder) { e.Quoted(`a "b" \c`) }, `"a \"b\" \\c"`},
		{"quoted refuses CR", func(e *wire.Encoder) { e.Quoted("a\rb") },
			`error: imap wire: cannot quote "a\rb"`},
		{"string quoted", func(e *wire.Encoder) { e.String("hello world") }, `"hello world"`},
		{"string empty", func(e *wire.Encoder) { e.String("") }, `""`},
		{"string dquote", func(e *wire.Encoder) { e.String(`a"b`) }, "{3}\r\na\"b"},
		{"string backslash", func(e *wire.Encoder) { e.String(`a\b`) }, "{3}\r\na\\b"},
		{"string 8-bit", func(e *wire.Encoder) { e.String(subject) }, "{9}\r\nRe: café"},
		{"string CRLF", func(e *wire.Encoder) { e.String("a\r\nb") }, "{4}\r\na\r\nb"},
		{"string NUL", func(e *wire.Encoder) { e.String("a\x00b") }, "{3}\r\na\x80b"},
		{"string long", func(e *wire.Encoder) { e.String(strings.Repeat("x", 1025)) },
			"{1025}\r\n" + strings.Repeat("x", 1025)},
		{"astring", func(e *wire.Encoder) {
			e.AString("From").SP().AString("a b").SP().AString("").SP().AString("nil").SP().AString("x]")
		}, `From "a b" "" "nil" x]`},
		{"nstring", func(e *wire.Encoder) { e.NString(nil).SP().NString(&subject) }, "NIL {9}\r\nRe: café"},
		{"list", func(e *wire.Encoder) {
			e.List(3, func(i int) { e.Number(uint32(i)) }).SP().BeginList().EndList()
		}, "(0 1 2) ()"},
		{"flags", func(e *wire.Encoder) {
			e.Flags([]string{`\Seen`, `\Answered`, "$Junk"}).SP().Flags(nil).SP().Flags([]string{`\*`})
		}, `(\Seen \Answered $Junk) () (\*)`},
		{"bad flag", func(e *wire.Encoder) { e.Flags([]string{"a b"}) }, `error: imap wire: invalid flag "a b"`},
		{"mailbox", func(e *wire.Encoder) {
			e.Mailbox("~peter/mail/台北/日本語").SP().Mailbox("inbox").SP().Mailbox(`a"b&`)
		}, `"~peter/mail/&U,BTFw-/&ZeVnLIqe-" "INBOX" "a\"b&-"`},
		{"date-time", func(e *wire.Encoder) { e.DateTime(date) }, `" 7-Jul-1996 02:44:25 -0700"`},
		{"codes", func(e *wire.Encoder) {
			e.Atom("*").SP().Atom("OK").SP().BeginCode("UIDNEXT").SP().Number(4392).EndCode().
				SP().Text("Predicted next UID").CRLF().
				Atom("A142").SP().Atom("OK").SP().Code("READ-WRITE").SP().Text("SELECT completed").CRLF()
		}, "* OK [UIDNEXT 4392] Predicted next UID\r\nA142 OK [READ-WRITE] SELECT completed\r\n"},
		{"permanentflags", func(e *wire.Encoder) {
			e.BeginCode("PERMANENTFLAGS").SP().Flags([]string{`\Deleted`, `\Seen`}).EndCode()
		}, `[PERMANENTFLAGS (\Deleted \Seen)]`},
		{"text sanitised", func(e *wire.Encoder) { e.Text("bad\r\nname caf\u00e9\x00") }, "bad  name caf?? "},
		{"seqset", func(e *wire.Encoder) { e.SeqSet(wire.SeqSet{{1, 3}, {5, wire.Star}}) }, "1:3,5:*"},
		{"fetch response", func(e *wire.Encoder) {
			e.Atom("*").SP().Number(12).SP().Atom("FETCH").SP().BeginList().
				FetchName(wire.FetchItem{Att: wire.FetchFlags}).SP().Flags([]string{`\Seen`}).SP().
				FetchName(wire.FetchItem{Att: wire.FetchInternalDate}).SP().DateTime(date).SP().
				FetchName(wire.FetchItem{Att: wire.FetchBodySection, Peek: true,
					Section: wire.Section{Part: []uint32{1}, Specifier: wire.SpecText}}).SP().
				Literal(5, strings.NewReader("hi\x00\r\n")).EndList().CRLF()
		}, "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \" 7-Jul-1996 02:44:25 -0700\" BODY[1.TEXT] {5}\r\nhi\x80\r\n)\r\n"},
	} {
		if got := encode(c.f); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestEncoderLiteral(t *testing.T) {
	big := strings.Repeat("ab\x00cd", 20000) // 100000 octets, several buffers
	want := "{100000}\r\n" + strings.ReplaceAll(big, "\x00", "\x80")
	if got := encode(func(e *wire.Encoder) { e.Literal(100000, iotest.OneByteReader(strings.NewReader(big))) }); got != want {
		t.Errorf("one-byte reader: %d octets, differ", len(got))
	}
	if got := encode(func(e *wire.Encoder) { e.Literal(100000, strings.NewReader(big)) }); got != want {
		t.Errorf("plain reader: %d octets, differ", len(got))
	}
	if got := encode(func(e *wire.Encoder) { e.Literal(3, strings.NewReader("abcdef")) }); got != "{3}\r\nabc" {
		t.Errorf("longer reader: %q", got)
	}
	got := encode(func(e *wire.Encoder) { e.Literal(10, strings.NewReader("abc")).SP() })
	if !strings.Contains(got, "wrote 3 of 10 octets: unexpected EOF") {
		t.Errorf("short reader: %q", got)
	}
	failing := errors.New("disk on fire")
	got = encode(func(e *wire.Encoder) {
		e.Literal(10, io.MultiReader(strings.NewReader("ab"), iotest.ErrReader(failing)))
	})
	if !strings.Contains(got, "disk on fire") {
		t.Errorf("failing reader: %q", got)
	}
}

// TestEncoderStickyError: a write error stops the chain and is reported.
func TestEncoderStickyError(t *testing.T) {
	w := bufio.NewWriterSize(errWriter{}, 16)
	e := wire.NewEncoder(w)
	e.Atom(strings.Repeat("x", 40)).SP().Number(1)
	if err := e.Flush(); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Flush = %v", err)
	}
	if e.Err() == nil {
		t.Error("Err is nil after a failed write")
	}
}

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("connection closed") }
