package testenv

import (
	"bytes"
	"encoding/base64"
	"unicode/utf8"
)

const hexDigits = "0123456789ABCDEF"

// appendQP appends text (LF line ends) in quoted-printable (RFC 2045
// §6.7): output lines of at most 76 characters with "=\n" soft breaks,
// '=' and bytes outside printable ASCII as =XX, and space or tab before
// a line end encoded so that no line ends in white space.
func appendQP(dst, text []byte) []byte {
	col := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\n' {
			dst = append(dst, '\n')
			col = 0
			continue
		}
		atEOL := i+1 == len(text) || text[i+1] == '\n'
		literal := (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !atEOL)
		n := 3
		if literal {
			n = 1
		}
		// Leave room for the '=' of a soft break, unless this is the
		// last character of the line (RFC 2045 rule 5).
		limit := 75
		if atEOL {
			limit = 76
		}
		if col+n > limit {
			dst = append(dst, '=', '\n')
			col = 0
		}
		if literal {
			dst = append(dst, c)
		} else {
			dst = append(dst, '=', hexDigits[c>>4], hexDigits[c&15])
		}
		col += n
	}
	return dst
}

// appendBase64Lines appends data in base64 (RFC 2045 §6.8), 76 characters
// per line, every line ending in "\n".
func appendBase64Lines(dst, data []byte) []byte {
	for len(data) > 0 {
		n := min(len(data), 57)
		dst = base64.StdEncoding.AppendEncode(dst, data[:n])
		dst = append(dst, '\n')
		data = data[n:]
	}
	return dst
}

// appendLatin1 appends s converted from UTF-8 to ISO-8859-1; runes above
// U+00FF become '?'.
func appendLatin1(dst []byte, s []byte) []byte {
	for len(s) > 0 {
		r, n := utf8.DecodeRune(s)
		if r > 0xff {
			r = '?'
		}
		dst = append(dst, byte(r))
		s = s[n:]
	}
	return dst
}

// qWordSafe reports whether c may appear unencoded in a Q encoded-word in
// a phrase or *text (RFC 2047 §5 rule 3).
func qWordSafe(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '!' || c == '*' || c == '+' || c == '-' || c == '/'
}

// maxWord is the longest encoded-word RFC 2047 §2 allows.
const maxWord = 75

// maxLine is the longest header line holding encoded-words (RFC 2047 §2).
const maxLine = 76

// appendWords appends text as one or more adjacent RFC 2047 encoded-words
// ('B' or 'Q' per enc) in charset; text is already in that charset. Words
// never split a UTF-8 sequence when the charset is UTF-8, are at most 75
// characters, and fill the current header line up to 76 characters;
// adjacent words are separated by a space or a fold ("\n ").
func appendWords(dst []byte, charset string, enc byte, text []byte) []byte {
	utf := charset == "UTF-8" || charset == "utf-8"
	overhead := len(charset) + 7 // =?cs?X?...?=
	for first := true; len(text) > 0; first = false {
		col := len(dst) - (bytes.LastIndexByte(dst, '\n') + 1)
		if !first {
			if col+1+overhead+4 > maxLine {
				dst = append(dst, '\n', ' ')
				col = 1
			} else {
				dst = append(dst, ' ')
				col++
			}
		}
		room := min(maxWord, maxLine-col) - overhead
		if room < 4 {
			room = maxWord - overhead // a long field name: the line runs over
		}
		n := wordChunk(text, room, enc, utf)
		dst = append(dst, "=?"...)
		dst = append(dst, charset...)
		dst = append(dst, '?', enc, '?')
		if enc == 'B' || enc == 'b' {
			dst = base64.StdEncoding.AppendEncode(dst, text[:n])
		} else {
			dst = appendQWord(dst, text[:n])
		}
		dst = append(dst, "?="...)
		text = text[n:]
	}
	return dst
}

// appendQWord appends text in Q encoding (RFC 2047 §4.2): space as '_'.
func appendQWord(dst, text []byte) []byte {
	for _, c := range text {
		switch {
		case c == ' ':
			dst = append(dst, '_')
		case qWordSafe(c):
			dst = append(dst, c)
		default:
			dst = append(dst, '=', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return dst
}

// encodedLen is the length of text once B or Q encoded.
func encodedLen(text []byte, enc byte) int {
	if enc == 'B' || enc == 'b' {
		return base64.StdEncoding.EncodedLen(len(text))
	}
	n := 0
	for _, c := range text {
		if c == ' ' || qWordSafe(c) {
			n++
		} else {
			n += 3
		}
	}
	return n
}

// wordChunk returns how many leading bytes of text fit in an encoded
// word of at most room encoded characters, at least one rune.
func wordChunk(text []byte, room int, enc byte, utf bool) int {
	n := 0
	for n < len(text) {
		m := 1
		if utf {
			_, m = utf8.DecodeRune(text[n:])
		}
		if n > 0 && encodedLen(text[:n+m], enc) > room {
			break
		}
		n += m
	}
	return n
}

// appendFoldSpace appends the white space before a token of length n: a
// space, or a fold when the current line would pass 76 characters
// (RFC 5322 §2.2.3).
func appendFoldSpace(dst []byte, n int) []byte {
	col := len(dst) - (bytes.LastIndexByte(dst, '\n') + 1)
	if col+1+n > 76 {
		return append(dst, '\n', ' ')
	}
	return append(dst, ' ')
}
