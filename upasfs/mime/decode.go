package mime

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // every charset go-message knows (decision 2)
)

// decodeTransfer undoes a Content-Transfer-Encoding (spec §1.4 body).
// Neither decoder fails: bad input decodes to what can be made of it.
func decodeTransfer(enc string, b []byte) []byte {
	switch enc {
	case "base64":
		return dec64(b)
	case "quoted-printable":
		return decodeQP(b)
	}
	return b
}

// b64 maps base64 digits to their values; other bytes are 0xff.
var b64 = func() (t [256]byte) {
	const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range t {
		t[i] = 0xff
	}
	for i := 0; i < len(digits); i++ {
		t[digits[i]] = byte(i)
	}
	return t
}()

// dec64 decodes base64 as Plan 9's dec64 does: bytes that are not base64
// digits (padding included) are skipped, and a final partial group gives
// the whole bytes it holds.
func dec64(in []byte) []byte {
	out := make([]byte, 0, len(in)*3/4+2)
	var b24 uint32
	i := 0
	for _, ch := range in {
		c := b64[ch]
		if c == 0xff {
			continue
		}
		b24 = b24<<6 | uint32(c)
		if i++; i == 4 {
			out = append(out, byte(b24>>16), byte(b24>>8), byte(b24))
			b24, i = 0, 0
		}
	}
	switch i {
	case 2:
		out = append(out, byte(b24>>4))
	case 3:
		out = append(out, byte(b24>>10), byte(b24>>2))
	}
	return out
}

// decodeQP decodes a quoted-printable body as 4e's decquoted does: line
// by line (see qpLine), and the result always ends in a newline.
func decodeQP(in []byte) []byte {
	out := make([]byte, 0, len(in)+1)
	for len(in) > 0 {
		l := in
		if i := bytes.IndexByte(in, '\n'); i >= 0 {
			l, in = in[:i], in[i+1:]
		} else {
			in = nil
		}
		out = qpLine(out, l, false)
	}
	if n := len(out); n > 0 && out[n-1] != '\n' {
		out = append(out, '\n')
	}
	return out
}

// qpLine appends the decoding of one quoted-printable line (without its
// newline) to out: trailing blanks are dropped; a final '=' is a soft
// break, otherwise a newline is added; "=XX" with two hex digits is the
// byte XX and any other '=' stands for itself. uscores makes '_' a space
// (RFC 2047 Q words).
func qpLine(out, l []byte, uscores bool) []byte {
	for len(l) > 0 {
		c := l[len(l)-1]
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			break
		}
		l = l[:len(l)-1]
	}
	soft := len(l) > 0 && l[len(l)-1] == '='
	if soft {
		l = l[:len(l)-1]
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case c == '_' && uscores:
			out = append(out, ' ')
		case c == '=' && isHex(l, i+1) && isHex(l, i+2):
			out = append(out, unhex(l[i+1])<<4|unhex(l[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	if !soft {
		out = append(out, '\n')
	}
	return out
}

func isHex(l []byte, i int) bool {
	if i >= len(l) {
		return false
	}
	c := l[i]
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// toUTF8 converts b from charset cs to UTF-8 (decision 2) and reports
// whether cs is known. us-ascii and utf-8 are taken as they are and
// iso-8859-1 is mapped directly, as 4e does; any other charset goes
// through go-message's CharsetReader, which knows every charset once
// github.com/emersion/go-message/charset is linked in, and none before.
func toUTF8(cs string, b []byte) ([]byte, bool) {
	switch {
	case strings.EqualFold(cs, "us-ascii"), strings.EqualFold(cs, "utf-8"):
		return b, true
	case strings.EqualFold(cs, "iso-8859-1"):
		return latin1(b), true
	}
	conv := message.CharsetReader
	if conv == nil {
		return b, false
	}
	r, err := conv(cs, bytes.NewReader(b))
	if err != nil {
		return b, false
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return b, false
	}
	return out, true
}

// latin1 converts ISO-8859-1 to UTF-8.
func latin1(b []byte) []byte {
	n := 0
	for _, c := range b {
		if c >= 0x80 {
			n++
		}
	}
	if n == 0 {
		return b
	}
	out := make([]byte, 0, len(b)+n)
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return out
}

// dropNUL removes NUL bytes, which upasfs squeezes out of text bodies
// (spec §1.4 "Header parsing").
func dropNUL(b []byte) []byte {
	if bytes.IndexByte(b, 0) < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c != 0 {
			out = append(out, c)
		}
	}
	return out
}
