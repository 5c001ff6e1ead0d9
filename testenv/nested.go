package testenv

import (
	"fmt"
	"strings"
)

// NestedLeaf is the text of the innermost part of a NestedMessage.
const NestedLeaf = "the innermost part\n"

// NestedMessage returns an mbox of one message (From line included)
// whose body nests depth levels deep: with rfc822 false, multipart/mixed
// parts inside each other, each holding one part; with rfc822 true,
// message/rfc822 parts inside each other, the innermost message's
// body being text. The text (NestedLeaf) is at IMAP section 1.1...1
// (RFC 3501 §6.4.5): depth times "1" for multipart, depth+1 for rfc822,
// where depth times "1" is the innermost message. Each encapsulated
// message has the Subject "level <k>"; the message's own is
// "nested <depth>".
func NestedMessage(depth int, rfc822 bool) []byte {
	var b strings.Builder
	b.WriteString("From nest@example.com Mon Jan  6 10:00:00 GMT 2025\n")
	fmt.Fprintf(&b, "From: Nest <nest@example.com>\nTo: glenda@example.com\nSubject: nested %d\n", depth)
	b.WriteString("Date: Mon, 6 Jan 2025 10:00:00 +0000\nMessage-ID: <nested@example.com>\nMIME-Version: 1.0\n")
	if rfc822 {
		for k := 1; k <= depth; k++ {
			fmt.Fprintf(&b, "Content-Type: message/rfc822\n\nSubject: level %d\n", k)
		}
		b.WriteString("Content-Type: text/plain\n\n" + NestedLeaf)
	} else {
		for k := range depth {
			fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"=b%03d\"\n\n--=b%03d\n", k, k)
		}
		b.WriteString("Content-Type: text/plain\n\n" + NestedLeaf)
		for k := depth - 1; k >= 0; k-- {
			fmt.Fprintf(&b, "--=b%03d--\n", k)
		}
	}
	b.WriteString("\n")
	return []byte(b.String())
}
