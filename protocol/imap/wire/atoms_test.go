package wire_test

import (
	"fmt"
	"testing"

	"p9mail/protocol/imap/wire"
)

func TestTagCommand(t *testing.T) {
	runParse(t, []parseCase{
		{"a001 login\r\n", `"a001" "LOGIN"`},
		{"A]1 uId\n", `"A]1" "UID"`},
		{"* noop\r\n", "error: expected tag"},
		{"a+b noop\r\n", "error: expected SP"},
		{"\r\n", "error: expected tag"},
		{"a1  noop\r\n", "error: expected command"},
		{"a1 x-exit\r\n", `"a1" "X-EXIT"`},
		{"a1 noop\rx", "error: expected LF after CR"},
	}, func(d *wire.Decoder) (string, bool) {
		var tag, cmd string
		ok := d.ExpectTag(&tag) && d.ExpectSP() && d.ExpectCommand(&cmd)
		return fmt.Sprintf("%q %q", tag, cmd), ok
	})
}

func TestNumbers(t *testing.T) {
	runParse(t, []parseCase{
		{"0\r\n", "0"},
		{"4294967295\r\n", "4294967295"},
		{"4294967296\r\n", "error: number out of range"},
		{"99999999999999999999\r\n", "error: number out of range"},
		{"x\r\n", "error: expected number"},
		{"-1\r\n", "error: expected number"},
		{"12 \r\n", "error: expected end of line"},
	}, func(d *wire.Decoder) (string, bool) {
		var n uint32
		ok := d.ExpectNumber(&n)
		return fmt.Sprint(n), ok
	})
	runParse(t, []parseCase{
		{"7\r\n", "7"},
		{"0\r\n", "error: expected non-zero number"},
	}, func(d *wire.Decoder) (string, bool) {
		var n uint32
		ok := d.ExpectNzNumber(&n)
		return fmt.Sprint(n), ok
	})
	runParse(t, []parseCase{
		{"9223372036854775807\r\n", "9223372036854775807"},
		{"9223372036854775808\r\n", "error: number out of range"},
	}, func(d *wire.Decoder) (string, bool) {
		var n uint64
		ok := d.ExpectNumber64(&n)
		return fmt.Sprint(n), ok
	})
}

func TestStrings(t *testing.T) {
	astring := func(d *wire.Decoder) (string, bool) {
		var s string
		ok := d.ExpectAString(&s)
		return fmt.Sprintf("%q", s), ok
	}
	runParse(t, []parseCase{
		{"fred\r\n", `"fred"`},
		{"a]b\r\n", `"a]b"`},
		{`"a \"b\" \\c"` + "\r\n", `"a \"b\" \\c"`},
		{`""` + "\r\n", `""`},
		{`"a\b"` + "\r\n", `error: bad escape in quoted string: only \" and \\ allowed`},
		{"\"a\r\n", "error: unterminated quoted string"},
		{"\"caf\xc3\xa9\"\r\n", "error: quoted string holds octet 0xc3 (not 7-bit text)"},
		{"\"a\x00\"\r\n", "error: quoted string holds octet 0x0 (not 7-bit text)"},
		{"{5}\r\nhe\"l\\\r\n", `"he\"l\\"`},
		{"{0}\r\n\r\n", `""`},
		{"{3+}\r\nabc\r\n", `"abc"`},
		{"{3}\r\na\x00c\r\n", "error: NUL in literal"},
		{"{3}x\r\nabc\r\n", "error: expected end of line"},
		{"(\r\n", "error: expected string"},
		{"%\r\n", "error: expected string"},
	}, astring)
	runParse(t, []parseCase{
		{"NIL\r\n", `"" true`},
		{"nil\r\n", `"" true`},
		{`"NIL"` + "\r\n", `"NIL" false`},
		{"{2}\r\nab\r\n", `"ab" false`},
		{"NILS\r\n", "error: expected string or NIL"},
	}, func(d *wire.Decoder) (string, bool) {
		var s string
		var isNil bool
		ok := d.ExpectNString(&s, &isNil)
		return fmt.Sprintf("%q %v", s, isNil), ok
	})
	runParse(t, []parseCase{
		{"atom\r\n", "error: expected string"},
		{`"q"` + "\r\n", `"q"`},
	}, func(d *wire.Decoder) (string, bool) {
		var s string
		ok := d.ExpectString(&s)
		return fmt.Sprintf("%q", s), ok
	})
}

func TestExpectLine(t *testing.T) {
	d, _ := newDecoder("dGVzdA== x\r\nDONE\n", wire.Options{})
	var s string
	if !d.ExpectLine(&s) || s != "dGVzdA== x" {
		t.Fatalf("line 1: %q %v", s, d.Err())
	}
	if err := d.Next(); err != nil {
		t.Fatal(err)
	}
	if !d.ExpectLine(&s) || s != "DONE" {
		t.Fatalf("line 2: %q %v", s, d.Err())
	}
}

func TestFlags(t *testing.T) {
	runParse(t, []parseCase{
		{`(\seen \ANSWERED \Flagged \deleted \draft \recent)` + "\r\n", `[\Seen \Answered \Flagged \Deleted \Draft \Recent]`},
		{`($Junk \Foo)` + "\r\n", `[$Junk \Foo]`},
		{"()\r\n", "[]"},
		{`(\Seen` + "\r\n", "error: expected SP"},
		{`(\)` + "\r\n", `error: expected flag name after \`},
		{`(\*)` + "\r\n", `error: expected flag name after \`},
		{`(a%)` + "\r\n", `error: expected SP`},
		{`\Seen` + "\r\n", `error: expected "(" to start flag list`},
	}, func(d *wire.Decoder) (string, bool) {
		var f []string
		ok := d.ExpectFlagList(&f)
		return fmt.Sprint(f), ok
	})
}

func TestMailbox(t *testing.T) {
	runParse(t, []parseCase{
		{"inbox\r\n", `"INBOX"`},
		{`"InBoX"` + "\r\n", `"INBOX"`},
		{"inbox/sub\r\n", `"inbox/sub"`},
		{"~peter/mail/&U,BTFw-/&ZeVnLIqe-\r\n", `"~peter/mail/台北/日本語"`},
		{"&-amp\r\n", `"&amp"`},
		{"{4}\r\nbo&x\r\n", `error: mailbox name not in modified UTF-7`},
		{"\"caf\\\\&AOk-\"\r\n", `"caf\\é"`},
		{"a*\r\n", `error: expected end of line`},
	}, func(d *wire.Decoder) (string, bool) {
		var s string
		ok := d.ExpectMailbox(&s)
		return fmt.Sprintf("%q", s), ok
	})
	runParse(t, []parseCase{
		{"*\r\n", `"*"`},
		{"%/a]b*\r\n", `"%/a]b*"`},
		{`"&ZeVnLIqe-/%"` + "\r\n", `"日本語/%"`},
		{"&Zz\r\n", `error: mailbox name not in modified UTF-7`},
		{"(\r\n", `error: expected mailbox pattern`},
	}, func(d *wire.Decoder) (string, bool) {
		var s string
		ok := d.ExpectListMailbox(&s)
		return fmt.Sprintf("%q", s), ok
	})
}
