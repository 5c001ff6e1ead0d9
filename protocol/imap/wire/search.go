package wire

import (
	"strings"
	"time"
)

// SearchOp is a SEARCH key (RFC 3501 §6.4.4), named by its keyword.
type SearchOp string

// SEARCH keys. SearchSeqSet (a bare sequence set) and SearchAnd (a
// parenthesised list) have no keyword of their own.
const (
	SearchAll        SearchOp = "ALL"
	SearchAnswered   SearchOp = "ANSWERED"
	SearchBcc        SearchOp = "BCC"
	SearchBefore     SearchOp = "BEFORE"
	SearchBody       SearchOp = "BODY"
	SearchCc         SearchOp = "CC"
	SearchDeleted    SearchOp = "DELETED"
	SearchDraft      SearchOp = "DRAFT"
	SearchFlagged    SearchOp = "FLAGGED"
	SearchFrom       SearchOp = "FROM"
	SearchHeader     SearchOp = "HEADER"
	SearchKeyword    SearchOp = "KEYWORD"
	SearchLarger     SearchOp = "LARGER"
	SearchNew        SearchOp = "NEW"
	SearchNot        SearchOp = "NOT"
	SearchOld        SearchOp = "OLD"
	SearchOn         SearchOp = "ON"
	SearchOr         SearchOp = "OR"
	SearchRecent     SearchOp = "RECENT"
	SearchSeen       SearchOp = "SEEN"
	SearchSentBefore SearchOp = "SENTBEFORE"
	SearchSentOn     SearchOp = "SENTON"
	SearchSentSince  SearchOp = "SENTSINCE"
	SearchSince      SearchOp = "SINCE"
	SearchSmaller    SearchOp = "SMALLER"
	SearchSubject    SearchOp = "SUBJECT"
	SearchText       SearchOp = "TEXT"
	SearchTo         SearchOp = "TO"
	SearchUID        SearchOp = "UID"
	SearchUnanswered SearchOp = "UNANSWERED"
	SearchUndeleted  SearchOp = "UNDELETED"
	SearchUndraft    SearchOp = "UNDRAFT"
	SearchUnflagged  SearchOp = "UNFLAGGED"
	SearchUnkeyword  SearchOp = "UNKEYWORD"
	SearchUnseen     SearchOp = "UNSEEN"
	SearchOlder      SearchOp = "OLDER"   // RFC 5032
	SearchYounger    SearchOp = "YOUNGER" // RFC 5032
	SearchSaved      SearchOp = "$"       // RFC 5182: "$" or "UID $"
	SearchSeqSet     SearchOp = "(sequence set)"
	SearchAnd        SearchOp = "(list)"
)

// SearchKey is one node of a SEARCH program. Which fields are set
// depends on Op:
//
//	BCC BODY CC FROM SUBJECT TEXT TO   Value (an astring, raw octets)
//	HEADER                             Field, Value
//	KEYWORD UNKEYWORD                  Value (a flag, system flags canonical)
//	BEFORE ON SINCE SENT*              Date (midnight UTC of the day)
//	LARGER SMALLER                     Size
//	OLDER YOUNGER                      Size (seconds, RFC 5032)
//	UID, SearchSeqSet                  Seq (UIDs; message sequence numbers)
//	SearchSaved ("$", "UID $")         nothing: the saved result (RFC 5182)
//	MODSEQ                             Mod; Field, Value: entry name and type, or "" (RFC 7162)
//	NOT                                Keys[0]
//	OR                                 Keys[0], Keys[1]
//	SearchAnd                          Keys (all must match)
//
// The other keys take no argument.
type SearchKey struct {
	Op    SearchOp
	Field string
	Value string
	Date  time.Time
	Size  uint32
	Mod   uint64 // MODSEQ (condstore.go)
	Seq   SeqSet
	Keys  []SearchKey
}

// Search is a SEARCH program (RFC 3501 §6.4.4): Keys all must match.
// Charset is "" when no CHARSET was given; checking it, and decoding the
// string arguments from it, is the engine's business. Return is the
// RETURN list of an extended SEARCH (RFC 4466, esearch.go), nil when
// none was given: the answer is then an untagged SEARCH.
type Search struct {
	Return  *SearchReturn
	Charset string
	Keys    []SearchKey
}

// searchArg is what follows a search keyword.
type searchArg int

const (
	argNone searchArg = iota
	argString
	argHeader
	argFlag
	argDate
	argNumber
	argUIDSet
	argKey
	argTwoKeys
	argModSeq // condstore.go
)

var searchArgs = map[SearchOp]searchArg{
	SearchAll: argNone, SearchAnswered: argNone, SearchBcc: argString,
	SearchBefore: argDate, SearchBody: argString, SearchCc: argString,
	SearchDeleted: argNone, SearchDraft: argNone, SearchFlagged: argNone,
	SearchFrom: argString, SearchHeader: argHeader, SearchKeyword: argFlag,
	SearchLarger: argNumber, SearchNew: argNone, SearchNot: argKey,
	SearchOld: argNone, SearchOn: argDate, SearchOr: argTwoKeys,
	SearchRecent: argNone, SearchSeen: argNone, SearchSentBefore: argDate,
	SearchSentOn: argDate, SearchSentSince: argDate, SearchSince: argDate,
	SearchSmaller: argNumber, SearchSubject: argString, SearchText: argString,
	SearchTo: argString, SearchUID: argUIDSet, SearchUnanswered: argNone,
	SearchUndeleted: argNone, SearchUndraft: argNone, SearchUnflagged: argNone,
	SearchUnkeyword: argFlag, SearchUnseen: argNone,
	SearchOlder: argNumber, SearchYounger: argNumber,
}

// maxSearchDepth bounds NOT/OR/() nesting, so a hostile line cannot
// exhaust the stack.
const maxSearchDepth = 64

// ExpectSearch reads SEARCH's arguments after "SEARCH" SP:
// ["RETURN" SP "(" options ")" SP] ["CHARSET" SP astring SP]
// search-key *(SP search-key) (RFC 3501 §9, RFC 4466 §2.6). After
// CHARSET UTF-8, quoted strings may hold UTF-8 (ExpectQuoted).
func (d *Decoder) ExpectSearch(s *Search) bool {
	*s = Search{}
	var first SearchKey
	if c, ok := d.peek(); ok && charClass[c]&cAtom != 0 && !isDigit(c) && c != '$' {
		var name string
		if !d.keyword(&name, "search key") {
			return false
		}
		if name == "RETURN" {
			s.Return = new(SearchReturn)
			if !d.searchReturn(s.Return) || !d.ExpectSP() {
				return false
			}
			if c, ok := d.peek(); !ok || charClass[c]&cAtom == 0 || isDigit(c) || c == '$' {
				if !d.searchKey(&first, 0) {
					return false
				}
				goto rest
			}
			if !d.keyword(&name, "search key") {
				return false
			}
		}
		if name == "CHARSET" {
			if !d.ExpectSP() || !d.ExpectAString(&s.Charset) || !d.ExpectSP() {
				return false
			}
			d.utf8Text = strings.EqualFold(s.Charset, "UTF-8")
			if !d.searchKey(&first, 0) {
				return false
			}
		} else if !d.searchKeyword(&first, name, 0) {
			return false
		}
	} else if !d.searchKey(&first, 0) {
		return false
	}
rest:
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

// searchKey reads one search-key.
func (d *Decoder) searchKey(k *SearchKey, depth int) bool {
	if depth > maxSearchDepth {
		return d.fail("search program nested too deeply")
	}
	c, ok := d.peek()
	if !ok {
		return false
	}
	switch {
	case c == '(':
		d.next()
		*k = SearchKey{Op: SearchAnd}
		for {
			var sub SearchKey
			if !d.searchKey(&sub, depth+1) {
				return false
			}
			k.Keys = append(k.Keys, sub)
			if d.consume(')') {
				return true
			}
			if !d.ExpectSP() {
				return false
			}
		}
	case c == '$':
		d.next()
		*k = SearchKey{Op: SearchSaved}
		return true
	case c == '*' || isDigit(c):
		*k = SearchKey{Op: SearchSeqSet}
		return d.ExpectSeqSet(&k.Seq)
	}
	var name string
	return d.keyword(&name, "search key") && d.searchKeyword(k, name, depth)
}

// searchKeyword reads the arguments of the key named name.
func (d *Decoder) searchKeyword(k *SearchKey, name string, depth int) bool {
	op := SearchOp(name)
	arg, ok := searchArgs[op]
	if !ok {
		return d.fail("illegal search key %s", quote(name))
	}
	*k = SearchKey{Op: op}
	if arg == argNone {
		return true
	}
	if !d.ExpectSP() {
		return false
	}
	switch arg {
	case argString:
		return d.ExpectAString(&k.Value)
	case argHeader:
		return d.ExpectAString(&k.Field) && d.ExpectSP() && d.ExpectAString(&k.Value)
	case argFlag:
		return d.ExpectFlag(&k.Value)
	case argDate:
		return d.ExpectDate(&k.Date)
	case argNumber:
		return d.ExpectNumber(&k.Size)
	case argUIDSet:
		if d.consume('$') {
			*k = SearchKey{Op: SearchSaved} // "UID $" is "$" (RFC 5182 §2.2)
			return true
		}
		return d.ExpectUIDSet(&k.Seq)
	case argModSeq:
		return d.modSeqKey(k)
	case argKey:
		k.Keys = make([]SearchKey, 1)
		return d.searchKey(&k.Keys[0], depth+1)
	default: // argTwoKeys
		k.Keys = make([]SearchKey, 2)
		return d.searchKey(&k.Keys[0], depth+1) && d.ExpectSP() &&
			d.searchKey(&k.Keys[1], depth+1)
	}
}

// String returns the key as a client writes it.
func (k SearchKey) String() string {
	return encodeToString(func(e *Encoder) { e.searchKey(k) })
}

// String returns the program as a client writes it after "SEARCH ".
func (s Search) String() string {
	return encodeToString(func(e *Encoder) {
		if s.Return != nil {
			e.Atom("RETURN ")
			e.searchReturn(*s.Return)
			e.SP()
		}
		if s.Charset != "" {
			e.Atom("CHARSET").SP().AString(s.Charset).SP()
		}
		for i, k := range s.Keys {
			if i > 0 {
				e.SP()
			}
			e.searchKey(k)
		}
	})
}

// searchKey writes k in request syntax.
func (e *Encoder) searchKey(k SearchKey) {
	switch k.Op {
	case SearchSeqSet:
		e.SeqSet(k.Seq)
		return
	case SearchAnd:
		e.List(len(k.Keys), func(i int) { e.searchKey(k.Keys[i]) })
		return
	case SearchSaved:
		e.Atom("$")
		return
	}
	e.Atom(string(k.Op))
	switch searchArgs[k.Op] {
	case argString:
		e.SP().AString(k.Value)
	case argHeader:
		e.SP().AString(k.Field).SP().AString(k.Value)
	case argFlag:
		e.SP().Atom(k.Value)
	case argDate:
		e.SP().Atom(FormatDate(k.Date))
	case argNumber:
		e.SP().Number(k.Size)
	case argUIDSet:
		e.SP().SeqSet(k.Seq)
	case argModSeq:
		if k.Field != "" {
			e.SP().Quoted(k.Field).SP().Atom(k.Value)
		}
		e.SP().Number64(k.Mod)
	case argKey, argTwoKeys:
		for _, sub := range k.Keys {
			e.SP()
			e.searchKey(sub)
		}
	}
}
