package wire_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"p9mail/protocol/imap/wire"
)

// FuzzCommand feeds arbitrary client bytes through readCommand, command
// after command. The decoder must not panic or stall; every error is
// either I/O or an *Error whose text may follow "BAD "; and every
// command it accepts must survive writeCommand and a second reading
// unchanged.
func FuzzCommand(f *testing.F) {
	for _, s := range []string{
		"a1 LOGIN {4}\r\nfred {3+}\r\npwd\r\nb NOOP\r\n",
		"a UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (From To Subject Date)])\r\n",
		"a SEARCH CHARSET UTF-8 OR (SEEN FROM {2}\r\nab) NOT 1:3,* HEADER X y SINCE 1-Feb-1994\r\n",
		"a APPEND INBOX (\\Seen) \" 7-Feb-1994 21:52:25 -0800\" {5+}\r\nhello\r\n",
		"a STORE 2:4 +FLAGS.SILENT \\Deleted $x\r\na STATUS &ZeVnLIqe- (UNSEEN)\n",
		"a LIST \"\" %/*\r\nb FETCH 1 BODY[1.2.MIME]<0.10>\r\n",
		"a LOGIN \"x {3+}\r\nabc {2}\r\nb NOOP\r\n",
		"a ID (\"name\" \"mutt\" \"version\" NIL)\r\nb ID NIL\r\nc UID MOVE 1:* Archive\r\n",
		"a LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (% {3}\r\nx/* INBOX) RETURN (CHILDREN STATUS (MESSAGES SIZE APPENDLIMIT))\r\n",
		"a LIST (SPECIAL-USE) \"\" * RETURN (SPECIAL-USE SUBSCRIBED)\r\nb LIST \"\" % RETURN ()\r\nc LIST () x %\r\n",
		"a CREATE Sent (USE (\\Sent \\Junk))\r\nb CREATE x (USE ())\r\nc ENABLE CONDSTORE X-Y\r\nd STATUS a (SIZE)\r\n",
		"a LOGIN {4097+}\r\nx\r\nb AUTHENTICATE PLAIN =\r\n",
		"a SEARCH RETURN (MIN MAX COUNT SAVE) CHARSET UTF-8 BODY \"jalape\xc3\xb1o\" OLDER 60 YOUNGER 3600\r\nb FETCH $ (FLAGS)\r\n",
		"a UID SEARCH RETURN (UPDATE CONTEXT PARTIAL -1:-20) OR $ UID $ 1:*\r\nb UID EXPUNGE $\r\nc STORE $ +FLAGS (\\Seen)\r\n",
		"a SEARCH RETURN (PARTIAL 4:2 ALL) ALL\r\nb SEARCH RETURN () $\r\nc UID COPY $ x\r\n",
		"a SELECT INBOX (CONDSTORE)\r\nb FETCH 1:* (FLAGS MODSEQ) (CHANGEDSINCE 12345)\r\nc STATUS x (HIGHESTMODSEQ)\r\n",
		"a UID STORE 1:* (UNCHANGEDSINCE 0) +FLAGS.SILENT (\\Seen)\r\nb SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338\r\nc SEARCH RETURN (MIN) MODSEQ 1\r\n",
		"a SORT (REVERSE DATE SUBJECT DISPLAYFROM) UTF-8 OR FROM {2}\r\nab NOT 1:3\r\nb UID SORT (ARRIVAL) \"US-ASCII\" ALL\r\n",
		"a THREAD REFERENCES UTF-8 SINCE 1-Feb-1994 (SEEN UNDELETED)\r\nb UID THREAD REFS us-ascii 2:*\r\nc SORT (FOO) UTF-8 ALL\r\n",
		"a SORT RETURN (MIN MAX COUNT SAVE) (REVERSE ARRIVAL) UTF-8 ALL\r\nb UID SORT RETURN (UPDATE PARTIAL -1:-5) (SIZE) US-ASCII $\r\nc SORT RETURN () (DATE) UTF-8 1:*\r\nd SORT RETURN (ALL PARTIAL 1:2) (TO) UTF-8 ALL\r\n",
		"a FETCH 1:* (BINARY[1.2]<0.10> BINARY.PEEK[] BINARY.SIZE[3])\r\nb UID FETCH 1 BINARY[1.TEXT]\r\n",
		"a APPEND INBOX ~{3+}\r\n\x00\r\n\r\nb APPEND x (\\Seen) {1+}\r\na ~{2+}\r\n\n\x00 \" 7-Feb-1994 21:52:25 -0800\" {1+}\r\nb\r\n",
		"a APPEND x {1+}\r\na {1+}\r\nb \r\nc APPEND x ~1\r\n",
		"a APPEND x (\\Seen) CATENATE (URL \"/INBOX/;UID=1/;SECTION=HEADER\" TEXT {3+}\r\nabc URL {4+}\r\n/x/y)\r\n",
		"a APPEND x catenate (text {1+}\r\na) {2+}\r\nbc CATENATE (URL \"/x/;uid=2/;partial=0.5\")\r\nb APPEND x CATENATE ()\r\n",
	} {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, literalPlus bool) {
		opts := wire.Options{LiteralPlus: literalPlus,
			Limits: wire.Limits{MaxLine: 300, MaxLiteral: 200, MaxLiterals: 5}}
		d := wire.NewDecoder(bufio.NewReader(bytes.NewReader(data)), opts)
		for n := 0; d.Next() == nil; n++ {
			if n > len(data) {
				t.Fatal("decoder makes no progress")
			}
			c, ok := readCommand(d)
			if !ok {
				checkError(t, d.Err())
				continue
			}
			checkRewrite(t, c)
		}
	})
}

// checkError checks that err is fit for the engine to report.
func checkError(t *testing.T, err error) {
	var we *wire.Error
	switch {
	case err == nil: // an unknown command: readCommand's business
	case errors.As(err, &we):
		for _, c := range []byte(we.Msg) {
			if c < 0x20 || c >= 0x7f {
				t.Fatalf("error message %q is not 7-bit text", we.Msg)
			}
		}
		if we.Msg == "" || we.Code != "" && we.Code != wire.CodeTooBig && we.Code != wire.CodeBadMailbox {
			t.Fatalf("bad error %#v", we)
		}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
	default:
		t.Fatalf("unexpected error %v", err)
	}
}

// checkRewrite writes c, reads it back and writes it again: the two
// writings must be the same command.
func checkRewrite(t *testing.T, c command) {
	first := encode(func(e *wire.Encoder) { writeCommand(e, c) })
	d := wire.NewDecoder(bufio.NewReader(strings.NewReader(first)), wire.Options{})
	d.Next()
	again, ok := readCommand(d)
	if !ok {
		t.Fatalf("rewritten command %q does not parse: %v", first, d.Err())
	}
	if second := encode(func(e *wire.Encoder) { writeCommand(e, again) }); second != first {
		t.Fatalf("rewrite is not stable:\n%q\n%q", first, second)
	}
}

// FuzzMUTF7: encoding then decoding gives back any UTF-8 string;
// decoding never panics, and whatever decodes encodes back to the same
// octets (the decoder accepts only the canonical form).
func FuzzMUTF7(f *testing.F) {
	for _, s := range []string{"~peter/mail/&U,BTFw-/&ZeVnLIqe-", "&-", "Entw&APw-rfe", "&2D3eAA-",
		"台北", "a&b", "&AGE-", "&AOk-&AOk-", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if utf8.ValidString(s) {
			enc := wire.EncodeMUTF7(s)
			if dec, err := wire.DecodeMUTF7(enc); err != nil || dec != s {
				t.Fatalf("DecodeMUTF7(EncodeMUTF7(%q)) = %q, %v (encoded %q)", s, dec, err, enc)
			}
		}
		if dec, err := wire.DecodeMUTF7(s); err == nil {
			if back := wire.EncodeMUTF7(dec); back != s {
				t.Fatalf("DecodeMUTF7(%q) = %q encodes back as %q", s, dec, back)
			}
		}
	})
}
