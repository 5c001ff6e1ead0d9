package main

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"testing"
)

// responses reads every response in in and describes each: a tagged one
// as "tag COND text", an untagged one as "* KIND text" or, for FETCH,
// the fetched items; the last line is the error, if any.
func responses(in string) []string {
	c := &client{r: newReader(strings.NewReader(in))}
	var out []string
	for {
		n0 := c.r.n
		st, err := c.response(func(f *fetched) {
			out = append(out, fmt.Sprintf("FETCH %d uid=%d size=%d flags=%s date=%s env=%s bs=%s body=%v/%d/%08x",
				f.Seq, f.UID, f.Size, f.Flags, f.Date, f.Env, f.BS, f.hasBody, f.octets, f.crc))
		})
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF) && n0 == int64(len(in)):
			return out // clean end between responses
		case err != nil:
			return append(out, "error: "+err.Error())
		case st != nil:
			out = append(out, st.tag+" "+st.cond+" "+st.text)
		case c.kind != "FETCH":
			out = append(out, fmt.Sprintf("* %s %s exists=%d", c.kind, c.text, c.exists))
		}
	}
}

func crcOf(s string) string {
	return fmt.Sprintf("%08x", crc32.Checksum([]byte(s), castagnoli))
}

var responseTests = []struct {
	name string
	in   string
	want []string
}{
	{"greeting and status",
		"* OK [CAPABILITY IMAP4rev1] ready\r\na1 OK [READ-WRITE] SELECT completed\r\na2 NO no such mailbox\r\n",
		[]string{"* OK [CAPABILITY IMAP4rev1] ready exists=0", "a1 OK [READ-WRITE] SELECT completed", "a2 NO no such mailbox"}},
	{"select",
		"* FLAGS (\\Seen \\Deleted)\r\n* 10000 EXISTS\r\n* 3 RECENT\r\n",
		[]string{"* FLAGS (\\Seen \\Deleted) exists=0", "* EXISTS  exists=10000", "* RECENT  exists=10000"}},
	{"status text ending in a literal",
		"* LIST () \"/\" {5}\r\nIN\"BX\r\n* BYE bye\r\n",
		[]string{"* LIST () \"/\" {5} exists=0", "* BYE bye exists=0"}},
	{"listing items, quoted and literal strings, addresses without spaces",
		"* 1 FETCH (UID 7 FLAGS (\\Recent) RFC822.SIZE 12 INTERNALDATE \" 2-Jan-2024 09:05:27 +0000\" " +
			"ENVELOPE (\"d\" {5}\r\na\"b\\c ((\"A\" NIL \"a\" \"x\")(NIL NIL \"b\" \"y\")) NIL NIL NIL NIL NIL NIL NIL) " +
			"BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 12 1 NIL NIL NIL NIL))\r\n",
		[]string{`FETCH 1 uid=7 size=12 flags=(\Recent) date=" 2-Jan-2024 09:05:27 +0000" ` +
			`env=("d" "a\"b\\c" (("A" NIL "a" "x") (NIL NIL "b" "y")) NIL NIL NIL NIL NIL NIL NIL) ` +
			`bs=("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 12 1 NIL NIL NIL NIL) body=false/0/00000000`}},
	{"BODY[] literal, and an unasked item",
		"* 2 FETCH (BODY[] {12}\r\nSubject: x\r\n X-GM-LABELS (\"a b\" {1}\r\n)))\r\n",
		[]string{"FETCH 2 uid=0 size=0 flags= date= env= bs= body=true/12/" + crcOf("Subject: x\r\n")}},
	{"BODY[] quoted, NIL and literal8",
		"* 3 FETCH (BODY[] \"a\\\"b\")\r\n* 4 FETCH (body[] NIL)\r\n* 5 FETCH (BODY[] ~{2}\r\nhi)\r\n",
		[]string{"FETCH 3 uid=0 size=0 flags= date= env= bs= body=true/3/" + crcOf(`a"b`),
			"FETCH 4 uid=0 size=0 flags= date= env= bs= body=true/0/00000000",
			"FETCH 5 uid=0 size=0 flags= date= env= bs= body=true/2/" + crcOf("hi")}},
	{"section with spaces in the item name",
		"* 6 FETCH (BODY[HEADER.FIELDS (TO CC)] {2}\r\n\r\n UID 9)\r\n",
		[]string{"FETCH 6 uid=9 size=0 flags= date= env= bs= body=false/0/00000000"}},
	{"literal cut short", "* 7 FETCH (BODY[] {10}\r\nabc",
		[]string{"error: unexpected EOF"}},
	{"bad literal length", "* 7 FETCH (BODY[] {1x}\r\n",
		[]string{"error: response syntax: bad literal length"}},
	{"huge literal", "* 7 FETCH (ENVELOPE {99999999999}\r\n",
		[]string{"error: response syntax: bad literal length"}},
	{"BODY[] not a string", "* 8 FETCH (BODY[] 12)\r\n",
		[]string{`error: response syntax: BODY[]: want a string, have "12"`}},
	{"unbalanced list", "* 9 FETCH (FLAGS (\\Seen)\r\n",
		[]string{`error: response syntax: want an atom, have '\r'`}},
	{"line ends in a quoted string", "* 9 FETCH (ENVELOPE (\"a\r\n",
		[]string{"error: response syntax: line ends inside a quoted string"}},
	{"missing space after the tag", "a1\r\n",
		[]string{`error: response syntax: want ' ', have '\r'`}},
}

func TestResponses(t *testing.T) {
	for _, tt := range responseTests {
		t.Run(tt.name, func(t *testing.T) {
			got := responses(tt.in)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
		})
	}
}

// TestDeepList checks that nesting is bounded rather than recursing
// without end.
func TestDeepList(t *testing.T) {
	in := "* 1 FETCH (BODYSTRUCTURE " + strings.Repeat("(", 500) + strings.Repeat(")", 500) + ")\r\n"
	got := responses(in)
	if len(got) != 1 || !strings.Contains(got[0], "nested too deep") {
		t.Errorf("got %q, want a nesting error", got)
	}
}

func TestTrailingLiteral(t *testing.T) {
	for _, tt := range []struct {
		line string
		n    int64
		ok   bool
	}{
		{"* LIST () \"/\" {12}\r\n", 12, true},
		{"{0}\n", 0, true},
		{"* OK done\r\n", 0, false},
		{"* OK {x}\r\n", 0, false},
		{"* OK {-1}\r\n", 0, false},
		{"* OK }\r\n", 0, false},
	} {
		n, ok := trailingLiteral([]byte(tt.line))
		if n != tt.n || ok != tt.ok {
			t.Errorf("trailingLiteral(%q) = %d, %v; want %d, %v", tt.line, n, ok, tt.n, tt.ok)
		}
	}
}

func TestSnippets(t *testing.T) {
	a := strings.Repeat("x", 100) + "A" + strings.Repeat("y", 200)
	b := strings.Repeat("x", 100) + "B" + strings.Repeat("y", 200)
	ca, cb := snippets(a, b)
	want := "..." + strings.Repeat("x", 60) + "A" + strings.Repeat("y", 99) + "..."
	if ca != want || cb != strings.Replace(want, "A", "B", 1) {
		t.Errorf("snippets:\n%q\n%q", ca, cb)
	}
	if ca, cb := snippets("ab", "abc"); ca != "ab" || cb != "abc" {
		t.Errorf("snippets of short strings: %q %q", ca, cb)
	}
}
