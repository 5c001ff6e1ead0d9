package imp

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// dig expands a one-character key (a hex digit) to a 40-digit digest.
func dig(key string) string { return strings.Repeat(key, NDigest) }

// impText builds .imp bytes by hand, not with Marshal: header is the
// second line without its newline, each line is "<key> <uid> <flags>"
// with the digest given by its one-character key.
func impText(header string, lines ...string) []byte {
	var b strings.Builder
	b.WriteString(Magic + header + "\n")
	for _, l := range lines {
		b.WriteString(dig(l[:1]) + l[1:] + "\n")
	}
	return []byte(b.String())
}

// box builds messages from "<key> <uid> <flags>[ x]": flags is the
// 8-character field, its 'r' standing for Msg.Recent; " x" marks the
// message expunged.
func box(t testing.TB, specs ...string) []*Msg {
	t.Helper()
	var ms []*Msg
	for _, s := range specs {
		f := strings.Fields(s)
		uid, err := strconv.ParseUint(f[1], 10, 32)
		if err != nil {
			t.Fatalf("box %q: %v", s, err)
		}
		fl, err := ParseFlags(f[2])
		if err != nil {
			t.Fatalf("box %q: %v", s, err)
		}
		ms = append(ms, &Msg{Digest: dig(f[0]), UID: uint32(uid), Flags: fl &^ Recent,
			Recent: fl&Recent != 0, Expunged: len(f) > 3 && f[3] == "x"})
	}
	return ms
}

// show renders messages in box's notation.
func show(ms []*Msg) []string {
	var out []string
	for _, m := range ms {
		fl := m.Flags
		if m.Recent {
			fl |= Recent
		}
		s := fmt.Sprintf("%s %d %s", m.Digest[:1], m.UID, fl)
		if m.Expunged {
			s += " x"
		}
		out = append(out, s)
	}
	return out
}

func sameStrings(a, b []string) bool {
	return strings.Join(a, "\n") == strings.Join(b, "\n")
}
