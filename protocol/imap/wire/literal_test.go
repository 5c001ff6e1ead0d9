package wire_test

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"p9mail/protocol/imap/wire"
)

// nextTag starts the next command and reads its tag and name.
func nextTag(t *testing.T, d *wire.Decoder) string {
	t.Helper()
	if err := d.Next(); err != nil {
		t.Fatalf("Next: %v", err)
	}
	var tag, cmd string
	if !d.ExpectTag(&tag) || !d.ExpectSP() || !d.ExpectCommand(&cmd) {
		t.Fatalf("next command: %v", d.Err())
	}
	return tag + " " + cmd
}

func TestSyncLiterals(t *testing.T) {
	d, conts := newDecoder("a LOGIN {4}\r\nfred {3}\r\npwd\r\nb NOOP\r\n", wire.Options{})
	var tag, cmd, user, pass string
	if !d.ExpectTag(&tag) || !d.ExpectSP() || !d.ExpectCommand(&cmd) || !d.ExpectSP() ||
		!d.ExpectAString(&user) {
		t.Fatal(d.Err())
	}
	if *conts != 1 {
		t.Errorf("after first literal: %d continuations, want 1", *conts)
	}
	if !d.ExpectSP() || !d.ExpectAString(&pass) || !d.ExpectCRLF() {
		t.Fatal(d.Err())
	}
	if user != "fred" || pass != "pwd" || *conts != 2 {
		t.Errorf("got %q %q with %d continuations", user, pass, *conts)
	}
	if got := nextTag(t, d); got != "b NOOP" {
		t.Errorf("next command %q", got)
	}
}

func TestNonSyncLiterals(t *testing.T) {
	d, conts := newDecoder("a LOGIN {4+}\r\nfred {3+}\r\npwd\r\nb NOOP\r\n", wire.Options{LiteralPlus: true})
	var user, pass string
	nextTagNoStart(t, d)
	if !d.ExpectSP() || !d.ExpectAString(&user) || !d.ExpectSP() || !d.ExpectAString(&pass) || !d.ExpectCRLF() {
		t.Fatal(d.Err())
	}
	if user != "fred" || pass != "pwd" || *conts != 0 {
		t.Errorf("got %q %q with %d continuations", user, pass, *conts)
	}
	if got := nextTag(t, d); got != "b NOOP" {
		t.Errorf("next command %q", got)
	}
}

// nextTagNoStart reads the tag and name of the command already started.
func nextTagNoStart(t *testing.T, d *wire.Decoder) {
	t.Helper()
	var tag, cmd string
	if !d.ExpectTag(&tag) || !d.ExpectSP() || !d.ExpectCommand(&cmd) {
		t.Fatalf("command: %v", d.Err())
	}
}

// TestRefusedLiterals: after each error the engine calls Next and must
// find the following command, whatever the client had already sent.
func TestRefusedLiterals(t *testing.T) {
	small := wire.Options{Limits: wire.Limits{MaxLiteral: 10, MaxLiterals: 2, MaxLine: 40}}
	plus := small
	plus.LiteralPlus = true
	minus := plus // LITERAL- (RFC 7888 §4), scaled down
	minus.Limits.MaxNonSync = 4
	for _, c := range []struct {
		name, in string
		opts     wire.Options
		err      string
		tooBig   bool
	}{
		{"nonsync off", "a LOGIN {3+}\r\nabc x\r\nb NOOP\r\n", small,
			"non-synchronizing literal {3+} not allowed", false},
		{"sync too big", "a LOGIN {20}\r\nb NOOP\r\n", small,
			"literal of 20 octets too big (limit 10)", true},
		{"nonsync too big", "a LOGIN {20+}\r\n01234567890123456789 x\r\nb NOOP\r\n", plus,
			"literal of 20 octets too big (limit 10)", true},
		{"literal- nonsync", "a LOGIN {5+}\r\nabcde x\r\nb NOOP\r\n", minus,
			"non-synchronizing literal of 5 octets too big (LITERAL- limit 4)", true},
		{"literal- sync", "a LOGIN {5}\r\nabcde {11}\r\nb NOOP\r\n", minus,
			"literal of 11 octets too big (limit 10)", true},
		{"held", "a LOGIN {6}\r\nabcdef {6}\r\nb NOOP\r\n", small,
			"literals too big (limit 10 octets per command)", true},
		{"count", "a LOGIN {1+}\r\na {1+}\r\nb {1+}\r\nc\r\nb NOOP\r\n", plus,
			"too many literals (limit 2)", true},
		{"line", "a LOGIN " + strings.Repeat("x", 50) + " y\r\nb NOOP\r\n", small,
			"command line too long (limit 40 octets)", true},
		{"quoted then literals", "a LOGIN \"x {3+}\r\nabc {2+}\r\nzz\r\nb NOOP\r\n", plus,
			"unterminated quoted string", false},
		{"sync at end of skipped line", "a LOGIN ( {3}\r\nb NOOP\r\n", small,
			"expected string", false},
		{"bad escape", "a LOGIN \"\\a\" {3+}\r\nabc\r\nb NOOP\r\n", plus,
			`bad escape in quoted string: only \" and \\ allowed`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, conts := newDecoder(c.in, c.opts)
			nextTagNoStart(t, d)
			var s string
			for d.ExpectSP() && d.ExpectAString(&s) {
			}
			err := d.Err()
			var we *wire.Error
			if !errors.As(err, &we) || we.Msg != c.err || wire.IsTooBig(err) != c.tooBig {
				t.Fatalf("error %#v, want %q (too big %v)", err, c.err, c.tooBig)
			}
			if d.IsNonSyncTooBig() != strings.HasPrefix(c.err, "non-synchronizing literal of") {
				t.Errorf("IsNonSyncTooBig %v", d.IsNonSyncTooBig())
			}
			before := *conts
			if got := nextTag(t, d); got != "b NOOP" {
				t.Errorf("next command %q", got)
			}
			if *conts != before {
				t.Errorf("Next sent a continuation")
			}
		})
	}
}

func TestAppendStreaming(t *testing.T) {
	in := "a APPEND saved (\\Seen) \" 7-Feb-1994 21:52:25 -0800\" {11}\r\nhello world\r\nb NOOP\r\n"
	d, conts := newDecoder(in, wire.Options{})
	nextTagNoStart(t, d)
	var a wire.Append
	if !d.ExpectSP() || !d.ExpectAppend(&a) {
		t.Fatal(d.Err())
	}
	want := time.Date(1994, 2, 7, 21, 52, 25, 0, time.FixedZone("", -8*3600))
	if a.Mailbox != "saved" || len(a.Flags) != 1 || a.Flags[0] != `\Seen` || !a.Date.Equal(want) ||
		a.Literal != (wire.LiteralHeader{Size: 11}) {
		t.Fatalf("append %+v", a)
	}
	if *conts != 0 {
		t.Fatal("continuation before ExpectLiteralData")
	}
	var r io.Reader
	if !d.ExpectLiteralData(&r) {
		t.Fatal(d.Err())
	}
	if *conts != 1 {
		t.Fatalf("%d continuations", *conts)
	}
	data, err := io.ReadAll(r)
	if err != nil || string(data) != "hello world" {
		t.Fatalf("data %q %v", data, err)
	}
	if !d.ExpectCRLF() {
		t.Fatal(d.Err())
	}
	if got := nextTag(t, d); got != "b NOOP" {
		t.Errorf("next command %q", got)
	}
}

func TestAppendRefusedOrAbandoned(t *testing.T) {
	for _, c := range []struct {
		name, in string
		read     int // -1: refuse without data
	}{
		{"refuse sync", "a APPEND x {11}\r\nb NOOP\r\n", -1},
		{"refuse nonsync", "a APPEND x {11+}\r\nhello world\r\nb NOOP\r\n", -1},
		{"abandon after 3", "a APPEND x {11}\r\nhello world\r\nb NOOP\r\n", 3},
		{"abandon nonsync", "a APPEND x {11+}\r\nhello world extra\r\nb NOOP\r\n", 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, conts := newDecoder(c.in, wire.Options{LiteralPlus: true})
			nextTagNoStart(t, d)
			var a wire.Append
			if !d.ExpectSP() || !d.ExpectAppend(&a) {
				t.Fatal(d.Err())
			}
			if c.read >= 0 {
				var r io.Reader
				if !d.ExpectLiteralData(&r) {
					t.Fatal(d.Err())
				}
				buf := make([]byte, c.read)
				if _, err := io.ReadFull(r, buf); err != nil || string(buf) != "hello world"[:c.read] {
					t.Fatalf("read %q %v", buf, err)
				}
			} else if *conts != 0 {
				t.Fatal("continuation for a refused literal")
			}
			if got := nextTag(t, d); got != "b NOOP" {
				t.Errorf("next command %q", got)
			}
		})
	}
}

func TestEOF(t *testing.T) {
	d, _ := newDecoder("", wire.Options{})
	var tag string
	if d.ExpectTag(&tag) || !errors.Is(d.Err(), io.EOF) {
		t.Errorf("empty input: %v, want EOF", d.Err())
	}
	d, _ = newDecoder("a NOOP", wire.Options{})
	var cmd string
	if d.ExpectTag(&tag) && d.ExpectSP() && d.ExpectCommand(&cmd) || !errors.Is(d.Err(), io.ErrUnexpectedEOF) {
		t.Errorf("cut command: %v, want unexpected EOF", d.Err())
	}
	if err := d.Next(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("Next after I/O error: %v", err)
	}
	d, _ = newDecoder("a APPEND x {10+}\r\nabc", wire.Options{LiteralPlus: true})
	nextTagNoStart(t, d)
	var a wire.Append
	if !d.ExpectSP() || !d.ExpectAppend(&a) {
		t.Fatal(d.Err())
	}
	if err := d.Next(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("Next over short literal: %v", err)
	}
}

func TestContinueError(t *testing.T) {
	broken := errors.New("broken pipe")
	d := wire.NewDecoder(bufio.NewReader(strings.NewReader("a LOGIN {3}\r\nabc\r\n")),
		wire.Options{Continue: func() error { return broken }})
	d.Next()
	nextTagNoStart(t, d)
	var s string
	if d.ExpectSP() && d.ExpectAString(&s) || !errors.Is(d.Err(), broken) {
		t.Errorf("error %v, want %v", d.Err(), broken)
	}
	var we *wire.Error
	if errors.As(d.Err(), &we) {
		t.Error("continuation failure reported as a client error")
	}
}

func TestReadPastEnd(t *testing.T) {
	d, _ := newDecoder("a NOOP\r\nb NOOP\r\n", wire.Options{})
	nextTagNoStart(t, d)
	if !d.ExpectCRLF() {
		t.Fatal(d.Err())
	}
	if d.ExpectSP() || d.Err() == nil || d.Err().Error() != "read past end of command" {
		t.Errorf("read past end: %v", d.Err())
	}
	if got := nextTag(t, d); got != "b NOOP" {
		t.Errorf("next command %q", got)
	}
}

// TestSkippedNonSyncOverLimit: under LITERAL- (MaxNonSync), a command
// skipped after an error whose line ends in "{n+}" over the limit is
// not followed: Next fails with ErrNonSyncTooBig, the data unread. One
// within the limit is skipped as ever.
func TestSkippedNonSyncOverLimit(t *testing.T) {
	opts := wire.Options{LiteralPlus: true, Limits: wire.Limits{MaxNonSync: 4}}
	d, _ := newDecoder("a FROB {5+}\r\nabcde\r\nb NOOP\r\n", opts)
	nextTagNoStart(t, d)
	if err := d.Next(); !errors.Is(err, wire.ErrNonSyncTooBig) {
		t.Fatalf("Next: %v, want ErrNonSyncTooBig", err)
	}
	d, _ = newDecoder("a FROB {4+}\r\nabcd\r\nb NOOP\r\n", opts)
	nextTagNoStart(t, d)
	if got := nextTag(t, d); got != "b NOOP" {
		t.Errorf("next command %q", got)
	}
}
