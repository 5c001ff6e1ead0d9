package message

import (
	"fmt"
	"testing"
)

func TestSelectFields(t *testing.T) {
	hdr := "Received: from a\n\tby b\nSubject: hi\r\nsubject : again\nX-Junk\nfrom: me\n  folded\nBad Name: x\nTo: you"
	tests := []struct {
		names []string
		not   bool
		want  string
	}{
		{[]string{"SUBJECT"}, false, "Subject: hi\r\nsubject : again\n"},
		{[]string{"from", "received"}, false, "Received: from a\n\tby b\nfrom: me\n  folded\n"},
		{[]string{"to"}, false, "To: you"},
		{[]string{"subject", "from", "received"}, true, "To: you"},
		{nil, true, "Received: from a\n\tby b\nSubject: hi\r\nsubject : again\nfrom: me\n  folded\nTo: you"},
		{[]string{"x-junk", "bad name"}, false, ""},
	}
	for _, tt := range tests {
		got := string(SelectFields([]byte(hdr), tt.names, tt.not))
		if got != tt.want {
			t.Errorf("SelectFields(%q, %v)\n got %q\nwant %q", tt.names, tt.not, got, tt.want)
		}
	}
}

func TestParseFields(t *testing.T) {
	got := fmt.Sprint(parseFields([]byte("\tleading\nA: 1\r\n\t2 \nB:\nc d: no\nE :  e\n")))
	want := "[{A 1\t2} {B } {E e}]"
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestHeaderBlock(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "\r\n"},
		{"A: b\n", "A: b\r\n\r\n"},
		{"A: b\r\n", "A: b\r\n\r\n"},
		{"A: b", "A: b\r\n\r\n"},
		{"A: \x00\n", "A: \x80\r\n\r\n"},
	}
	for _, tt := range tests {
		if got := string(headerBlock([]byte(tt.in))); got != tt.want {
			t.Errorf("headerBlock(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseMIME(t *testing.T) {
	tests := []struct{ hdr, want string }{
		{"", `("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 0 0 NIL NIL NIL NIL)`},
		{"Content-Type: text\n", `("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 0 0 NIL NIL NIL NIL)`},
		{"Content-Type: image/png; name=\"a b.png\"\nContent-Transfer-Encoding: Base64\n", `("IMAGE" "PNG" ("NAME" "a b.png") NIL NIL "BASE64" 0 NIL NIL NIL NIL)`},
		{"Content-Type: text/plain\nContent-Type: text/html; charset=x\n", `("TEXT" "HTML" ("CHARSET" "x") NIL NIL "7BIT" 0 0 NIL NIL NIL NIL)`},
		{"Content-Type: application/x; a=1;; =2; b ; c=\"q;r\"; d=\"unterminated\n", `("APPLICATION" "X" ("A" "1" "C" "q;r" "D" "unterminated") NIL NIL "7BIT" 0 NIL NIL NIL NIL)`},
		{"Content-Disposition: attachment; filename*=utf-8''a%20b\nContent-Language: en\n", `("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 0 0 NIL ("ATTACHMENT" ("FILENAME*" "utf-8''a%20b")) "en" NIL)`},
		{"Content-Disposition: \"bad\"\nContent-Transfer-Encoding: \n", `("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 0 0 NIL NIL NIL NIL)`},
		{"Content-Type: (c) text/plain (d\\)e) ; (f) charset = \"a(b)\"\n", `("TEXT" "PLAIN" ("CHARSET" "a(b)") NIL NIL "7BIT" 0 0 NIL NIL NIL NIL)`},
	}
	for _, tt := range tests {
		n := &node{mime: parseMIME(parseFields([]byte(tt.hdr)), false)}
		b := n.body()
		b.Extended = true
		if got := string(b.Append(nil)); got != tt.want {
			t.Errorf("%q\n got %s\nwant %s", tt.hdr, got, tt.want)
		}
	}
}

// TestUnparsedMessage: a message/rfc822 part that upasfs gave no child
// still renders as RFC 3501's body-type-msg.
func TestUnparsedMessage(t *testing.T) {
	n := &node{mime: parseMIME(parseFields([]byte("Content-Type: message/rfc822\n")), false), geo: geometry{size: 12, textOff: 2, lines: 1}}
	want := `("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 10 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 0 0) 1)`
	if got := string(n.body().Append(nil)); got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}
