package mime

import (
	"bytes"
	"strings"
)

// maxWord bounds an encoded word's "X?text" part: longer words would not
// fit 4e's 1024-byte decode buffer and are left encoded.
const maxWord = 1023

// DecodeHeader decodes RFC 2047 encoded words in s the way 4e upasfs does
// for `header` and `info` (decision 1, spec §1.5): a word is
// =?charset?B|Q?text?= with no white space inside; '_' is a space in Q
// words; white space between two adjacent encoded words is dropped; the
// decoded text stops at a NUL byte. A word is left as it stands when it
// is too long (see maxWord), its encoding is not B or Q, or its charset
// is unknown. A charset's RFC 2231 "*language" suffix is ignored.
func DecodeHeader(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	var b strings.Builder
	uneaten := 0
	for p := 0; p < len(s); {
		c := s[p]
		p++
		if c != '=' {
			continue
		}
		tok := wordStart(s, uneaten, p)
		if tok < 0 {
			continue
		}
		b.WriteString(s[uneaten:tok])
		if !decodeWord(&b, s[tok:p]) {
			b.WriteString(s[tok:p])
		}
		uneaten = p
		for p < len(s) && isSpace(s[p]) {
			p++
		}
		if p+2 < len(s) && s[p] == '=' && s[p+1] == '?' {
			uneaten = p // paste adjacent words
		}
	}
	b.WriteString(s[uneaten:])
	return b.String()
}

// wordStart returns the index of the "=?" that opens an encoded word
// ending just before end (s[end-2:end] is "?="), not before start, or -1.
// Between "=?" and "?=" there must be exactly two more '?' and no white
// space. (4e scans back to the third '?' and wants '=' just before it;
// stopping there keeps the scan linear over a whole header.)
func wordStart(s string, start, end int) int {
	if end-2 < start || s[end-2] != '?' {
		return -1
	}
	quests := 0
	for i := end - 3; i >= start; i-- {
		switch s[i] {
		case '?':
			if quests++; quests == 3 {
				if i-1 >= start && s[i-1] == '=' {
					return i - 1
				}
				return -1
			}
		case ' ', '\t', '\n', '\r':
			return -1
		}
	}
	return -1
}

// decodeWord appends the decoding of the encoded word w to b and reports
// whether it could.
func decodeWord(b *strings.Builder, w string) bool {
	w = w[2 : len(w)-2] // charset?X?text
	q := strings.IndexByte(w, '?')
	if q < 0 || q >= 100 {
		return false
	}
	cs, rest := w[:q], w[q+1:]
	if i := strings.IndexByte(cs, '*'); i >= 0 {
		cs = cs[:i]
	}
	if len(rest) > maxWord || len(rest) < 2 || rest[1] != '?' {
		return false
	}
	var dec []byte
	switch lower(rest[0]) {
	case 'b':
		dec = dec64([]byte(rest[2:]))
	case 'q':
		dec = decodeQWord(rest[2:])
	default:
		return false
	}
	if i := bytes.IndexByte(dec, 0); i >= 0 {
		dec = dec[:i]
	}
	out, ok := toUTF8(cs, dec)
	if !ok {
		return false
	}
	b.Write(out)
	return true
}

// decodeQWord decodes the text of a Q word as 4e does: quoted-printable
// with '_' as space, a trailing '=' taken as a soft break. 4e decodes it
// as a body line, which ends in a newline unless soft, and then drops one
// trailing newline.
func decodeQWord(t string) []byte {
	out := qpLine(nil, []byte(t), true)
	if n := len(out); n > 0 && out[n-1] == '\n' {
		out = out[:n-1]
	}
	return out
}
