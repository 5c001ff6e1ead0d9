package wire

// FetchAtt names a FETCH data item (RFC 3501 §6.4.5).
type FetchAtt string

// FETCH data items. FetchBodySection is BODY[section]<partial> and
// BODY.PEEK[...]; FetchBody without a section is the non-extensible
// BODYSTRUCTURE.
const (
	FetchEnvelope      FetchAtt = "ENVELOPE"
	FetchFlags         FetchAtt = "FLAGS"
	FetchInternalDate  FetchAtt = "INTERNALDATE"
	FetchRFC822        FetchAtt = "RFC822"
	FetchRFC822Header  FetchAtt = "RFC822.HEADER"
	FetchRFC822Size    FetchAtt = "RFC822.SIZE"
	FetchRFC822Text    FetchAtt = "RFC822.TEXT"
	FetchBody          FetchAtt = "BODY"
	FetchBodyStructure FetchAtt = "BODYSTRUCTURE"
	FetchUID           FetchAtt = "UID"
	FetchBodySection   FetchAtt = "BODY[]"
	// BINARY[part]<partial>, BINARY.PEEK and BINARY.SIZE[part] (RFC
	// 3516 §4.2): Section holds only Part.
	FetchBinary     FetchAtt = "BINARY[]"
	FetchBinarySize FetchAtt = "BINARY.SIZE[]"
)

// Partial is "<start.count>": count octets from start (RFC 3501 §6.4.5).
type Partial struct{ Start, Count uint32 }

// FetchItem is one requested data item.
type FetchItem struct {
	Att     FetchAtt
	Section Section  // FetchBodySection, FetchBinary and FetchBinarySize only
	Peek    bool     // BODY.PEEK, BINARY.PEEK: do not set \Seen
	Partial *Partial // FetchBodySection and FetchBinary only; nil for the whole section
}

// fetchMacros expand ALL, FAST and FULL (RFC 3501 §6.4.5).
var fetchMacros = map[string][]FetchAtt{
	"ALL":  {FetchFlags, FetchInternalDate, FetchRFC822Size, FetchEnvelope},
	"FAST": {FetchFlags, FetchInternalDate, FetchRFC822Size},
	"FULL": {FetchFlags, FetchInternalDate, FetchRFC822Size, FetchEnvelope, FetchBody},
}

var simpleFetchAtts = map[string]FetchAtt{}

func init() {
	for _, a := range []FetchAtt{FetchEnvelope, FetchFlags, FetchInternalDate, FetchRFC822,
		FetchRFC822Header, FetchRFC822Size, FetchRFC822Text, FetchBody, FetchBodyStructure, FetchUID} {
		simpleFetchAtts[string(a)] = a
	}
}

// ExpectFetchAtts reads the FETCH argument after the sequence set: a
// macro (ALL, FAST, FULL, expanded), one fetch-att, or a parenthesised
// list of them (RFC 3501 §9 fetch). Items keep the order sent.
func (d *Decoder) ExpectFetchAtts(items *[]FetchItem) bool {
	if d.consume('(') {
		var list []FetchItem
		for {
			var it FetchItem
			if !d.ExpectFetchItem(&it) {
				return false
			}
			list = append(list, it)
			if d.consume(')') {
				*items = list
				return true
			}
			if !d.ExpectSP() {
				return false
			}
		}
	}
	var name string
	if !d.fetchName(&name) {
		return false
	}
	if atts, ok := fetchMacros[name]; ok {
		list := make([]FetchItem, len(atts))
		for i, a := range atts {
			list[i] = FetchItem{Att: a}
		}
		*items = list
		return true
	}
	var it FetchItem
	if !d.fetchItem(&it, name) {
		return false
	}
	*items = []FetchItem{it}
	return true
}

// ExpectFetchItem reads one fetch-att (RFC 3501 §9).
func (d *Decoder) ExpectFetchItem(it *FetchItem) bool {
	var name string
	return d.fetchName(&name) && d.fetchItem(it, name)
}

// fetchName reads letters, digits and dots ("RFC822.SIZE", "BODY.PEEK"),
// upper-cased; it stops at "[".
func (d *Decoder) fetchName(name *string) bool {
	buf, ok := d.dotted("expected fetch attribute")
	if ok {
		*name = upperASCII(buf)
	}
	return ok
}

// dotted reads a run of letters, digits and dots, at least one (what
// names it for the error). The bytes are valid until the next read.
func (d *Decoder) dotted(what string) ([]byte, bool) {
	buf := d.scratch[:0]
	for {
		c, ok := d.peek()
		if !ok {
			return nil, false
		}
		if !isDigit(c) && c != '.' && (c|0x20 < 'a' || c|0x20 > 'z') {
			break
		}
		if !d.advance(c) {
			return nil, false
		}
		buf = append(buf, c)
	}
	d.scratch = buf
	if len(buf) == 0 {
		return nil, d.fail("%s", what)
	}
	return buf, true
}

func (d *Decoder) fetchItem(it *FetchItem, name string) bool {
	*it = FetchItem{}
	switch name {
	case "BINARY", "BINARY.PEEK", "BINARY.SIZE":
		return d.binaryItem(it, name)
	}
	peek := name == "BODY.PEEK"
	if c, ok := d.peek(); !ok {
		return false
	} else if c != '[' || name != "BODY" && !peek {
		if a, ok := simpleFetchAtts[name]; ok {
			it.Att = a
			return true
		}
		return d.fail("illegal fetch attribute %s", quote(name))
	}
	it.Att, it.Peek = FetchBodySection, peek
	if !d.ExpectSection(&it.Section) {
		return false
	}
	return d.partial(it)
}

// binaryItem reads the rest of BINARY[section-part]<partial>,
// BINARY.PEEK[...]<...> or BINARY.SIZE[section-part] (RFC 3516 §4.2):
// "[" [nz-number *("." nz-number)] "]".
func (d *Decoder) binaryItem(it *FetchItem, name string) bool {
	it.Att, it.Peek = FetchBinary, name == "BINARY.PEEK"
	if name == "BINARY.SIZE" {
		it.Att = FetchBinarySize
	}
	if !d.expect('[', `"[" after `+name) {
		return false
	}
	if !d.consume(']') {
		if d.err != nil {
			return false
		}
		var tok string
		if !d.sectionToken(&tok) || !d.sectionSpec(&it.Section, tok) {
			return false
		}
		if it.Section.Specifier != SpecNone {
			return d.fail("%s takes only part numbers", name)
		}
		if !d.expect(']', `"]" to end section`) {
			return false
		}
	}
	if it.Att == FetchBinarySize {
		return true
	}
	return d.partial(it)
}

// partial reads an optional "<start.count>".
func (d *Decoder) partial(it *FetchItem) bool {
	if !d.consume('<') {
		return d.err == nil
	}
	var p Partial
	if !d.ExpectNumber(&p.Start) || !d.expect('.', `"." in partial`) ||
		!d.ExpectNzNumber(&p.Count) || !d.expect('>', `">" to end partial`) {
		return false
	}
	it.Partial = &p
	return true
}

// String returns the item as a client writes it, e.g.
// "BODY.PEEK[HEADER.FIELDS (From)]<0.100>".
func (it FetchItem) String() string {
	return encodeToString(func(e *Encoder) { e.fetchItem(it, true) })
}
