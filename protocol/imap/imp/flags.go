package imp

import "fmt"

// Flags is a message's flag set as a .imp line stores it (spec §2.5).
// The bits are those of Plan 9's imap4d (MSeen ... MRecent).
type Flags uint8

// The flags a .imp line can carry.
const (
	Seen Flags = 1 << iota
	Answered
	Flagged
	Deleted
	Draft
	Recent
)

// System is the five system flags that persist as such; Recent
// persists only as the 'r' a STATUS session leaves (spec §2.5, decision 8).
const System = Seen | Answered | Flagged | Deleted | Draft

// NFlags is the width of the flags field (imap4d's NFlags).
const NFlags = 8

// flagChars gives, by position, the character of a set flag; positions
// 7 and 8 have no flag and are always '-' (spec §2.5).
const flagChars = "safDdr--"

// String returns the 8-character field, e.g. "s-f-----": a flag's letter
// when set, '-' when clear. Bits above Recent are not shown.
func (f Flags) String() string {
	var b [NFlags]byte
	return string(f.appendField(b[:0]))
}

func (f Flags) appendField(b []byte) []byte {
	for i := range NFlags {
		c := byte('-')
		if f&(1<<i) != 0 && flagChars[i] != '-' {
			c = flagChars[i]
		}
		b = append(b, c)
	}
	return b
}

// ParseFlags parses an 8-character flags field. Each position holds its
// own letter or '-'; anything else, including a letter in another
// flag's position or in positions 7–8, is an error (imap4d's impFlags
// rejects the file then).
func ParseFlags(field string) (Flags, error) {
	if len(field) != NFlags {
		return 0, fmt.Errorf("flags %q: want %d characters", field, NFlags)
	}
	var f Flags
	for i := range NFlags {
		switch c := field[i]; {
		case c == '-':
		case c == flagChars[i]:
			f |= 1 << i
		default:
			return 0, fmt.Errorf("flags %q: bad character %q at %d", field, c, i+1)
		}
	}
	return f, nil
}
