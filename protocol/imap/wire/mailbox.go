package wire

import "strings"

// Inbox is the one mailbox name that is case-insensitive (RFC 3501 §5.1).
const Inbox = "INBOX"

// ExpectMailbox reads a mailbox name (RFC 3501 §9 mailbox: an astring)
// and returns it decoded from modified UTF-7 (§5.1.3) to UTF-8, with
// INBOX in any case as "INBOX". An undecodable name is an Error
// (spec §2.4). Checking the name for "..", NUL and the like is the
// engine's business (decision 11).
func (d *Decoder) ExpectMailbox(name *string) bool {
	var raw string
	if !d.ExpectAString(&raw) {
		return false
	}
	return d.mailboxName(raw, name)
}

// ExpectListMailbox reads a LIST or LSUB pattern (RFC 3501 §9
// list-mailbox: 1*list-char or a string, so "%" and "*" may appear
// unquoted), decoded from modified UTF-7 like ExpectMailbox.
func (d *Decoder) ExpectListMailbox(pattern *string) bool {
	c, ok := d.peek()
	if !ok {
		return false
	}
	var raw string
	if c == '"' || c == '{' {
		if !d.ExpectString(&raw) {
			return false
		}
	} else if !d.run(cList, &raw, "mailbox pattern") {
		return false
	}
	return d.mailboxName(raw, pattern)
}

func (d *Decoder) mailboxName(raw string, name *string) bool {
	s, err := DecodeMUTF7(raw)
	if err != nil {
		if d.err == nil {
			d.err = &Error{Code: CodeBadMailbox, Msg: "mailbox name not in modified UTF-7"}
		}
		return false
	}
	if strings.EqualFold(s, Inbox) {
		s = Inbox
	}
	*name = s
	return true
}
