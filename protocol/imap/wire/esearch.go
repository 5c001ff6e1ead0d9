package wire

// SearchReturn is the RETURN list of an extended SEARCH (RFC 4466 §2.6,
// search-return-opts): what the ESEARCH response carries (RFC 4731
// MIN MAX ALL COUNT, RFC 5267 PARTIAL), whether the result is saved for
// "$" (RFC 5182 SAVE) and kept up to date (RFC 5267 UPDATE; CONTEXT is
// a hint). "RETURN ()" is ALL (RFC 4731 §3.1): the parser sets All then.
// SORT (RFC 5256, RFC 5267 ESORT) takes the same options: a SORT
// command reads them with ExpectSearchReturn.
type SearchReturn struct {
	Min, Max, All, Count bool
	Save                 bool
	Update, Context      bool
	Partial              *PartialRange
}

// PartialRange is PARTIAL's range of result positions (RFC 5267 §4.4,
// RFC 9394 §3.1): 1-based from the first result when positive, from the
// last (-1 the last) when negative. Start is the end nearer to the
// first (or last) result: 4:2 is read as 2:4, -5:-1 as -1:-5.
type PartialRange struct{ Start, Stop int64 }

// String returns the range as a client writes it.
func (p PartialRange) String() string {
	return encodeToString(func(e *Encoder) { e.partialRange(p) })
}

// Resolve returns the 0-based half-open span [lo, hi) of a result list
// of n entries that the range names, empty when it names none.
func (p PartialRange) Resolve(n int) (lo, hi int) {
	if p.Start > 0 {
		lo, hi = int(min(p.Start-1, int64(n))), int(min(p.Stop, int64(n)))
	} else {
		// -1:-5 are the last five: positions n-5 .. n-1.
		lo, hi = int(max(int64(n)+p.Stop, 0)), int(max(int64(n)+p.Start+1, 0))
	}
	return lo, max(lo, hi)
}

// searchReturnOpts are the RETURN option names.
var searchReturnOpts = map[string]func(*SearchReturn) *bool{
	"MIN":     func(r *SearchReturn) *bool { return &r.Min },
	"MAX":     func(r *SearchReturn) *bool { return &r.Max },
	"ALL":     func(r *SearchReturn) *bool { return &r.All },
	"COUNT":   func(r *SearchReturn) *bool { return &r.Count },
	"SAVE":    func(r *SearchReturn) *bool { return &r.Save },
	"UPDATE":  func(r *SearchReturn) *bool { return &r.Update },
	"CONTEXT": func(r *SearchReturn) *bool { return &r.Context },
}

// ExpectSearchReturn reads "RETURN" SP "(" [option *(SP option)] ")"
// (RFC 4466 §2.6): for SEARCH and for SORT, which take the same
// options. An option given twice, an unknown one, and ALL with PARTIAL
// (RFC 5267 §4.4) are errors.
func (d *Decoder) ExpectSearchReturn(r *SearchReturn) bool {
	var name string
	if !d.keyword(&name, "RETURN") {
		return false
	}
	if name != "RETURN" {
		return d.fail("expected RETURN")
	}
	return d.searchReturn(r)
}

// searchReturn reads the option list after "RETURN".
func (d *Decoder) searchReturn(r *SearchReturn) bool {
	*r = SearchReturn{}
	if !d.ExpectSP() || !d.ExpectSpecial('(') {
		return false
	}
	any := false
	for !d.consume(')') {
		if any && !d.ExpectSP() {
			return false
		}
		any = true
		var name string
		if !d.keyword(&name, "search return option") {
			return false
		}
		if name == "PARTIAL" {
			if r.Partial != nil {
				return d.fail("PARTIAL given twice")
			}
			r.Partial = new(PartialRange)
			if !d.ExpectSP() || !d.partialRange(r.Partial) {
				return false
			}
			continue
		}
		field, ok := searchReturnOpts[name]
		if !ok {
			return d.fail("unknown search return option %s", quote(name))
		}
		if p := field(r); *p {
			return d.fail("search return option %s given twice", name)
		} else {
			*p = true
		}
	}
	if d.err != nil {
		return false
	}
	if r.All && r.Partial != nil {
		return d.fail("ALL and PARTIAL exclude each other")
	}
	if !r.Min && !r.Max && !r.Count && !r.Save && !r.Update && !r.Context && r.Partial == nil {
		r.All = true // RETURN () is RETURN (ALL), RFC 4731 §3.1
	}
	return true
}

// partialRange reads nz-number ":" nz-number or "-" nz-number ":" "-"
// nz-number (RFC 9394 §6 partial-range).
func (d *Decoder) partialRange(p *PartialRange) bool {
	var a, b int64
	if !d.partialEnd(&a) || !d.ExpectSpecial(':') || !d.partialEnd(&b) {
		return false
	}
	if a < 0 != (b < 0) {
		return d.fail("PARTIAL range mixes positive and negative ends")
	}
	if a < 0 {
		a, b = -a, -b
		if a > b {
			a, b = b, a
		}
		*p = PartialRange{-a, -b}
		return true
	}
	*p = PartialRange{min(a, b), max(a, b)}
	return true
}

func (d *Decoder) partialEnd(v *int64) bool {
	neg := d.consume('-')
	var n uint32
	if !d.ExpectNzNumber(&n) {
		return false
	}
	*v = int64(n)
	if neg {
		*v = -*v
	}
	return true
}

func (e *Encoder) partialRange(p PartialRange) {
	num := func(v int64) {
		if v < 0 {
			e.Atom("-")
			v = -v
		}
		e.Number(uint32(v))
	}
	num(p.Start)
	e.Atom(":")
	num(p.Stop)
}

// String returns the option list as a client writes it after
// "RETURN ".
func (r SearchReturn) String() string {
	return encodeToString(func(e *Encoder) { e.searchReturn(r) })
}

func (e *Encoder) searchReturn(r SearchReturn) {
	var opts []func()
	for _, o := range []struct {
		on   bool
		name string
	}{{r.Min, "MIN"}, {r.Max, "MAX"}, {r.All, "ALL"}, {r.Count, "COUNT"},
		{r.Save, "SAVE"}, {r.Update, "UPDATE"}, {r.Context, "CONTEXT"}} {
		if o.on {
			name := o.name
			opts = append(opts, func() { e.Atom(name) })
		}
	}
	if r.Partial != nil {
		opts = append(opts, func() { e.Atom("PARTIAL ").partialRange(*r.Partial) })
	}
	e.List(len(opts), func(i int) { opts[i]() })
}

// SeqArg is the message-set argument of FETCH, STORE, COPY, MOVE and
// UID EXPUNGE: a sequence set, or "$", the saved search result (RFC
// 5182 §3 seq-last-command), which stands alone.
type SeqArg struct {
	Set   SeqSet
	Saved bool
}

// ExpectSeqArg reads a sequence-set (a UID set when uid) or "$".
func (d *Decoder) ExpectSeqArg(a *SeqArg, uid bool) bool {
	*a = SeqArg{}
	if d.consume('$') {
		a.Saved = true
		return true
	}
	if uid {
		return d.ExpectUIDSet(&a.Set)
	}
	return d.ExpectSeqSet(&a.Set)
}

// String returns the argument as a client writes it.
func (a SeqArg) String() string {
	if a.Saved {
		return "$"
	}
	return a.Set.String()
}
