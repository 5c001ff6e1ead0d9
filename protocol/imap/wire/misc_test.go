package wire_test

import (
	"fmt"
	"testing"
	"time"

	"p9mail/protocol/imap/wire"
)

// TestOptionalArgs: the helpers an engine uses for optional arguments,
// e.g. AUTHENTICATE's initial response or APPEND's flag list.
func TestOptionalArgs(t *testing.T) {
	d, _ := newDecoder("(a) PLAIN\r\n", wire.Options{})
	if d.Peek() != '(' || d.AtEOL() || d.Special(')') || !d.Special('(') {
		t.Fatal("before atom")
	}
	var a string
	if !d.ExpectAtom(&a) || !d.ExpectSpecial(')') || !d.SP() || d.AtEOL() {
		t.Fatal(d.Err())
	}
	if !d.ExpectAtom(&a) || !d.AtEOL() || d.SP() || !d.ExpectCRLF() {
		t.Fatal(d.Err())
	}
	if d.Peek() != 0 || d.Err() == nil {
		t.Error("Peek after the end of the command")
	}
	d, _ = newDecoder("x\r\n", wire.Options{})
	if d.ExpectSpecial('(') || fmt.Sprint(d.Err()) != `expected "("` {
		t.Errorf("ExpectSpecial: %v", d.Err())
	}
}

func TestBuffered(t *testing.T) {
	d, _ := newDecoder("a STARTTLS\r\nb NOOP\r\n", wire.Options{})
	var tag, cmd string
	if !d.ExpectTag(&tag) || !d.ExpectSP() || !d.ExpectCommand(&cmd) || !d.ExpectCRLF() {
		t.Fatal(d.Err())
	}
	if got := d.Buffered(); got != len("b NOOP\r\n") {
		t.Errorf("Buffered = %d", got)
	}
}

func TestCanonicalFlag(t *testing.T) {
	for in, want := range map[string]string{
		`\SEEN`: `\Seen`, `\recent`: `\Recent`, `\Foo`: `\Foo`, `$junk`: `$junk`, `seen`: `seen`, ``: ``,
	} {
		if got := wire.CanonicalFlag(in); got != want {
			t.Errorf("CanonicalFlag(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatDates(t *testing.T) {
	tm := time.Date(2003, 3, 5, 9, 8, 7, 0, time.FixedZone("", 5*3600+30*60))
	if got := wire.FormatDateTime(tm); got != " 5-Mar-2003 09:08:07 +0530" {
		t.Errorf("FormatDateTime = %q", got)
	}
	if got := wire.FormatDate(tm); got != "5-Mar-2003" {
		t.Errorf("FormatDate = %q", got)
	}
}

func TestStringMethods(t *testing.T) {
	s := wire.Section{Part: []uint32{1, 2}, Specifier: wire.SpecHeaderFieldsNot, Fields: []string{"From", "X Y"}}
	if got := s.String(); got != `1.2.HEADER.FIELDS.NOT (From "X Y")` {
		t.Errorf("Section.String = %q", got)
	}
	k := wire.SearchKey{Op: wire.SearchOr, Keys: []wire.SearchKey{
		{Op: wire.SearchHeader, Field: "Subject", Value: "a\"b"},
		{Op: wire.SearchAnd, Keys: []wire.SearchKey{{Op: wire.SearchSeqSet, Seq: wire.SeqSet{{1, wire.Star}}}, {Op: wire.SearchNew}}},
	}}
	if got := k.String(); got != "OR HEADER Subject {3}\r\na\"b (1:* NEW)" {
		t.Errorf("SearchKey.String = %q", got)
	}
	if got := encode(func(e *wire.Encoder) { e.Literal(-1, nil) }); got != "error: imap wire: literal of negative size -1" {
		t.Errorf("negative literal: %q", got)
	}
}
