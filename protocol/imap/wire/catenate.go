package wire

// CatPart is one part of a CATENATE message (RFC 4469 §5 cat-part):
// an URL, or a TEXT literal whose header ExpectCatPart read; its data
// is taken with ExpectLiteralData (or refused, as APPEND's literal).
type CatPart struct {
	IsURL bool
	URL   string        // IsURL: the URL as sent (an astring)
	Text  LiteralHeader // !IsURL: the TEXT literal's header
}

// ExpectCatPart reads one cat-part after "CATENATE (" or the SP
// between parts: "URL" SP astring or "TEXT" SP literal. A TEXT part's
// literal is an ordinary one; RFC 4469 has no literal8 there.
func (d *Decoder) ExpectCatPart(p *CatPart) bool {
	*p = CatPart{}
	var kw string
	if !d.keyword(&kw, "URL or TEXT") {
		return false
	}
	switch kw {
	case "URL":
		p.IsURL = true
		return d.ExpectSP() && d.ExpectAString(&p.URL)
	case "TEXT":
		return d.ExpectSP() && d.ExpectLiteralHeader(&p.Text)
	}
	return d.fail("expected URL or TEXT in CATENATE, not %s", quote(kw))
}

// ExpectCatNext reads what follows a cat-part (after its literal data
// for TEXT): SP before another (more is true) or ")" ending the
// message (more is false; ExpectAppendNext goes on).
func (d *Decoder) ExpectCatNext(more *bool) bool {
	*more = false
	c, ok := d.peek()
	if !ok {
		return false
	}
	if c == ')' {
		return d.advance(c)
	}
	if !d.ExpectSP() {
		return false
	}
	*more = true
	return true
}
