package imap_test

// What ENVELOPE and BODYSTRUCTURE must say about a message (RFC 3501
// §7.4.2), worked out from its wire bytes with the standard library's
// net/mail and mime/multipart, independently of the server's parser,
// and the same description of what go-imap decoded.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/textproto"
	"sort"
	"strings"

	goimap "github.com/emersion/go-imap/v2"
)

var wordDecoder = &mime.WordDecoder{}

// describeEnvelope is one line per ENVELOPE, go-imap's view.
func describeEnvelope(env *goimap.Envelope) string {
	if env == nil {
		return "no envelope"
	}
	addrs := func(as []goimap.Address) string {
		var out []string
		for _, a := range as {
			out = append(out, fmt.Sprintf("%q <%s@%s>", a.Name, a.Mailbox, a.Host))
		}
		return "[" + strings.Join(out, ", ") + "]"
	}
	date := "none"
	if !env.Date.IsZero() {
		date = fmt.Sprint(env.Date.Unix())
	}
	return fmt.Sprintf("date %s subject %q from %s sender %s reply-to %s to %s cc %s bcc %s in-reply-to %q message-id %q",
		date, env.Subject, addrs(env.From), addrs(env.Sender), addrs(env.ReplyTo), addrs(env.To),
		addrs(env.Cc), addrs(env.Bcc), env.InReplyTo, env.MessageID)
}

// expectEnvelopes is describeEnvelope of what the header of msg (wire
// form) says: Sender and Reply-To default to From (RFC 3501 §7.4.2).
// RFC 3501's addr-name is the phrase; for "addr (Comment)" some
// servers (Dovecot) give the comment instead: the second result
// allows that.
func expectEnvelopes(msg []byte) [2]string {
	return [2]string{expectEnvelope(msg, false), expectEnvelope(msg, true)}
}

func expectEnvelope(msg []byte, commentName bool) string {
	h := readHeader(msg)
	date := "none"
	if t, err := mail.ParseDate(h.Get("Date")); err == nil {
		date = fmt.Sprint(t.Unix())
	}
	parser := &mail.AddressParser{WordDecoder: wordDecoder}
	addrs := func(field string) string {
		v := h.Get(field)
		if v == "" && (field == "Sender" || field == "Reply-To") {
			v = h.Get("From")
		}
		list, _ := parser.ParseList(v)
		var out []string
		for _, a := range list {
			name := a.Name
			if !commentName && !strings.Contains(strings.ToLower(v), "<"+strings.ToLower(a.Address)+">") {
				name = "" // net/mail took the comment for the name
			}
			out = append(out, fmt.Sprintf("%q <%s>", name, a.Address))
		}
		return "[" + strings.Join(out, ", ") + "]"
	}
	subject, err := wordDecoder.DecodeHeader(h.Get("Subject"))
	if err != nil {
		subject = h.Get("Subject")
	}
	var inReplyTo []string
	for _, id := range strings.Fields(h.Get("In-Reply-To")) {
		inReplyTo = append(inReplyTo, strings.Trim(id, "<>"))
	}
	return fmt.Sprintf("date %s subject %q from %s sender %s reply-to %s to %s cc %s bcc %s in-reply-to %q message-id %q",
		date, subject, addrs("From"), addrs("Sender"), addrs("Reply-To"), addrs("To"), addrs("Cc"), addrs("Bcc"),
		inReplyTo, strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>"))
}

// readHeader reads the header of a wire-form message (unfolded by
// net/textproto).
func readHeader(msg []byte) textproto.MIMEHeader {
	h, _ := textproto.NewReader(bufio.NewReader(bytes.NewReader(msg))).ReadMIMEHeader()
	return h
}

// splitWire splits a wire-form message or part into header and body
// at the first empty line (RFC 5322 §2.1); no empty line: all header.
func splitWire(msg []byte) (hdr textproto.MIMEHeader, body []byte) {
	i := bytes.Index(msg, []byte("\r\n\r\n"))
	if bytes.HasPrefix(msg, []byte("\r\n")) {
		return textproto.MIMEHeader{}, msg[2:]
	}
	if i < 0 {
		return readHeader(append(bytes.Clone(msg), "\r\n\r\n"...)), nil
	}
	return readHeader(msg[:i+4]), msg[i+4:]
}

// describeStructure is one line per BODYSTRUCTURE, go-imap's view:
// type/subtype, sorted parameters, then for a leaf its encoding, size,
// lines (text) and disposition, for message/rfc822 its subject and
// structure, for a multipart its children.
func describeStructure(bs goimap.BodyStructure) string {
	switch p := bs.(type) {
	case *goimap.BodyStructureMultiPart:
		var params map[string]string
		if p.Extended != nil {
			params = p.Extended.Params
		}
		var kids []string
		for _, k := range p.Children {
			kids = append(kids, describeStructure(k))
		}
		return fmt.Sprintf("multipart/%s%s (%s)", strings.ToLower(p.Subtype), paramString(params), strings.Join(kids, " "))
	case *goimap.BodyStructureSinglePart:
		s := fmt.Sprintf("%s/%s%s %s %d", strings.ToLower(p.Type), strings.ToLower(p.Subtype), paramString(p.Params),
			strings.ToLower(p.Encoding), p.Size)
		if p.Text != nil {
			s += fmt.Sprintf(" lines %d", p.Text.NumLines)
		}
		if p.Extended != nil && p.Extended.Disposition != nil {
			s += " " + strings.ToLower(p.Extended.Disposition.Value) + paramString(p.Extended.Disposition.Params)
		}
		if m := p.MessageRFC822; m != nil {
			subj := ""
			if m.Envelope != nil {
				subj = m.Envelope.Subject
			}
			s += fmt.Sprintf(" subject %q {%s}", subj, describeStructure(m.BodyStructure))
		}
		return s
	}
	return fmt.Sprintf("unknown %T", bs)
}

// expectStructure is describeStructure of the MIME structure of a
// wire-form message (RFC 2045, RFC 2046, RFC 3501 §7.4.2).
func expectStructure(msg []byte) string {
	h, body := splitWire(msg)
	return expectPart(h, body, "text/plain")
}

// expectPart describes one entity; def is the default content type
// (message/rfc822 inside multipart/digest, text/plain elsewhere).
func expectPart(h textproto.MIMEHeader, body []byte, def string) string {
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || h.Get("Content-Type") == "" {
		mt, params = def, map[string]string{}
		if def == "text/plain" {
			params["charset"] = "us-ascii"
		}
	}
	typ, sub, _ := strings.Cut(mt, "/")
	if _, ok := params["charset"]; typ == "text" && !ok {
		params["charset"] = "US-ASCII" // decision 19, as the server writes it
	}
	if typ == "multipart" {
		var kids []string
		kidDef := "text/plain"
		if sub == "digest" {
			kidDef = "message/rfc822"
		}
		r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			p, err := r.NextRawPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(p)
			kids = append(kids, expectPart(p.Header, b, kidDef))
		}
		return fmt.Sprintf("%s%s (%s)", mt, paramString(params), strings.Join(kids, " "))
	}
	enc := strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding")))
	if enc == "" {
		enc = "7bit"
	}
	s := fmt.Sprintf("%s%s %s %d", mt, paramString(params), enc, len(body))
	if typ == "text" {
		s += fmt.Sprintf(" lines %d", countLines(body))
	}
	if d, dp, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil {
		s += " " + d + paramString(dp)
	}
	if mt == "message/rfc822" {
		ih, ib := splitWire(body)
		subj, err := wordDecoder.DecodeHeader(ih.Get("Subject"))
		if err != nil {
			subj = ih.Get("Subject")
		}
		s += fmt.Sprintf(" subject %q {%s}", subj, expectPart(ih, ib, "text/plain"))
	}
	return s
}

// expectPart1 is BODY[1] of a wire-form message: the body of its first
// part when it is multipart (RFC 2046 §5.1.1: without the CRLF before
// the next boundary line), else its body (RFC 3501 §6.4.5).
func expectPart1(msg []byte) []byte {
	h, body := splitWire(msg)
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		return body
	}
	p, err := multipart.NewReader(bytes.NewReader(body), params["boundary"]).NextRawPart()
	if err != nil {
		return nil
	}
	b, _ := io.ReadAll(p)
	return b
}

// countLines counts text lines: line ends, plus an unterminated last
// line.
func countLines(b []byte) int {
	n := bytes.Count(b, []byte("\n"))
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return n
}

// paramString is "(k=v; ...)" with lower-case keys in order, or "".
func paramString(p map[string]string) string {
	if len(p) == 0 {
		return ""
	}
	var kv []string
	for k, v := range p {
		kv = append(kv, strings.ToLower(k)+"="+v)
	}
	sort.Strings(kv)
	return "(" + strings.Join(kv, "; ") + ")"
}
