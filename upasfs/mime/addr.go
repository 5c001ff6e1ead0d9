package mime

// addr822 reduces an address-list field value to its addr-specs separated
// by one space (spec §1.4 "Address-list format", 4e's addr822): white
// space and (comments) are dropped, a <route-addr> replaces what came
// before it, quoted strings are kept verbatim with their quotes, commas
// outside <> separate addresses. Display names are lost; group syntax
// passes through as text. The result is absent when no address is given.
func addr822(v []byte) opt {
	var list, s []byte
	var quoted, inComment, addrDone, inAngle bool
	n := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !quoted && isSpace(c) || c == '\r' {
			continue
		}
		if !quoted && c == '"' {
			i = quotedString(v, i, &s, !addrDone && !inComment)
			if i >= len(v) {
				break
			}
			continue
		}
		if !quoted && c == '(' {
			inComment = true
			continue
		}
		if inComment {
			if !quoted && c == ')' {
				inComment = false
			}
			quoted = false
			continue
		}
		if !quoted && c == '<' && !inAngle {
			inAngle = true
			s = s[:0]
			continue
		}
		if !quoted && c == '>' && inAngle {
			addrDone, inAngle = true, false
			continue
		}
		if !quoted && c == ',' && !inAngle {
			addrDone = false
			list = appendAddr(list, s, n)
			n++
			s = s[:0]
			continue
		}
		s = append(s, c)
		quoted = c == '\\'
	}
	if len(s) > 0 {
		list = appendAddr(list, s, n)
		n++
	}
	if n == 0 {
		return opt{}
	}
	return opt{string(list), true}
}

// quotedString consumes the quoted string opening at v[i], appending it
// with its quotes to *s when keep is set. It returns the index of the
// closing quote, or len(v) if there is none.
func quotedString(v []byte, i int, s *[]byte, keep bool) int {
	if keep {
		*s = append(*s, '"')
	}
	quoted := false
	for i++; i < len(v); i++ {
		if keep {
			*s = append(*s, v[i])
		}
		if !quoted && v[i] == '"' {
			return i
		}
		quoted = v[i] == '\\'
	}
	return i
}

// appendAddr adds address a as the n'th (0-based) of list.
func appendAddr(list, a []byte, n int) []byte {
	if n != 0 {
		list = append(list, ' ')
	}
	return append(list, a...)
}
