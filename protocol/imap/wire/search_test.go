package wire_test

import (
	"fmt"
	"strings"
	"testing"

	"p9mail/protocol/imap/wire"
)

// tree renders a search key as nested calls, to check the AST shape.
func tree(k wire.SearchKey) string {
	var args []string
	switch k.Op {
	case wire.SearchSeqSet, wire.SearchUID:
		args = append(args, k.Seq.String())
	case wire.SearchBefore, wire.SearchOn, wire.SearchSince,
		wire.SearchSentBefore, wire.SearchSentOn, wire.SearchSentSince:
		args = append(args, k.Date.Format("2006-01-02"))
	case wire.SearchLarger, wire.SearchSmaller, wire.SearchOlder, wire.SearchYounger:
		args = append(args, fmt.Sprint(k.Size))
	case wire.SearchHeader:
		args = append(args, fmt.Sprintf("%q", k.Field), fmt.Sprintf("%q", k.Value))
	default:
		if k.Value != "" {
			args = append(args, fmt.Sprintf("%q", k.Value))
		}
	}
	for _, sub := range k.Keys {
		args = append(args, tree(sub))
	}
	if args == nil {
		return string(k.Op)
	}
	return string(k.Op) + "(" + strings.Join(args, " ") + ")"
}

func TestSearch(t *testing.T) {
	runParse(t, []parseCase{
		// RFC 3501 §6.4.4 examples.
		{"FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n",
			`FLAGGED SINCE(1994-02-01) NOT(FROM("Smith")) | FLAGGED SINCE 1-Feb-1994 NOT FROM Smith`},
		{"TEXT \"string not in mailbox\"\r\n",
			`TEXT("string not in mailbox") | TEXT "string not in mailbox"`},
		{"CHARSET UTF-8 TEXT {6}\r\n\xe4\xb8\xad\xe6\x96\x87\r\n",
			`[UTF-8] TEXT("中文") | CHARSET UTF-8 TEXT {6}` + "\r\n中文"},
		{"1:3,5 UID 0:* or seen (unseen deleted)\r\n",
			`(sequence set)(1:3,5) UID(1:*) OR(SEEN (list)(UNSEEN DELETED)) | 1:3,5 UID 1:* OR SEEN (UNSEEN DELETED)`},
		{"header Message-ID <a@b> larger 100 smaller 4294967295 keyword $Junk unkeyword \\seen\r\n",
			`HEADER("Message-ID" "<a@b>") LARGER(100) SMALLER(4294967295) KEYWORD("$Junk") UNKEYWORD("\\Seen")` +
				` | HEADER Message-ID <a@b> LARGER 100 SMALLER 4294967295 KEYWORD $Junk UNKEYWORD \Seen`},
		{"all answered deleted draft flagged new old recent seen unanswered undeleted undraft unflagged unseen\r\n",
			"ALL ANSWERED DELETED DRAFT FLAGGED NEW OLD RECENT SEEN UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNSEEN" +
				" | ALL ANSWERED DELETED DRAFT FLAGGED NEW OLD RECENT SEEN UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNSEEN"},
		{"bcc a body b cc c from d subject e to f before 1-Jan-2000 on \"2-Jan-2000\" sentbefore 3-Jan-2000 senton 4-Jan-2000 sentsince 5-Jan-2000\r\n",
			`BCC("a") BODY("b") CC("c") FROM("d") SUBJECT("e") TO("f") BEFORE(2000-01-01) ON(2000-01-02) SENTBEFORE(2000-01-03) SENTON(2000-01-04) SENTSINCE(2000-01-05)` +
				` | BCC a BODY b CC c FROM d SUBJECT e TO f BEFORE 1-Jan-2000 ON 2-Jan-2000 SENTBEFORE 3-Jan-2000 SENTON 4-Jan-2000 SENTSINCE 5-Jan-2000`},
		{"*\r\n", `(sequence set)(*) | *`},
		// RFC 4731, RFC 5182, RFC 5267, RFC 9394, RFC 5032.
		{"RETURN (MIN max All COUNT) 1:*\r\n", `<MIN MAX ALL COUNT> (sequence set)(1:*) | RETURN (MIN MAX ALL COUNT) 1:*`},
		{"RETURN () ALL\r\n", `<ALL> ALL | RETURN (ALL) ALL`},
		{"RETURN (SAVE) CHARSET UTF-8 $\r\n", `<SAVE> [UTF-8] $ | RETURN (SAVE) CHARSET UTF-8 $`},
		{"RETURN (UPDATE CONTEXT PARTIAL 4:2) OR $ UID $\r\n", `<UPDATE CONTEXT PARTIAL 2:4> OR($ $) | RETURN (UPDATE CONTEXT PARTIAL 2:4) OR $ $`},
		{"RETURN (PARTIAL -5:-1 COUNT) (SEEN)\r\n", `<COUNT PARTIAL -1:-5> (list)(SEEN) | RETURN (COUNT PARTIAL -1:-5) (SEEN)`},
		{"older 60 YOUNGER 4294967295\r\n", `OLDER(60) YOUNGER(4294967295) | OLDER 60 YOUNGER 4294967295`},
		{"CHARSET UTF-8 BODY \"jalape\xc3\xb1o\"\r\n", `[UTF-8] BODY("jalapeño") | CHARSET UTF-8 BODY {9}` + "\r\njalapeño"},
		{"CHARSET utf-8 BODY \"\xc3\"\r\n", `error: quoted string is not valid UTF-8`},
		{"BODY \"jalape\xc3\xb1o\"\r\n", `error: quoted string holds octet 0xc3 (not 7-bit text)`},
		{"CHARSET US-ASCII BODY \"jalape\xc3\xb1o\"\r\n", `error: quoted string holds octet 0xc3 (not 7-bit text)`},
		{"RETURN (ALL PARTIAL 1:2) ALL\r\n", "error: ALL and PARTIAL exclude each other"},
		{"RETURN (MIN MIN) ALL\r\n", "error: search return option MIN given twice"},
		{"RETURN (FOO) ALL\r\n", `error: unknown search return option "FOO"`},
		{"RETURN (PARTIAL 1) ALL\r\n", `error: expected ":"`},
		{"RETURN (PARTIAL 1:*) ALL\r\n", "error: expected number"},
		{"RETURN (PARTIAL 0:3) ALL\r\n", "error: expected non-zero number"},
		{"RETURN (PARTIAL -1:3) ALL\r\n", "error: PARTIAL range mixes positive and negative ends"},
		{"RETURN (MIN ) ALL\r\n", "error: expected search return option"},
		{"RETURN ALL\r\n", `error: expected "("`},
		{"$,1\r\n", "error: expected end of line"},
		{"charset\r\n", "error: expected SP"},
		{"CHARSET UTF-8\r\n", "error: expected SP"},
		{"\r\n", "error: expected search key"},
		{"FOO\r\n", `error: illegal search key "FOO"`},
		{"AND SEEN\r\n", `error: illegal search key "AND"`},
		{"()\r\n", "error: expected search key"},
		{"OR SEEN\r\n", "error: expected SP"},
		{"NOT\r\n", "error: expected SP"},
		{"SEEN \r\n", "error: expected search key"},
		{"LARGER x\r\n", "error: expected number"},
		{"SINCE 1-Feb\r\n", `error: expected "-" in date`},
		{"KEYWORD (\r\n", "error: expected flag"},
		{"UID 0\r\n", "error: invalid sequence number 0"},
		{"0\r\n", "error: invalid sequence number 0"},
		{strings.Repeat("NOT ", 65) + "SEEN\r\n", "error: search program nested too deeply"},
		{strings.Repeat("(", 100) + "SEEN" + strings.Repeat(")", 100) + "\r\n", "error: search program nested too deeply"},
	}, func(d *wire.Decoder) (string, bool) {
		var s wire.Search
		ok := d.ExpectSearch(&s)
		var parts []string
		if s.Return != nil {
			parts = append(parts, "<"+strings.Trim(s.Return.String(), "()")+">")
		}
		if s.Charset != "" {
			parts = append(parts, "["+s.Charset+"]")
		}
		for _, k := range s.Keys {
			parts = append(parts, tree(k))
		}
		return strings.Join(parts, " ") + " | " + s.String(), ok
	})
}

// TestSortReturn checks SORT's optional RETURN options (RFC 5267 §3,
// §4): read before the sort criteria, written back in place.
func TestSortReturn(t *testing.T) {
	runParse(t, []parseCase{
		{"(ARRIVAL) UTF-8 ALL\r\n", `nil | (ARRIVAL) UTF-8 ALL`},
		{"RETURN (MIN MAX) (REVERSE DATE) US-ASCII 1:5\r\n", `<MIN MAX> | RETURN (MIN MAX) (REVERSE DATE) US-ASCII 1:5`},
		{"return () (SIZE) UTF-8 ALL\r\n", `<ALL> | RETURN (ALL) (SIZE) UTF-8 ALL`},
		{"RETURN (UPDATE SAVE PARTIAL -1:-3) (SUBJECT) UTF-8 $\r\n", `<SAVE UPDATE PARTIAL -1:-3> | RETURN (SAVE UPDATE PARTIAL -1:-3) (SUBJECT) UTF-8 $`},
		{"RETURN (PARTIAL 1) (ARRIVAL) UTF-8 ALL\r\n", `error: expected ":"`},
		{"RETURN (ALL PARTIAL 1:2) (ARRIVAL) UTF-8 ALL\r\n", "error: ALL and PARTIAL exclude each other"},
		{"RETURN (MIN) UTF-8 ALL\r\n", `error: expected "("`},
		{"RETURNS (MIN) (ARRIVAL) UTF-8 ALL\r\n", "error: expected RETURN"},
	}, func(d *wire.Decoder) (string, bool) {
		var s wire.Sort
		ok := d.ExpectSort(&s)
		ret := "nil"
		if s.Return != nil {
			ret = "<" + strings.Trim(s.Return.String(), "()") + ">"
		}
		return ret + " | " + s.String(), ok
	})
}
