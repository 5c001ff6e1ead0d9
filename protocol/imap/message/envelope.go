package message

import "strings"

// An Envelope is a message's ENVELOPE (RFC 3501 §7.4.2). Strings are
// the raw header values, unfolded and trimmed, never RFC 2047-decoded
// (decision 7); nil (or an empty list) is NIL: the field is absent.
type Envelope struct {
	Date, Subject                      *string
	From, Sender, ReplyTo, To, Cc, Bcc []Address
	InReplyTo, MessageID               *string
}

// newEnvelope builds the envelope of a message from its header fields.
// A string field is taken from its first occurrence; the instances of
// an address field are concatenated (spec §1.4). As RFC 3501 §7.4.2
// requires, a Sender or Reply-To that is absent or empty is the From.
// Nothing is synthesized for an absent From or Date (decision 5).
func newEnvelope(fields []Field) *Envelope {
	e := new(Envelope)
	for _, f := range fields {
		switch strings.ToLower(f.Name) {
		case "date":
			e.Date = first(e.Date, f.Value)
		case "subject":
			e.Subject = first(e.Subject, f.Value)
		case "in-reply-to":
			e.InReplyTo = first(e.InReplyTo, f.Value)
		case "message-id":
			e.MessageID = first(e.MessageID, f.Value)
		case "from":
			e.From = append(e.From, ParseAddressList(f.Value)...)
		case "sender":
			e.Sender = append(e.Sender, ParseAddressList(f.Value)...)
		case "reply-to":
			e.ReplyTo = append(e.ReplyTo, ParseAddressList(f.Value)...)
		case "to":
			e.To = append(e.To, ParseAddressList(f.Value)...)
		case "cc":
			e.Cc = append(e.Cc, ParseAddressList(f.Value)...)
		case "bcc":
			e.Bcc = append(e.Bcc, ParseAddressList(f.Value)...)
		}
	}
	if len(e.Sender) == 0 {
		e.Sender = e.From
	}
	if len(e.ReplyTo) == 0 {
		e.ReplyTo = e.From
	}
	return e
}

func first(old *string, v string) *string {
	if old != nil {
		return old
	}
	return &v
}

// emptyEnvelope stands for the envelope of a message/rfc822 part whose
// message upasfs did not parse: all NIL.
var emptyEnvelope = &Envelope{}

// Append appends the ENVELOPE's IMAP form to dst (RFC 3501 §7.4.2).
func (e *Envelope) Append(dst []byte) []byte {
	dst = append(dst, '(')
	dst = appendNString(dst, e.Date)
	dst = append(dst, ' ')
	dst = appendNString(dst, e.Subject)
	for _, l := range [][]Address{e.From, e.Sender, e.ReplyTo, e.To, e.Cc, e.Bcc} {
		dst = append(dst, ' ')
		dst = appendAddressList(dst, l)
	}
	dst = append(dst, ' ')
	dst = appendNString(dst, e.InReplyTo)
	dst = append(dst, ' ')
	dst = appendNString(dst, e.MessageID)
	return append(dst, ')')
}

// appendAddressList appends "(" 1*address ")" or NIL for an empty list.
func appendAddressList(dst []byte, l []Address) []byte {
	if len(l) == 0 {
		return append(dst, "NIL"...)
	}
	dst = append(dst, '(')
	for _, a := range l {
		dst = a.Append(dst)
	}
	return append(dst, ')')
}

// Append appends the address's IMAP form to dst: (name adl mailbox host).
func (a Address) Append(dst []byte) []byte {
	switch a.Group {
	case GroupStart:
		dst = append(dst, "(NIL NIL "...)
		dst = appendString(dst, a.Mailbox)
		return append(dst, " NIL)"...)
	case GroupEnd:
		return append(dst, "(NIL NIL NIL NIL)"...)
	}
	dst = append(dst, '(')
	dst = appendNonEmpty(dst, a.Name)
	dst = append(dst, ' ')
	dst = appendNonEmpty(dst, a.Route)
	dst = append(dst, ' ')
	dst = appendString(dst, a.Mailbox)
	dst = append(dst, ' ')
	dst = appendString(dst, a.Host)
	return append(dst, ')')
}
