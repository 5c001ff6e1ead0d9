package wire_test

import (
	"bufio"
	"fmt"
	"strings"
	"testing"

	"p9mail/protocol/imap/wire"
)

// newDecoder returns a decoder over in, counting continuations in *conts.
func newDecoder(in string, opts wire.Options) (*wire.Decoder, *int) {
	conts := new(int)
	opts.Continue = func() error { *conts++; return nil }
	d := wire.NewDecoder(bufio.NewReader(strings.NewReader(in)), opts)
	d.Next()
	return d, conts
}

// parseCase is one line for a parser: want is the parsed value as the
// test's format function renders it, or "error: <message>".
type parseCase struct {
	in   string
	want string
}

// runParse parses each case's line with parse (which renders what it
// read) and then expects the line end.
func runParse(t *testing.T, cases []parseCase, parse func(d *wire.Decoder) (string, bool)) {
	t.Helper()
	for _, c := range cases {
		d, _ := newDecoder(c.in, wire.Options{LiteralPlus: true})
		got, ok := parse(d)
		if ok {
			ok = d.ExpectCRLF()
		}
		if !ok {
			got = "error: " + fmt.Sprint(d.Err())
		}
		if got != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

// encode returns what f writes through an Encoder.
func encode(f func(e *wire.Encoder)) string {
	var b strings.Builder
	w := bufio.NewWriter(&b)
	e := wire.NewEncoder(w)
	f(e)
	if err := e.Flush(); err != nil {
		return "error: " + err.Error()
	}
	return b.String()
}
