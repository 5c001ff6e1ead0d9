package imp

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	data := impText("1606780800 0000000007",
		"a 0000000001 s-------",
		"b 0000000003 -a-D-r--",
		"a 0000000006 --------",
		"c 0000000000 s-f-----",
		"c 0000000000 ----d---")
	want := &File{UIDValidity: 1606780800, UIDNext: 7, Lines: []Line{
		{dig("a"), 1, Seen},
		{dig("b"), 3, Answered | Deleted | Recent},
		{dig("a"), 6, 0},
		{dig("c"), 0, Seen | Flagged},
		{dig("c"), 0, Draft},
	}}
	f, err := Parse(data)
	if err != nil || !reflect.DeepEqual(f, want) {
		t.Fatalf("Parse = %+v, %v\nwant %+v", f, err, want)
	}
	if got := string(f.Marshal()); got != string(data) {
		t.Errorf("Marshal(Parse(x)) =\n%s\nwant\n%s", got, data)
	}
}

// Every malformed variant is rejected with ErrBad.
func TestParseRejects(t *testing.T) {
	good := string(impText("1606780800 0000000005", "a 0000000001 s-------", "b 0000000002 --------"))
	lines := strings.SplitAfter(good, "\n")
	magic, header, line3 := lines[0], lines[1], lines[2]
	for _, tc := range []struct{ name, data string }{
		{"empty", ""},
		{"magic only", magic},
		{"wrong magic", "imap internal mailbox descriptor\n" + header + line3},
		{"magic upper case", "IMAP internal mailbox description\n" + header},
		{"magic without newline", strings.TrimSuffix(magic, "\n")},
		{"magic with CRLF", "imap internal mailbox description\r\n" + header},
		{"header missing newline", magic + "1606780800 0000000005"},
		{"header short", magic + "1606780800 000000005\n"},
		{"header long", magic + "1606780800 00000000005\n"},
		{"header 9-digit validity", magic + "160678080 00000000005\n"},
		{"header tab", magic + "1606780800\t0000000005\n"},
		{"header sign", magic + "+606780800 0000000005\n"},
		{"header leading space", magic + " 606780800 0000000005\n"},
		{"uidnext 0", magic + "1606780800 0000000000\n"},
		{"uidvalidity 0", magic + "0000000000 0000000005\n"},
		{"uidnext overflow", magic + "1606780800 4294967296\n"},
		{"uidvalidity overflow", magic + "9999999999 0000000005\n"},
		{"line short", magic + header + dig("a")[1:] + " 0000000001 s-------\n"},
		{"line long", magic + header + dig("a") + "0 0000000001 s-------\n"},
		{"line without flags", magic + header + dig("a") + " 0000000001\n"},
		{"upper case hex", magic + header + strings.ToUpper(dig("a")) + " 0000000001 s-------\n"},
		{"non-hex digest", magic + header + dig("g") + " 0000000001 s-------\n"},
		{"9-digit uid", magic + header + dig("a") + " 000000001 s--------\n"},
		{"11-digit uid", magic + header + dig("a") + " 00000000001 s------\n"},
		{"uid overflow", magic + "1606780800 4294967295\n" + dig("a") + " 4294967296 s-------\n"},
		{"uid with sign", magic + header + dig("a") + " +000000001 s-------\n"},
		{"bad flag char", magic + header + dig("a") + " 0000000001 x-------\n"},
		{"flag in wrong place", magic + header + dig("a") + " 0000000001 -s------\n"},
		{"flag in position 7", magic + header + dig("a") + " 0000000001 ------r-\n"},
		{"7 flags", magic + header + dig("a") + " 0000000001 s------\n"},
		{"9 flags", magic + header + dig("a") + " 0000000001 s--------\n"},
		{"double space", magic + header + dig("a") + "  000000001 s-------\n"},
		{"missing final newline", strings.TrimSuffix(good, "\n")},
		{"CRLF line", magic + header + strings.TrimSuffix(line3, "\n") + "\r\n"},
		{"blank line", good + "\n"},
		{"trailing garbage", good + "x"},
		{"uids not ascending", string(impText("1606780800 0000000005", "a 0000000002 --------", "b 0000000001 --------"))},
		{"uid repeated", string(impText("1606780800 0000000005", "a 0000000002 --------", "b 0000000002 --------"))},
		{"uid at uidnext", string(impText("1606780800 0000000005", "a 0000000005 --------"))},
		{"uid after uid-0", string(impText("1606780800 0000000005", "a 0000000000 --------", "b 0000000002 --------"))},
	} {
		f, err := Parse([]byte(tc.data))
		t.Logf("%s: %v", tc.name, err)
		if !errors.Is(err, ErrBad) {
			t.Errorf("%s: Parse(%q) = %+v, %v; want ErrBad", tc.name, tc.data, f, err)
		}
	}
	if _, err := Parse([]byte(good)); err != nil {
		t.Errorf("good file: %v", err)
	}
}

// The error names the offending line.
func TestParseErrorLine(t *testing.T) {
	data := impText("1606780800 0000000005", "a 0000000001 s-------", "b 0000000002 -S------")
	_, err := Parse(data)
	if err == nil || !strings.Contains(err.Error(), "line 4:") {
		t.Errorf("Parse error %v, want one naming line 4", err)
	}
}
