package message

import "strings"

// An Address is one element of an ENVELOPE address list (RFC 3501
// §7.4.2). Strings are raw header text: a display name keeps its
// RFC 2047 encoded words (decision 7) and loses only the quotes of a
// quoted string; a local part is kept as written, quotes included.
//
// An ordinary address always has a mailbox and a host: where the
// header leaves one out (`Name <>`, `postmaster`, `user@`, a display
// name alone) it is MissingMailbox or MissingDomain (decision 20), so
// that clients, which hide an address with a NIL part, still show it.
type Address struct {
	Name    string // display name; "" is NIL
	Route   string // obsolete source route "@a,@b" (adl); "" is NIL
	Mailbox string // local part, or the group name of a group start
	Host    string // domain (NIL only in group markers)
	Group   GroupMark
}

// The placeholders of a missing local part and domain, Dovecot's
// (decision 20).
const (
	MissingMailbox = "MISSING_MAILBOX"
	MissingDomain  = "MISSING_DOMAIN"
)

// Text is the address as a reader would write it, "name <mailbox@host>",
// without the placeholders of what the header left out.
func (a Address) Text() string {
	var b strings.Builder
	if a.Name != "" {
		b.WriteString(a.Name + " ")
	}
	b.WriteByte('<')
	if a.Mailbox != MissingMailbox {
		b.WriteString(a.Mailbox)
	}
	if a.Host != MissingDomain {
		b.WriteString("@" + a.Host)
	}
	b.WriteByte('>')
	return b.String()
}

// GroupMark says whether an Address is a group marker (RFC 3501
// §7.4.2: host NIL; mailbox NIL ends a group, non-NIL starts one).
type GroupMark uint8

const (
	NotGroup   GroupMark = iota // an ordinary address
	GroupStart                  // (NIL NIL "name" NIL)
	GroupEnd                    // (NIL NIL NIL NIL)
)

// ParseAddressList parses an address-list header value (RFC 5322
// §3.4, with the obsolete forms of §4.4) into ENVELOPE addresses,
// groups as start and end markers. It is lenient: text it cannot read
// up to the next ',' is skipped, and a missing local part or domain
// gets its placeholder (decision 20): words without '@' or '<' are a
// local part when they are one dot-atom (`postmaster`), a display name
// otherwise (`vondruch at redhat.com`). Empty list elements (RFC 5322
// §4.4 obs-addr-list) are no address. It never fails.
func ParseAddressList(s string) []Address {
	p := addrParser{toks: lexAddress(s)}
	var out []Address
	for !p.eof() {
		if p.isSpecial(',') {
			p.i++
			continue
		}
		at := p.i
		out = p.mailboxOrGroup(out, false)
		if p.i == at {
			p.i++ // a stray ';' or '>': never stall
		}
	}
	return out
}

type tokKind uint8

const (
	tokAtom    tokKind = iota // atom or dot-atom, text as written
	tokQuoted                 // quoted string: text with quotes, val without
	tokLiteral                // domain literal [...]
	tokSpecial                // one of < > @ , : ;
)

type addrToken struct {
	kind    tokKind
	text    string // as written
	val     string // a quoted string's content, unescaped
	comment string // a comment right after the token, without its parentheses
}

// lexAddress splits s into tokens, dropping white space and comments.
func lexAddress(s string) []addrToken {
	var toks []addrToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '(':
			j := skipComment(s, i)
			if len(toks) > 0 && j-i >= 2 && s[j-1] == ')' {
				toks[len(toks)-1].comment = strings.TrimSpace(s[i+1 : j-1])
			}
			i = j
		case c == '"':
			j, val := scanQuoted(s, i)
			toks = append(toks, addrToken{kind: tokQuoted, text: s[i:j], val: val})
			i = j
		case c == '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				j = len(s) - i - 1
			}
			toks = append(toks, addrToken{kind: tokLiteral, text: s[i : i+j+1]})
			i += j + 1
		case strings.IndexByte("<>@,:;", c) >= 0:
			toks = append(toks, addrToken{kind: tokSpecial, text: s[i : i+1]})
			i++
		default:
			j := i + 1 // s[i] is an atom byte: progress is certain
			for j < len(s) && isAtomByte(s[j]) {
				j++
			}
			toks = append(toks, addrToken{kind: tokAtom, text: s[i:j]})
			i = j
		}
	}
	return toks
}

// isAtomByte: anything but white space and the bytes that open or
// delimit other tokens. '.' is part of atoms, so a dot-atom is one
// token; a stray ')' or ']' is taken as text.
func isAtomByte(c byte) bool {
	return strings.IndexByte(" \t\r\n(\"[<>@,:;", c) < 0
}

// skipComment returns the index after the comment opening at s[i].
func skipComment(s string, i int) int {
	depth := 0
	for ; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return len(s)
}

// scanQuoted returns the index after the quoted string opening at s[i]
// and its unescaped content. An unterminated one runs to the end.
func scanQuoted(s string, i int) (int, string) {
	var b strings.Builder
	for i++; i < len(s); i++ {
		switch s[i] {
		case '"':
			return i + 1, b.String()
		case '\\':
			if i+1 < len(s) {
				i++
			}
		case '\r', '\n':
			continue
		}
		b.WriteByte(s[i])
	}
	return len(s), b.String()
}

type addrParser struct {
	toks []addrToken
	i    int
}

func (p *addrParser) eof() bool { return p.i >= len(p.toks) }

func (p *addrParser) isSpecial(c byte) bool {
	return !p.eof() && p.toks[p.i].kind == tokSpecial && p.toks[p.i].text[0] == c
}

// words returns the atoms, quoted strings and literals from p.i on.
func (p *addrParser) words() []addrToken {
	start := p.i
	for !p.eof() && p.toks[p.i].kind != tokSpecial {
		p.i++
	}
	return p.toks[start:p.i]
}

// skipTo moves to the next ',' (or, in a group, the next ';'), without
// consuming it.
func (p *addrParser) skipTo(inGroup bool) {
	for !p.eof() && !p.isSpecial(',') && !(inGroup && p.isSpecial(';')) {
		p.i++
	}
}

// mailboxOrGroup parses one mailbox, or a group when not in one, and
// appends what it found to out. After a mailbox, anything up to the
// next ',' (or the ';' ending the group) is skipped.
func (p *addrParser) mailboxOrGroup(out []Address, inGroup bool) []Address {
	words := p.words()
	if p.isSpecial(':') && !inGroup {
		p.i++
		return p.group(out, phrase(words))
	}
	var a Address
	switch {
	case p.isSpecial('<'):
		p.i++
		a = p.angleAddr()
		a.Name = phrase(words)
	case p.isSpecial('@'):
		// An addr-spec; words before its local part (a display name
		// without the angle brackets) make the name.
		p.i++
		k := dottedRun(words)
		a = Address{Name: phrase(words[:k]), Mailbox: joinText(words[k:]), Host: p.domain()}
		// "addr (Full Name)": the old form of a display name, as most
		// servers report it.
		if c := p.toks[p.i-1].comment; a.Name == "" && c != "" && !strings.ContainsAny(c, "()\\") {
			a.Name = c
		}
	case len(words) == 0:
		return out
	case isLocalPart(words):
		a = Address{Mailbox: joinText(words)}
	default:
		a = Address{Name: phrase(words)}
	}
	p.skipTo(inGroup)
	return appendAddr(out, a)
}

// isLocalPart reports whether words, written without '@', read as a
// local part alone: atoms joined by dots.
func isLocalPart(words []addrToken) bool {
	for _, w := range words {
		if w.kind != tokAtom {
			return false
		}
	}
	return dottedRun(words) == 0
}

// group parses the members of a group up to its ';' and brackets them
// with markers.
func (p *addrParser) group(out []Address, name string) []Address {
	out = append(out, Address{Mailbox: name, Group: GroupStart})
	for !p.eof() {
		if p.isSpecial(';') {
			p.i++
			break
		}
		if p.isSpecial(',') {
			p.i++
			continue
		}
		at := p.i
		out = p.mailboxOrGroup(out, true)
		if p.i == at {
			p.i++
		}
	}
	return append(out, Address{Group: GroupEnd})
}

// angleAddr parses what follows '<': an optional source route, the
// addr-spec, and the '>' (which may be missing).
func (p *addrParser) angleAddr() Address {
	var a Address
	if p.isSpecial('@') {
		a.Route = p.route()
	}
	a.Mailbox = joinText(p.words())
	if p.isSpecial('@') {
		p.i++
		a.Host = p.domain()
	}
	for !p.eof() && !p.isSpecial('>') && !p.isSpecial(',') {
		p.i++
	}
	if p.isSpecial('>') {
		p.i++
	}
	return a
}

// route parses an obs-route "@a,@b:" and returns "@a,@b".
func (p *addrParser) route() string {
	var b strings.Builder
	for p.isSpecial('@') || p.isSpecial(',') {
		if p.isSpecial('@') {
			p.i++
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString("@" + p.domain())
		} else {
			p.i++
		}
	}
	if p.isSpecial(':') {
		p.i++
	}
	return b.String()
}

// domain parses a domain: atoms and literals joined by dots (obsolete
// forms may have white space around the dots, RFC 5322 §4.4).
func (p *addrParser) domain() string {
	start := p.i
	for !p.eof() && p.toks[p.i].kind != tokSpecial {
		if p.i > start && !dotJoined(p.toks[p.i-1], p.toks[p.i]) {
			break
		}
		p.i++
	}
	return joinText(p.toks[start:p.i])
}

// dottedRun returns where the dot-joined run of words that ends words
// starts: the local part of an addr-spec.
func dottedRun(words []addrToken) int {
	k := len(words)
	for k > 1 && dotJoined(words[k-2], words[k-1]) {
		k--
	}
	return max(k-1, 0)
}

// dotJoined reports whether a '.' joins tokens a and b.
func dotJoined(a, b addrToken) bool {
	return strings.HasSuffix(a.text, ".") || strings.HasPrefix(b.text, ".")
}

// joinText joins tokens as written, without white space: the pieces
// of a local part or domain.
func joinText(words []addrToken) string {
	var b strings.Builder
	for _, w := range words {
		b.WriteString(w.text)
	}
	return b.String()
}

// phrase joins the words of a display name with single spaces, quoted
// strings without their quotes.
func phrase(words []addrToken) string {
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = w.text
		if w.kind == tokQuoted {
			parts[i] = w.val
		}
	}
	return strings.Join(parts, " ")
}

// appendAddr appends a with the placeholders of what it lacks.
func appendAddr(out []Address, a Address) []Address {
	if a.Mailbox == "" {
		a.Mailbox = MissingMailbox
	}
	if a.Host == "" {
		a.Host = MissingDomain
	}
	return append(out, a)
}
