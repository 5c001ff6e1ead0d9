package message

import "strconv"

// A Body is one part of a BODY or BODYSTRUCTURE tree (RFC 3501 §7.4.2
// "body"). Types, subtypes, encodings, parameter names and disposition
// types are upper case; other strings are as written; "" is NIL.
type Body struct {
	Type, Subtype string  // "TEXT" "PLAIN" when the header says nothing (RFC 2045 §5.2)
	Params        []Param // body-fld-param; NIL when empty
	ID            string  // Content-ID
	Description   string  // Content-Description
	Encoding      string  // Content-Transfer-Encoding; "7BIT" by default
	Size          int64   // body-fld-octets: the body's CRLF size in its transfer encoding
	Lines         int64   // body-fld-lines: LFs in the body (text/* and message/rfc822)

	Envelope *Envelope // message/rfc822: the encapsulated message's
	Parts    []*Body   // multipart: its parts; message/rfc822: the encapsulated message's body

	// Extension data, rendered only when Extended (BODYSTRUCTURE).
	MD5         string   // Content-MD5
	Disposition string   // Content-Disposition type
	DispParams  []Param  // its parameters
	Language    []string // Content-Language tags
	Location    string   // Content-Location

	// Extended selects BODYSTRUCTURE (with extension data) over BODY for
	// the whole tree; only the root's flag counts.
	Extended bool
}

// IsMultipart reports whether b is a body-type-mpart.
func (b *Body) IsMultipart() bool { return b.Type == "MULTIPART" && len(b.Parts) > 0 }

// IsMessage reports whether b is a body-type-msg.
func (b *Body) IsMessage() bool {
	return b.Type == "MESSAGE" && b.Subtype == "RFC822" && b.Envelope != nil && len(b.Parts) == 1
}

// Append appends b's IMAP form to dst.
func (b *Body) Append(dst []byte) []byte { return b.append(dst, b.Extended) }

func (b *Body) append(dst []byte, ext bool) []byte {
	dst = append(dst, '(')
	if b.IsMultipart() {
		for _, p := range b.Parts {
			dst = p.append(dst, ext)
		}
		dst = append(dst, ' ')
		dst = appendString(dst, b.Subtype)
		if ext {
			dst = append(dst, ' ')
			dst = appendParams(dst, b.Params)
			dst = b.appendExt(dst)
		}
		return append(dst, ')')
	}
	dst = appendString(dst, b.Type)
	dst = append(dst, ' ')
	dst = appendString(dst, b.Subtype)
	dst = append(dst, ' ')
	dst = appendParams(dst, b.Params)
	dst = append(dst, ' ')
	dst = appendNonEmpty(dst, b.ID)
	dst = append(dst, ' ')
	dst = appendNonEmpty(dst, b.Description)
	dst = append(dst, ' ')
	dst = appendString(dst, b.Encoding)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, b.Size, 10)
	switch {
	case b.IsMessage():
		dst = append(dst, ' ')
		dst = b.Envelope.Append(dst)
		dst = append(dst, ' ')
		dst = b.Parts[0].append(dst, ext)
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, b.Lines, 10)
	case b.Type == "TEXT":
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, b.Lines, 10)
	}
	if ext {
		dst = append(dst, ' ')
		dst = appendNonEmpty(dst, b.MD5)
		dst = b.appendExt(dst)
	}
	return append(dst, ')')
}

// appendExt appends the extension data both kinds of part end with:
// SP body-fld-dsp SP body-fld-lang SP body-fld-loc.
func (b *Body) appendExt(dst []byte) []byte {
	dst = append(dst, ' ')
	if b.Disposition == "" {
		dst = append(dst, "NIL"...)
	} else {
		dst = append(dst, '(')
		dst = appendString(dst, b.Disposition)
		dst = append(dst, ' ')
		dst = appendParams(dst, b.DispParams)
		dst = append(dst, ')')
	}
	dst = append(dst, ' ')
	switch len(b.Language) {
	case 0:
		dst = append(dst, "NIL"...)
	case 1:
		dst = appendString(dst, b.Language[0])
	default:
		dst = append(dst, '(')
		for i, l := range b.Language {
			if i > 0 {
				dst = append(dst, ' ')
			}
			dst = appendString(dst, l)
		}
		dst = append(dst, ')')
	}
	dst = append(dst, ' ')
	return appendNonEmpty(dst, b.Location)
}

// appendParams appends a body-fld-param: NIL or ("NAME" "value" ...).
func appendParams(dst []byte, ps []Param) []byte {
	if len(ps) == 0 {
		return append(dst, "NIL"...)
	}
	dst = append(dst, '(')
	for i, p := range ps {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = appendString(dst, p.Name)
		dst = append(dst, ' ')
		dst = appendString(dst, p.Value)
	}
	return append(dst, ')')
}

// body builds the Body of node n as a part (RFC 3501 §6.4.5: the
// message itself is the body of its part 1 or the multipart of its
// parts).
func (n *node) body() *Body {
	m := &n.mime
	b := &Body{
		Type: m.typ, Subtype: m.sub, Params: m.params, ID: m.id,
		Description: m.desc, Encoding: m.enc, MD5: m.md5,
		Disposition: m.disp, DispParams: m.dispParams,
		Language: m.lang, Location: m.loc,
		Size: n.geo.text(), Lines: n.geo.lines,
	}
	switch n.form {
	case multipart:
		b.Size, b.Lines = 0, 0
		for _, k := range n.kids {
			b.Parts = append(b.Parts, k.body())
		}
	case rfc822:
		b.Envelope = n.kids[0].env
		b.Parts = []*Body{n.kids[0].body()}
	default:
		if m.typ == "MESSAGE" && m.sub == "RFC822" {
			// upasfs did not parse the message: say it is empty.
			b.Envelope = emptyEnvelope
			b.Parts = []*Body{{Type: "TEXT", Subtype: "PLAIN", Encoding: "7BIT"}}
		}
	}
	return b
}
