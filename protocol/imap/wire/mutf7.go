package wire

import (
	"errors"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Modified UTF-7 (RFC 3501 §5.1.3): printable US-ASCII other than "&"
// stands for itself, "&" is "&-", and every other character is UTF-16
// in modified BASE64 (with "," for "/") between "&" and "-".

const mbase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,"

var mbase64Value = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(mbase64); i++ {
		t[mbase64[i]] = int8(i)
	}
	return t
}()

func printableASCII(r rune) bool { return r >= 0x20 && r <= 0x7e }

// EncodeMUTF7 encodes a UTF-8 mailbox name in modified UTF-7. Octets of
// s that are not valid UTF-8 are encoded as U+FFFD.
func EncodeMUTF7(s string) string {
	var b strings.Builder
	var units []uint16
	flush := func() {
		if units != nil {
			b.WriteByte('&')
			encodeMBase64(&b, units)
			b.WriteByte('-')
			units = nil
		}
	}
	for _, r := range s {
		if !printableASCII(r) {
			units = utf16.AppendRune(units, r)
			continue
		}
		flush()
		b.WriteRune(r)
		if r == '&' {
			b.WriteByte('-')
		}
	}
	flush()
	return b.String()
}

// encodeMBase64 writes units big-endian in modified BASE64, the last
// group padded with zero bits and no "=".
func encodeMBase64(b *strings.Builder, units []uint16) {
	var acc uint32
	bits := 0
	for _, u := range units {
		acc = acc<<16 | uint32(u)
		bits += 16
		for bits >= 6 {
			bits -= 6
			b.WriteByte(mbase64[acc>>bits&63])
		}
	}
	if bits > 0 {
		b.WriteByte(mbase64[acc<<(6-bits)&63])
	}
}

var errMUTF7 = errors.New("mailbox name not in modified UTF-7")

// DecodeMUTF7 decodes a modified UTF-7 mailbox name to UTF-8. It accepts
// only the one form EncodeMUTF7 would produce: a name that is not
// printable US-ASCII, encodes a printable character, has a bad or
// unterminated BASE64 run, pads with non-zero bits, holds an unpaired
// surrogate or starts a run right after one ended ("-&", RFC 3501
// §5.1.3) is an error. So EncodeMUTF7(DecodeMUTF7(s)) == s.
func DecodeMUTF7(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '&' && i+1 < len(s) && s[i+1] == '-':
			b.WriteByte('&')
			i++
		case c == '&':
			end := strings.IndexByte(s[i+1:], '-')
			if end < 0 {
				return "", errMUTF7
			}
			if err := decodeMBase64(&b, s[i+1:i+1+end]); err != nil {
				return "", err
			}
			i += 1 + end
			if i+2 < len(s) && s[i+1] == '&' && s[i+2] != '-' {
				return "", errMUTF7 // adjacent runs
			}
		case printableASCII(rune(c)):
			b.WriteByte(c)
		default:
			return "", errMUTF7
		}
	}
	return b.String(), nil
}

// decodeMBase64 decodes one run between "&" and "-".
func decodeMBase64(b *strings.Builder, run string) error {
	var units []uint16
	var acc uint32
	bits := 0
	for i := 0; i < len(run); i++ {
		v := mbase64Value[run[i]]
		if v < 0 {
			return errMUTF7
		}
		acc = acc<<6 | uint32(v)
		bits += 6
		if bits >= 16 {
			bits -= 16
			units = append(units, uint16(acc>>bits))
		}
	}
	if bits >= 6 || acc&(1<<bits-1) != 0 || len(units) == 0 {
		return errMUTF7
	}
	for i := 0; i < len(units); i++ {
		r := rune(units[i])
		if utf16.IsSurrogate(r) {
			if i+1 == len(units) {
				return errMUTF7
			}
			r = utf16.DecodeRune(r, rune(units[i+1]))
			if r == utf8.RuneError {
				return errMUTF7
			}
			i++
		}
		if printableASCII(r) {
			return errMUTF7
		}
		b.WriteRune(r)
	}
	return nil
}
