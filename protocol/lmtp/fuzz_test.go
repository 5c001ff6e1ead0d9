package lmtp

import (
	"strings"
	"testing"
)

// FuzzCommand: the command parser never panics, and what it accepts is
// well formed: an address without spaces, controls or brackets, at
// most maxParams parameters, a recipient's user without '+' or '@'.
func FuzzCommand(f *testing.F) {
	for _, s := range []string{"MAIL FROM:<a@b> SIZE=10 BODY=8BITMIME", "RCPT TO:<u+d@x>", "rcpt to: <@r,@s:u@x>",
		"MAIL FROM:<>", "LHLO x", "RCPT TO:<\"q\"@x>", "MAIL FROM:<a@b>x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		verb, arg := parseCommand(line)
		if strings.ContainsRune(verb, ' ') {
			t.Fatalf("verb %q holds a space", verb)
		}
		for _, prefix := range []string{"FROM:", "TO:"} {
			p, err := parsePath(arg, prefix)
			if err != nil {
				continue
			}
			if strings.ContainsAny(p.addr, " <>\r\n\t\x00") || len(p.params) > maxParams {
				t.Fatalf("parsePath(%q) = %+v", arg, p)
			}
			if v, ok := p.params["SIZE"]; ok {
				if n, err := parseSize(v); err == nil && n < 0 {
					t.Fatalf("SIZE %q = %d", v, n)
				}
			}
			if user, _, err := splitRecipient(p.addr); err == nil && (user == "" || strings.ContainsAny(user, "+@\"")) {
				t.Fatalf("splitRecipient(%q) user %q", p.addr, user)
			}
		}
	})
}
