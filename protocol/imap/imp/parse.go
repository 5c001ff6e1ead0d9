package imp

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// ErrBad is wrapped by every Parse error: the file is malformed and,
// as imap4d does, the caller regenerates it (spec §2.5).
var ErrBad = errors.New("bad .imp file")

func bad(line int, format string, args ...any) error {
	return fmt.Errorf("%w: line %d: %s", ErrBad, line, fmt.Sprintf(format, args...))
}

// Parse reads a whole .imp file strictly: exactly Magic; a second line
// of two 10-digit numbers, UIDVALIDITY and UIDNEXT, both non-zero; then
// 60-character lines of 40 lowercase hex digits, a 10-digit UID and an
// 8-character flags field (ParseFlags), each ending in a newline.
// Non-zero UIDs must ascend, stay below UIDNEXT and come before every
// UID-0 line, as imap4d's parseImp demands. Numbers above 2³²−1 are
// errors. On success Marshal gives back data exactly.
func Parse(data []byte) (*File, error) {
	s := string(data) // one copy; the digests are substrings of it
	st, err := parseHeader(s)
	if err != nil {
		return nil, err
	}
	f := &File{UIDValidity: st.UIDValidity, UIDNext: st.UIDNext}
	f.Lines = make([]Line, 0, (len(s)-HeaderLen)/LineLen)
	var prev uint32 // last non-zero UID
	zero := false   // a UID-0 line was seen
	for n, rest := 3, s[HeaderLen:]; rest != ""; n++ {
		i := strings.IndexByte(rest, '\n')
		if i < 0 {
			return nil, bad(n, "no final newline")
		}
		l, err := parseLine(rest[:i], n)
		if err != nil {
			return nil, err
		}
		if l.UID != 0 {
			switch {
			case zero:
				return nil, bad(n, "uid %d after a uid-0 line", l.UID)
			case l.UID <= prev:
				return nil, bad(n, "uid %d not above %d", l.UID, prev)
			case l.UID >= f.UIDNext:
				return nil, bad(n, "uid %d not below uidnext %d", l.UID, f.UIDNext)
			}
			prev = l.UID
		}
		zero = zero || l.UID == 0
		f.Lines = append(f.Lines, l)
		rest = rest[i+1:]
	}
	return f, nil
}

// parseHeader reads the first two lines of s (spec §2.5).
func parseHeader(s string) (State, error) {
	if !strings.HasPrefix(s, Magic) {
		return State{}, bad(1, "wrong magic")
	}
	h := s[len(Magic):]
	i := strings.IndexByte(h, '\n')
	if i != 2*NUid+1 || h[NUid] != ' ' {
		return State{}, bad(2, "want %q", "<uidvalidity:10> <uidnext:10>")
	}
	validity, ok1 := parseNum(h[:NUid])
	next, ok2 := parseNum(h[NUid+1 : 2*NUid+1])
	switch {
	case !ok1 || !ok2:
		return State{}, bad(2, "bad number in %q", h[:i])
	case validity == 0:
		return State{}, bad(2, "uidvalidity 0")
	case next == 0:
		return State{}, bad(2, "uidnext 0")
	}
	return State{UIDValidity: validity, UIDNext: next}, nil
}

// parseLine reads one message line s, without its newline; n is its
// line number for errors.
func parseLine(s string, n int) (Line, error) {
	if len(s) != LineLen-1 {
		return Line{}, bad(n, "%d bytes, want %d", len(s), LineLen-1)
	}
	digest, uidField, flagField := s[:NDigest], s[NDigest+1:NDigest+1+NUid], s[NDigest+NUid+2:]
	if s[NDigest] != ' ' || s[NDigest+NUid+1] != ' ' {
		return Line{}, bad(n, "want %q", "<digest> <uid> <flags>")
	}
	if !validDigest(digest) {
		return Line{}, bad(n, "digest %q is not 40 lowercase hex digits", digest)
	}
	uid, ok := parseNum(uidField)
	if !ok {
		return Line{}, bad(n, "bad uid %q", uidField)
	}
	fl, err := ParseFlags(flagField)
	if err != nil {
		return Line{}, bad(n, "%v", err)
	}
	return Line{Digest: digest, UID: uid, Flags: fl}, nil
}

// parseNum reads NUid decimal digits; ok is false for anything else,
// including a value above 2³²−1.
func parseNum(s string) (v uint32, ok bool) {
	if len(s) != NUid {
		return 0, false
	}
	var u uint64
	for i := range len(s) {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	if u > math.MaxUint32 {
		return 0, false
	}
	return uint32(u), true
}
