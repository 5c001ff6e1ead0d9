package message

import (
	"strings"
)

// A Param is one MIME parameter (RFC 2045 §5.1): its name upper-cased,
// its value as written (quotes and quoted-pair backslashes removed).
// RFC 2231 names such as "FILENAME*" are kept as they are.
type Param struct {
	Name, Value string
}

// mimeInfo is what a part's header says about its content (RFC 2045,
// RFC 2183, RFC 3282, RFC 2557), as BODYSTRUCTURE shows it. A later
// Content-* field overrides an earlier one, as upasfs reads them (spec
// §1.4).
type mimeInfo struct {
	typ, sub   string // upper case; "TEXT" "PLAIN" by default
	params     []Param
	id, desc   string
	enc        string // upper case; "7BIT" by default
	md5        string
	disp       string // disposition type, upper case; "" when absent
	dispParams []Param
	lang       []string
	loc        string
	// digestDefault: the type is message/rfc822 only because the part
	// is in a multipart/digest and says none (RFC 2046 §5.1.5).
	digestDefault bool
}

// parseMIME reads the Content-* fields among fields. A missing or
// invalid Content-Type is text/plain; charset=us-ascii (RFC 2045 §5.2).
//
// inDigest: the part is in a multipart/digest, where the default type
// is message/rfc822 (RFC 2046 §5.1.5), as the emulator also types it.
func parseMIME(fields []Field, inDigest bool) mimeInfo {
	m := mimeInfo{enc: "7BIT"}
	typed := false
	for _, f := range fields {
		v := f.Value
		switch strings.ToLower(f.Name) {
		case "content-type":
			m.typ, m.sub, m.params, typed = parseContentType(v)
		case "content-transfer-encoding":
			m.enc = strings.ToUpper(strings.TrimSpace(stripComments(v)))
		case "content-id":
			m.id = v
		case "content-description":
			m.desc = v
		case "content-md5":
			m.md5 = v
		case "content-disposition":
			m.disp, m.dispParams = parseDisposition(v)
		case "content-language":
			m.lang = parseLanguage(v)
		case "content-location":
			m.loc = v
		}
	}
	switch {
	case !typed && inDigest:
		m.typ, m.sub = "MESSAGE", "RFC822"
		m.digestDefault = true
	case !typed:
		m.typ, m.sub = "TEXT", "PLAIN"
		m.params = []Param{{"CHARSET", "US-ASCII"}}
	case m.typ == "TEXT":
		m.params = withCharset(m.params)
	}
	if m.enc == "" {
		m.enc = "7BIT"
	}
	return m
}

// leafType types a part that upasfs serves as a leaf although its
// header left it message/rfc822 by the digest default: upasfs's type
// file (spec §1.4 type) says what it is, text/plain where it says
// nothing usable or message/rfc822 again (there is no message to
// show). A text type gets the RFC 2045 §5.2 default charset (decision
// 19).
func (m *mimeInfo) leafType(typ string) {
	t, sub, params, ok := parseContentType(typ)
	if !ok || t == "MESSAGE" && sub == "RFC822" || t == "MULTIPART" {
		t, sub, params = "TEXT", "PLAIN", nil
	}
	if t == "TEXT" {
		params = withCharset(params)
	}
	m.typ, m.sub, m.params, m.digestDefault = t, sub, params, false
}

// withCharset gives the parameters of a text part the RFC 2045 §5.2
// default charset, after the others, when they have none (decision 19).
func withCharset(params []Param) []Param {
	for _, p := range params {
		if strings.EqualFold(p.Name, "CHARSET") {
			return params
		}
	}
	return append(params, Param{"CHARSET", "US-ASCII"})
}

// parseContentType parses `type "/" subtype *(";" parameter)`; ok is
// false when type or subtype is not a token.
func parseContentType(v string) (typ, sub string, params []Param, ok bool) {
	v = stripComments(v)
	head, rest, _ := strings.Cut(v, ";")
	t, s, found := strings.Cut(head, "/")
	t, s = strings.TrimSpace(t), strings.TrimSpace(s)
	if !found || !isToken(t) || !isToken(s) {
		return "", "", nil, false
	}
	return strings.ToUpper(t), strings.ToUpper(s), parseParams(rest), true
}

// parseDisposition parses `type *(";" parameter)` (RFC 2183); the type
// is "" when it is not a token.
func parseDisposition(v string) (string, []Param) {
	v = stripComments(v)
	head, rest, _ := strings.Cut(v, ";")
	head = strings.TrimSpace(head)
	if !isToken(head) {
		return "", nil
	}
	return strings.ToUpper(head), parseParams(rest)
}

// parseLanguage splits a Content-Language list (RFC 3282).
func parseLanguage(v string) []string {
	var out []string
	for _, tag := range strings.Split(stripComments(v), ",") {
		if tag = strings.TrimSpace(tag); tag != "" {
			out = append(out, tag)
		}
	}
	return out
}

// parseParams parses `*(parameter ";")` leniently: a parameter without
// '=' or with a name that is not a token is skipped.
func parseParams(s string) []Param {
	var out []Param
	for s != "" {
		var name, value string
		i := strings.IndexAny(s, "=;")
		if i < 0 {
			break
		}
		if s[i] == ';' {
			s = s[i+1:]
			continue
		}
		name, s = strings.TrimSpace(s[:i]), strings.TrimLeft(s[i+1:], " \t")
		value, s = paramValue(s)
		if isToken(name) {
			out = append(out, Param{strings.ToUpper(name), value})
		}
	}
	return out
}

// paramValue reads a quoted string or a token from the start of s and
// returns it and what follows the ';' after it.
func paramValue(s string) (value, rest string) {
	if strings.HasPrefix(s, `"`) {
		var b strings.Builder
		i := 1
		for ; i < len(s) && s[i] != '"'; i++ {
			if s[i] == '\\' && i+1 < len(s) {
				i++
			}
			b.WriteByte(s[i])
		}
		rest = s[min(i+1, len(s)):]
		if j := strings.IndexByte(rest, ';'); j >= 0 {
			return b.String(), rest[j+1:]
		}
		return b.String(), ""
	}
	value, rest, _ = strings.Cut(s, ";")
	return strings.TrimSpace(value), rest
}

// isToken reports whether s is an RFC 2045 token: printable ASCII
// without tspecials.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0 {
			return false
		}
	}
	return true
}

// stripComments removes RFC 822 comments (nested, with quoted pairs)
// outside quoted strings.
func stripComments(s string) string {
	if !strings.Contains(s, "(") {
		return s
	}
	var b strings.Builder
	depth, quoted := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && (quoted || depth > 0) && i+1 < len(s):
			if depth == 0 {
				b.WriteByte(c)
				b.WriteByte(s[i+1])
			}
			i++
		case depth == 0 && c == '"':
			quoted = !quoted
			b.WriteByte(c)
		case !quoted && c == '(':
			depth++
		case depth > 0 && c == ')':
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}
