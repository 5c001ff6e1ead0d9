package wire

import (
	"bufio"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// URL is an IMAP URL naming a message or a part of one (RFC 5092
// icommand's imessagepart), in the form relative to the server that
// CATENATE takes (RFC 4469 §3, RFC 5092 §7.2 "/mailbox..."):
//
//	/mailbox[;UIDVALIDITY=n]/;UID=n[/;SECTION=s][/;PARTIAL=a[.b]]
//
// with keys in any case. Absolute URLs ("imap://...") are not parsed:
// the server takes only URLs relative to itself (docs/servers.md).
type URL struct {
	Mailbox     string   // percent-decoded, UTF-8 (RFC 5092 §3.1)
	UIDValidity uint32   // 0: not given
	UID         uint32   // non-zero
	Section     *Section // nil: the whole message (BODY[])
	Partial     *Partial // nil: the whole section
}

// MaxURL bounds the URL text ParseURL takes.
const MaxURL = 8 << 10

var errAbsoluteURL = errors.New("only URLs relative to this server are taken")

// ParseURL parses a relative IMAP URL naming a message or section.
func ParseURL(s string) (URL, error) {
	var u URL
	if len(s) > MaxURL {
		return u, errors.New("URL too long")
	}
	if hasPrefixFold(s, "imap:") || strings.HasPrefix(s, "//") {
		return u, errAbsoluteURL
	}
	if !strings.HasPrefix(s, "/") {
		return u, errors.New("URL does not begin with /")
	}
	rest := s[1:]
	i := indexFold(rest, "/;UID=")
	if i < 0 {
		return u, errors.New("URL names no UID")
	}
	box, rest := rest[:i], rest[i+len("/;UID="):]
	if j := indexFold(box, ";UIDVALIDITY="); j >= 0 {
		v, err := nzNumber(box[j+len(";UIDVALIDITY="):])
		if err != nil {
			return u, errors.New("bad UIDVALIDITY in URL")
		}
		u.UIDValidity, box = v, box[:j]
	}
	name, err := pctDecode(box, false)
	if err != nil || name == "" {
		return u, errors.New("bad mailbox in URL")
	}
	u.Mailbox = name
	uid, rest, _ := strings.Cut(rest, "/")
	if u.UID, err = nzNumber(uid); err != nil {
		return u, errors.New("bad UID in URL")
	}
	if rest == "" {
		return u, nil
	}
	rest = "/" + rest
	if hasPrefixFold(rest, "/;SECTION=") {
		sec := rest[len("/;SECTION="):]
		rest = ""
		if j := indexFold(sec, "/;PARTIAL="); j >= 0 {
			sec, rest = sec[:j], sec[j:]
		}
		text, err := pctDecode(sec, true)
		if err != nil {
			return u, errors.New("bad section in URL")
		}
		var section Section
		if section, err = ParseSection(text); err != nil {
			return u, err
		}
		u.Section = &section
	}
	if rest == "" {
		return u, nil
	}
	if !hasPrefixFold(rest, "/;PARTIAL=") {
		return u, errors.New("unexpected text after the UID in URL")
	}
	start, count, dot := strings.Cut(rest[len("/;PARTIAL="):], ".")
	var p Partial
	if p.Start, err = number32(start); err != nil {
		return u, errors.New("bad PARTIAL in URL")
	}
	p.Count = ^uint32(0)
	if dot {
		if p.Count, err = nzNumber(count); err != nil {
			return u, errors.New("bad PARTIAL length in URL")
		}
	}
	u.Partial = &p
	return u, nil
}

// ParseSection parses a section-spec as it goes between BODY's
// brackets ("1.2.HEADER.FIELDS (From)", "" for the whole message),
// with FETCH's parser.
func ParseSection(text string) (Section, error) {
	var s Section
	for i := 0; i < len(text); i++ {
		if text[i] < ' ' || text[i] == 0x7f {
			return s, errors.New("control character in section")
		}
	}
	d := NewDecoder(bufio.NewReader(strings.NewReader("["+text+"]\r\n")), Options{})
	if err := d.Next(); err != nil {
		return s, err
	}
	if !d.ExpectSection(&s) || !d.ExpectCRLF() {
		return Section{}, d.Err()
	}
	return s, nil
}

// pctDecode undoes RFC 3986 percent-encoding; the result must be UTF-8
// without control characters. ";" must come encoded (RFC 5092 bchar),
// "/" may come as it is (a mailbox's hierarchy). section: spaces may
// come unencoded too, as clients write "HEADER.FIELDS (From)".
func pctDecode(s string, section bool) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+2 >= len(s) {
				return "", errors.New("short percent-encoding")
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return "", errors.New("bad percent-encoding")
			}
			c = byte(v)
			i += 2
		} else if c < ' ' || c >= 0x7f || c == ';' || c == ' ' && !section {
			return "", errors.New("character not allowed in URL")
		}
		if c < ' ' || c == 0x7f {
			return "", errors.New("control character in URL")
		}
		b.WriteByte(c)
	}
	if !utf8.ValidString(b.String()) {
		return "", errors.New("URL text is not UTF-8")
	}
	return b.String(), nil
}

func nzNumber(s string) (uint32, error) {
	n, err := number32(s)
	if err == nil && n == 0 {
		err = errors.New("zero")
	}
	return n, err
}

func number32(s string) (uint32, error) {
	if s == "" || len(s) > 10 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, errors.New("not a number")
	}
	n, err := strconv.ParseUint(s, 10, 32)
	return uint32(n), err
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// indexFold is strings.Index ignoring ASCII case (prefix is ASCII).
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// String writes the URL in the form ParseURL reads, percent-encoding
// all but unreserved characters and a mailbox's "/".
func (u URL) String() string {
	var b strings.Builder
	b.WriteString("/" + pctEncode(u.Mailbox, "/"))
	if u.UIDValidity != 0 {
		b.WriteString(";UIDVALIDITY=" + strconv.FormatUint(uint64(u.UIDValidity), 10))
	}
	b.WriteString("/;UID=" + strconv.FormatUint(uint64(u.UID), 10))
	if u.Section != nil {
		b.WriteString("/;SECTION=" + pctEncode(u.Section.String(), ""))
	}
	if u.Partial != nil {
		b.WriteString("/;PARTIAL=" + strconv.FormatUint(uint64(u.Partial.Start), 10))
		if u.Partial.Count != ^uint32(0) {
			b.WriteString("." + strconv.FormatUint(uint64(u.Partial.Count), 10))
		}
	}
	return b.String()
}

// pctEncode percent-encodes s but for unreserved characters (RFC 3986
// §2.3) and those in keep.
func pctEncode(s, keep string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("-._~"+keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
