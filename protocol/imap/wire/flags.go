package wire

import "strings"

// System flags in their canonical case (RFC 3501 §2.3.2).
const (
	FlagSeen     = `\Seen`
	FlagAnswered = `\Answered`
	FlagFlagged  = `\Flagged`
	FlagDeleted  = `\Deleted`
	FlagDraft    = `\Draft`
	FlagRecent   = `\Recent`
)

var systemFlags = map[string]string{
	`\SEEN`:     FlagSeen,
	`\ANSWERED`: FlagAnswered,
	`\FLAGGED`:  FlagFlagged,
	`\DELETED`:  FlagDeleted,
	`\DRAFT`:    FlagDraft,
	`\RECENT`:   FlagRecent,
}

// CanonicalFlag returns a system flag in canonical case, matched
// case-insensitively; any other flag is returned unchanged.
func CanonicalFlag(f string) string {
	if len(f) > 0 && f[0] == '\\' {
		if c, ok := systemFlags[strings.ToUpper(f)]; ok {
			return c
		}
	}
	return f
}

// ExpectFlag reads a flag (RFC 3501 §9 flag): a keyword (an atom, as
// sent) or "\" atom. System flags, \Recent included, come back in
// canonical case; other "\" flags (flag-extension) as sent — whether to
// accept them is the engine's business.
func (d *Decoder) ExpectFlag(f *string) bool {
	if !d.consume('\\') {
		return d.run(cAtom, f, "flag")
	}
	var a string
	if !d.run(cAtom, &a, "flag name after \\") {
		return false
	}
	*f = CanonicalFlag(`\` + a)
	return true
}

// ExpectFlagList reads "(" [flag *(SP flag)] ")" (RFC 3501 §9
// flag-list). An empty list gives a non-nil empty slice.
func (d *Decoder) ExpectFlagList(flags *[]string) bool {
	if !d.expect('(', `"(" to start flag list`) {
		return false
	}
	list := []string{}
	if d.consume(')') {
		*flags = list
		return true
	}
	for {
		var f string
		if !d.ExpectFlag(&f) {
			return false
		}
		list = append(list, f)
		if d.consume(')') {
			*flags = list
			return true
		}
		if !d.ExpectSP() {
			return false
		}
	}
}
