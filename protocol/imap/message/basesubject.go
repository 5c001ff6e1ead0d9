package message

import (
	"strings"

	"p9mail/upasfs/mime"
)

// BaseSubject returns the base subject of a Subject field's raw value
// (RFC 5256 §2.1) and whether the subject marks a reply or forward
// (text was removed by step 2 or 6, or a subj-refwd by step 3: what
// THREAD=REFERENCES §3 step 6 calls a "Re:" subject). The result is
// UTF-8, its white space runs made one space, not case folded: compare
// it with AsciiCasemapCompare (i;ascii-casemap).
func BaseSubject(raw string) (base string, reply bool) {
	// (1) Decode RFC 2047 encoded words (as upasfs does, decision 1),
	// then make every run of white space (tabs, folds) one space.
	s := collapseSpace(mime.DecodeHeader(raw))
	for {
		// (2) Remove subj-trailer ("(fwd)" / WSP) repeatedly.
		for {
			t := strings.TrimRight(s, " ")
			if len(t) >= 5 && strings.EqualFold(t[len(t)-5:], "(fwd)") {
				t = t[:len(t)-5]
				reply = true
			}
			if t == s {
				break
			}
			s = t
		}
		// (3)-(5) Remove subj-leader and a leading subj-blob until
		// neither matches.
		for {
			if t, refwd := trimLeader(s); t != s {
				reply = reply || refwd
				s = t
				continue
			}
			if n := blobLen(s); n > 0 && strings.TrimLeft(s[n:], " ") != "" {
				s = s[n:]
				continue
			}
			break
		}
		// (6) "[fwd:" subj-base "]": remove the wrapping, go back to (2).
		if len(s) > 6 && strings.EqualFold(s[:5], "[fwd:") && s[len(s)-1] == ']' {
			s = s[5 : len(s)-1]
			reply = true
			continue
		}
		return s, reply
	}
}

// collapseSpace turns every run of white space (SP, HTAB, CR, LF)
// into one space (RFC 5256 §2.1 step 1).
func collapseSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteByte(c)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}

// trimLeader removes one subj-leader from the front of s (RFC 5256 §5):
//
//	subj-leader = (*subj-blob subj-refwd) / WSP
//	subj-refwd  = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
//
// refwd says the leader was a subj-refwd (a reply or forward).
func trimLeader(s string) (rest string, refwd bool) {
	if strings.HasPrefix(s, " ") {
		return s[1:], false
	}
	i := 0
	for {
		n := blobLen(s[i:])
		if n == 0 {
			break
		}
		i += n
	}
	if j := refwdLen(s[i:]); j > 0 {
		return s[i+j:], true
	}
	return s, false
}

// refwdLen is the length of a subj-refwd at the start of s, or 0.
func refwdLen(s string) int {
	var i int
	switch {
	case hasFoldPrefix(s, "re"):
		i = 2
	case hasFoldPrefix(s, "fwd"):
		i = 3
	case hasFoldPrefix(s, "fw"):
		i = 2
	default:
		return 0
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	i += blobLen(s[i:])
	if i < len(s) && s[i] == ':' {
		return i + 1
	}
	return 0
}

// blobLen is the length of a subj-blob at the start of s, or 0:
// "[" *BLOBCHAR "]" *WSP, BLOBCHAR being any CHAR but the brackets.
func blobLen(s string) int {
	if !strings.HasPrefix(s, "[") {
		return 0
	}
	i := 1
	for i < len(s) && s[i] != ']' && s[i] != '[' && s[i] != 0 && s[i] < 0x80 {
		i++
	}
	if i >= len(s) || s[i] != ']' {
		return 0
	}
	i++
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

func hasFoldPrefix(s, p string) bool {
	return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p)
}

// AsciiCasemap is s with the ASCII letters made upper case, the rest
// unchanged: the i;ascii-casemap comparator (RFC 4790 §9.2) compares
// these octet by octet.
func AsciiCasemap(s string) string {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'a' <= b[j] && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
