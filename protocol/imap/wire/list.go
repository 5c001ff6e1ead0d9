package wire

import "strings"

// List is LIST's arguments (RFC 3501 §6.3.8) with the extended syntax
// of RFC 5258 §3: selection options, several patterns, return options,
// and RFC 5819's RETURN (STATUS (...)) and RFC 6154's SPECIAL-USE.
type List struct {
	Selection []string // selection options, upper case, in the order sent
	Ref       string
	Patterns  []string // decoded from modified UTF-7; one unless Multi
	Multi     bool     // the patterns came as a parenthesized list
	Return    []string // return options, upper case, STATUS included
	Status    []StatusItem
	// Extended: a selection list, a pattern list or RETURN was given,
	// so the answer follows RFC 5258 (no "" special case, \NonExistent,
	// extended data).
	Extended bool
}

// The LIST options this package knows; any other is a syntax error
// (RFC 5258 §3: servers reject unknown options with BAD).
var (
	listSelection = map[string]bool{"SUBSCRIBED": true, "REMOTE": true, "RECURSIVEMATCH": true, "SPECIAL-USE": true}
	listReturn    = map[string]bool{"SUBSCRIBED": true, "CHILDREN": true, "STATUS": true, "SPECIAL-USE": true}
)

// Has reports whether opts holds the option name (upper case).
func Has(opts []string, name string) bool {
	for _, o := range opts {
		if o == name {
			return true
		}
	}
	return false
}

// ExpectList reads LIST's arguments after "LIST SP" up to the line
// end: ["(" selection-options ")" SP] mailbox SP (list-mailbox / "("
// list-mailbox *(SP list-mailbox) ")") [SP "RETURN" SP "(" return-options ")"].
// RECURSIVEMATCH needs a base option (SUBSCRIBED or SPECIAL-USE) beside
// it (RFC 5258 §3.1, RFC 6154 §5.1).
func (d *Decoder) ExpectList(l *List) bool {
	*l = List{}
	if d.consume('(') {
		l.Extended = true
		l.Selection = []string{}
		if !d.consume(')') {
			for {
				var o string
				if !d.keyword(&o, "selection option") {
					return false
				}
				if !listSelection[o] {
					return d.fail("unknown LIST selection option %s", quote(o))
				}
				l.Selection = append(l.Selection, o)
				if d.consume(')') {
					break
				}
				if !d.ExpectSP() {
					return false
				}
			}
		}
		if Has(l.Selection, "RECURSIVEMATCH") && !Has(l.Selection, "SUBSCRIBED") && !Has(l.Selection, "SPECIAL-USE") {
			return d.fail("RECURSIVEMATCH without a base selection option")
		}
		if !d.ExpectSP() {
			return false
		}
	}
	if !d.ExpectMailbox(&l.Ref) || !d.ExpectSP() {
		return false
	}
	if d.consume('(') {
		l.Extended, l.Multi = true, true
		for {
			var p string
			if !d.ExpectListMailbox(&p) {
				return false
			}
			l.Patterns = append(l.Patterns, p)
			if d.consume(')') {
				break
			}
			if !d.ExpectSP() {
				return false
			}
		}
	} else {
		var p string
		if !d.ExpectListMailbox(&p) {
			return false
		}
		l.Patterns = []string{p}
	}
	if !d.SP() {
		return d.err == nil
	}
	var kw string
	if !d.keyword(&kw, "RETURN") {
		return false
	}
	if kw != "RETURN" {
		return d.fail("expected RETURN, not %s", quote(kw))
	}
	l.Extended = true
	l.Return = []string{}
	if !d.ExpectSP() || !d.expect('(', `"(" to start return options`) {
		return false
	}
	if d.consume(')') {
		return true
	}
	for {
		var o string
		if !d.keyword(&o, "return option") {
			return false
		}
		if !listReturn[o] {
			return d.fail("unknown LIST return option %s", quote(o))
		}
		if o == "STATUS" {
			if l.Status != nil {
				return d.fail("STATUS return option twice")
			}
			if !d.ExpectSP() || !d.ExpectStatusItems(&l.Status) {
				return false
			}
		}
		l.Return = append(l.Return, o)
		if d.consume(')') {
			return true
		}
		if !d.ExpectSP() {
			return false
		}
	}
}

// String gives l as a client sends it after "LIST ", names and
// patterns in modified UTF-7, as strings.
func (l List) String() string {
	return encodeToString(func(e *Encoder) {
		if l.Selection != nil {
			e.Atom("(" + strings.Join(l.Selection, " ") + ")").SP()
		}
		e.String(EncodeMUTF7(l.Ref)).SP()
		if l.Multi {
			e.List(len(l.Patterns), func(i int) { e.String(EncodeMUTF7(l.Patterns[i])) })
		} else if len(l.Patterns) > 0 {
			e.String(EncodeMUTF7(l.Patterns[0]))
		}
		if l.Return == nil {
			return
		}
		e.Atom(" RETURN ").List(len(l.Return), func(i int) {
			e.Atom(l.Return[i])
			if l.Return[i] == "STATUS" {
				e.SP().List(len(l.Status), func(j int) { e.Atom(string(l.Status[j])) })
			}
		})
	})
}
