package wire

// FetchName writes the name a FETCH response gives it (RFC 3501
// §7.4.2): the item's name, or for a body section "BODY[section]" with
// "<start>" for a partial fetch. BODY.PEEK answers as BODY.
func (e *Encoder) FetchName(it FetchItem) *Encoder {
	return e.fetchItem(it, false)
}

// fetchItem writes it as a request (asked) or as a response name.
func (e *Encoder) fetchItem(it FetchItem, asked bool) *Encoder {
	switch it.Att {
	case FetchBodySection:
		e.Atom("BODY")
	case FetchBinary:
		e.Atom("BINARY")
	case FetchBinarySize:
		e.Atom("BINARY.SIZE")
	default:
		return e.Atom(string(it.Att))
	}
	if asked && it.Peek {
		e.Atom(".PEEK")
	}
	e.Special('[').section(it.Section)
	e.Special(']')
	if it.Partial != nil {
		e.Special('<').Number(it.Partial.Start)
		if asked {
			e.Special('.').Number(it.Partial.Count)
		}
		e.Special('>')
	}
	return e
}

// section writes a section-spec without the brackets.
func (e *Encoder) section(s Section) *Encoder {
	for i, p := range s.Part {
		if i > 0 {
			e.Special('.')
		}
		e.Number(p)
	}
	if s.Specifier == SpecNone {
		return e
	}
	if len(s.Part) > 0 {
		e.Special('.')
	}
	e.Atom(string(s.Specifier))
	if s.Specifier == SpecHeaderFields || s.Specifier == SpecHeaderFieldsNot {
		e.SP().List(len(s.Fields), func(i int) { e.AString(s.Fields[i]) })
	}
	return e
}
