package lmtp

import (
	"errors"
	"strconv"
	"strings"
)

// errSyntax is a command's argument that does not parse.
var errSyntax = errors.New("syntax error")

// parseCommand splits a command line (without its CRLF) into its verb,
// upper-cased, and the rest after one space.
func parseCommand(line string) (verb, arg string) {
	verb, arg, _ = strings.Cut(line, " ")
	return strings.ToUpper(verb), arg
}

// A mailPath is a MAIL or RCPT argument: the address between the angle
// brackets (empty for the null reverse-path <>) and its ESMTP
// parameters, names upper-cased.
type mailPath struct {
	addr   string
	params map[string]string
}

// maxParams bounds the ESMTP parameters of one command.
const maxParams = 8

// parsePath parses "FROM:<addr> params" (prefix "FROM:") or
// "TO:<addr> params" (RFC 5321 §4.1.1.2, §4.1.1.3): one space is
// allowed after the colon, as many clients send it. A source route
// (<@a,@b:user@c>) is dropped, as §4.1.1.3 allows. The address may
// not hold spaces or control characters, nor '<' or '>'.
func parsePath(arg, prefix string) (mailPath, error) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return mailPath{}, errSyntax
	}
	rest := strings.TrimPrefix(arg[len(prefix):], " ")
	if !strings.HasPrefix(rest, "<") {
		return mailPath{}, errSyntax
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return mailPath{}, errSyntax
	}
	addr := rest[1:end]
	if strings.HasPrefix(addr, "@") {
		i := strings.IndexByte(addr, ':')
		if i < 0 {
			return mailPath{}, errSyntax
		}
		addr = addr[i+1:]
	}
	for _, c := range []byte(addr) {
		if c <= ' ' || c == 0x7f || c == '<' || c == '>' {
			return mailPath{}, errSyntax
		}
	}
	p := mailPath{addr: addr}
	rest = rest[end+1:]
	if rest == "" {
		return p, nil
	}
	if rest[0] != ' ' {
		return mailPath{}, errSyntax
	}
	for _, kv := range strings.Fields(rest) {
		if len(p.params) == maxParams {
			return mailPath{}, errSyntax
		}
		k, v, _ := strings.Cut(kv, "=")
		if k == "" {
			return mailPath{}, errSyntax
		}
		if p.params == nil {
			p.params = map[string]string{}
		}
		p.params[strings.ToUpper(k)] = v
	}
	return p, nil
}

// parseSize parses a SIZE parameter's value (RFC 1870): digits only.
func parseSize(v string) (int64, error) {
	if v == "" || len(v) > 19 || strings.TrimLeft(v, "0123456789") != "" {
		return 0, errSyntax
	}
	return strconv.ParseInt(v, 10, 64)
}

// splitRecipient splits a recipient address into the user and the
// detail of user+detail@domain (the domain is the MTA's business: it
// routed the message here). An address without '@' is a local part
// alone. A quoted local part is refused: no user name holds what
// quoting is for.
func splitRecipient(addr string) (user, detail string, err error) {
	local := addr
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		local = addr[:i]
	}
	if local == "" || strings.ContainsAny(local, "\"\\@") {
		return "", "", errSyntax
	}
	user, detail, _ = strings.Cut(local, "+")
	if user == "" {
		return "", "", errSyntax
	}
	return user, detail, nil
}
