package wire

import "strings"

// SortKey is one sort-key of SORT (RFC 5256 §3, RFC 5957 §3), named by
// its keyword; Reverse is a REVERSE before it.
type SortKey struct {
	Name    string // ARRIVAL CC DATE FROM SIZE SUBJECT TO DISPLAYFROM DISPLAYTO
	Reverse bool
}

// sortKeys are the keys SORT knows.
var sortKeys = map[string]bool{
	"ARRIVAL": true, "CC": true, "DATE": true, "FROM": true, "SIZE": true,
	"SUBJECT": true, "TO": true, "DISPLAYFROM": true, "DISPLAYTO": true,
}

// maxSortKeys bounds a SORT's criteria: there are nine keys, and a
// key named twice adds nothing.
const maxSortKeys = 32

// Sort is a SORT command's arguments: the criteria and the search
// program, whose Charset is SORT's mandatory charset. Return is the
// RETURN options of an extended SORT (RFC 5267 §3 ESORT, §4 CONTEXT=
// SORT), nil for a plain one; Search.Return stays nil.
type Sort struct {
	Return *SearchReturn
	Keys   []SortKey
	Search Search
}

// ExpectSort reads SORT's arguments after "SORT" SP (RFC 5256 §4,
// RFC 5267 §5):
//
//	[sort-return-opts SP] sort-criteria SP search-criteria
//	sort-return-opts = "RETURN" SP "(" [option *(SP option)] ")"
//	sort-criteria = "(" sort-criterion *(SP sort-criterion) ")"
//	sort-criterion = ["REVERSE" SP] sort-key
//	search-criteria = charset 1*(SP search-key)
func (d *Decoder) ExpectSort(s *Sort) bool {
	*s = Sort{}
	if c, ok := d.peek(); ok && c != '(' {
		s.Return = new(SearchReturn)
		if !d.ExpectSearchReturn(s.Return) || !d.ExpectSP() {
			return false
		}
	}
	if !d.ExpectSpecial('(') {
		return false
	}
	for {
		var k SortKey
		var name string
		if !d.keyword(&name, "sort key") {
			return false
		}
		if name == "REVERSE" {
			k.Reverse = true
			if !d.ExpectSP() || !d.keyword(&name, "sort key") {
				return false
			}
		}
		if !sortKeys[name] {
			return d.fail("illegal sort key %s", quote(name))
		}
		if len(s.Keys) == maxSortKeys {
			return d.fail("too many sort keys")
		}
		k.Name = name
		s.Keys = append(s.Keys, k)
		if d.consume(')') {
			break
		}
		if !d.ExpectSP() {
			return false
		}
	}
	return d.ExpectSP() && d.searchCriteria(&s.Search)
}

// Thread is a THREAD command's arguments (RFC 5256 §4): the algorithm
// (upper case) and the search program with its charset.
type Thread struct {
	Algorithm string
	Search    Search
}

// ExpectThread reads THREAD's arguments after "THREAD" SP:
// thread-alg SP search-criteria (RFC 5256 §4); which algorithms are
// known is the engine's business.
func (d *Decoder) ExpectThread(t *Thread) bool {
	*t = Thread{}
	return d.keyword(&t.Algorithm, "threading algorithm") && d.ExpectSP() && d.searchCriteria(&t.Search)
}

// searchCriteria reads charset 1*(SP search-key).
func (d *Decoder) searchCriteria(s *Search) bool {
	var first SearchKey
	if !d.ExpectAString(&s.Charset) || !d.ExpectSP() {
		return false
	}
	// As after SEARCH CHARSET UTF-8 (decision 21).
	d.utf8Text = strings.EqualFold(s.Charset, "UTF-8")
	if !d.searchKey(&first, 0) {
		return false
	}
	s.Keys = append(s.Keys, first)
	for d.SP() {
		var k SearchKey
		if !d.searchKey(&k, 0) {
			return false
		}
		s.Keys = append(s.Keys, k)
	}
	return d.err == nil
}

// String returns the arguments as a client writes them after "SORT ".
func (s Sort) String() string {
	return encodeToString(func(e *Encoder) {
		if s.Return != nil {
			e.Atom("RETURN ").searchReturn(*s.Return)
			e.SP()
		}
		e.List(len(s.Keys), func(i int) {
			if s.Keys[i].Reverse {
				e.Atom("REVERSE").SP()
			}
			e.Atom(s.Keys[i].Name)
		})
		e.SP().criteria(s.Search)
	})
}

// String returns the arguments as a client writes them after "THREAD ".
func (t Thread) String() string {
	return encodeToString(func(e *Encoder) {
		e.Atom(t.Algorithm).SP().criteria(t.Search)
	})
}

// criteria writes charset 1*(SP search-key).
func (e *Encoder) criteria(s Search) {
	e.AString(s.Charset)
	for _, k := range s.Keys {
		e.SP().searchKey(k)
	}
}
