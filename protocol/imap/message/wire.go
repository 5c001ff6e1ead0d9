package message

import "strconv"

// appendString appends s as an IMAP string (RFC 3501 §4.3, §9
// "string"): quoted when every byte is a 7-bit TEXT-CHAR, otherwise a
// literal, whose NUL bytes are sent as 0x80 (decision 6).
func appendString(dst []byte, s string) []byte {
	if quotable(s) {
		dst = append(dst, '"')
		for i := 0; i < len(s); i++ {
			if s[i] == '"' || s[i] == '\\' {
				dst = append(dst, '\\')
			}
			dst = append(dst, s[i])
		}
		return append(dst, '"')
	}
	dst = append(dst, '{')
	dst = strconv.AppendInt(dst, int64(len(s)), 10)
	dst = append(dst, "}\r\n"...)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == 0 {
			c = 0x80
		}
		dst = append(dst, c)
	}
	return dst
}

// quotable reports whether s fits a quoted string: CHAR except NUL, CR
// and LF.
func quotable(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == 0 || c == '\r' || c == '\n' || c >= 0x80 {
			return false
		}
	}
	return true
}

// appendNString appends s, or NIL when s is nil.
func appendNString(dst []byte, s *string) []byte {
	if s == nil {
		return append(dst, "NIL"...)
	}
	return appendString(dst, *s)
}

// appendNonEmpty appends s, or NIL when s is empty.
func appendNonEmpty(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, "NIL"...)
	}
	return appendString(dst, s)
}
