package wire

import "strings"

// CONDSTORE's grammar (RFC 7162 §7): the MODSEQ fetch item, FETCH's
// CHANGEDSINCE and STORE's UNCHANGEDSINCE modifiers, SELECT's CONDSTORE
// parameter, the MODSEQ search key and STATUS HIGHESTMODSEQ.

// FetchModSeq is the MODSEQ fetch item (RFC 7162 §3.1.4.1).
const FetchModSeq FetchAtt = "MODSEQ"

// StatusHighestModSeq is the HIGHESTMODSEQ status item (RFC 7162 §3.1.2.2).
const StatusHighestModSeq StatusItem = "HIGHESTMODSEQ"

// SearchModSeq is the MODSEQ search key (RFC 7162 §3.1.5): Mod is the
// mod-sequence, Field the entry name and Value the entry type ("" both
// when not given).
const SearchModSeq SearchOp = "MODSEQ"

func init() {
	simpleFetchAtts[string(FetchModSeq)] = FetchModSeq
	statusItems[string(StatusHighestModSeq)] = StatusHighestModSeq
	searchArgs[SearchModSeq] = argModSeq
}

// FetchModifiers are FETCH's modifiers (RFC 4466 §2.4, RFC 7162
// §3.1.4.1): ChangedSince is 0 when not given.
type FetchModifiers struct {
	ChangedSince uint64
}

// ExpectFetchModifiers reads "(" fetch-modifier *(SP fetch-modifier)
// ")"; the only modifier known is "CHANGEDSINCE" SP mod-sequence-value
// (not zero), given at most once.
func (d *Decoder) ExpectFetchModifiers(m *FetchModifiers) bool {
	*m = FetchModifiers{}
	return d.modifiers("fetch modifier", func(name string) bool {
		if name != "CHANGEDSINCE" {
			return d.fail("illegal fetch modifier %s", quote(name))
		}
		if m.ChangedSince != 0 {
			return d.fail("CHANGEDSINCE given twice")
		}
		if !d.ExpectSP() || !d.ExpectNumber64(&m.ChangedSince) {
			return false
		}
		if m.ChangedSince == 0 {
			return d.fail("CHANGEDSINCE must be a positive mod-sequence")
		}
		return true
	})
}

// StoreModifiers are STORE's modifiers (RFC 7162 §3.1.3): when
// HasUnchangedSince, UnchangedSince (which may be 0) is the test.
type StoreModifiers struct {
	HasUnchangedSince bool
	UnchangedSince    uint64
}

// ExpectStoreModifiers reads "(" store-modifier *(SP store-modifier)
// ")"; the only modifier known is "UNCHANGEDSINCE" SP
// mod-sequence-valzer, given at most once.
func (d *Decoder) ExpectStoreModifiers(m *StoreModifiers) bool {
	*m = StoreModifiers{}
	return d.modifiers("store modifier", func(name string) bool {
		if name != "UNCHANGEDSINCE" {
			return d.fail("illegal store modifier %s", quote(name))
		}
		if m.HasUnchangedSince {
			return d.fail("UNCHANGEDSINCE given twice")
		}
		m.HasUnchangedSince = true
		return d.ExpectSP() && d.ExpectNumber64(&m.UnchangedSince)
	})
}

// ExpectSelectParams reads SELECT's "(" select-param *(SP select-param)
// ")" (RFC 4466 §2.1); the only parameter known is CONDSTORE (RFC 7162
// §3.1.8), which it reports.
func (d *Decoder) ExpectSelectParams(condstore *bool) bool {
	*condstore = false
	return d.modifiers("select parameter", func(name string) bool {
		if name != "CONDSTORE" {
			return d.fail("illegal select parameter %s", quote(name))
		}
		*condstore = true
		return true
	})
}

// modifiers reads a parenthesised list of named items, each read by
// item after its name (upper-cased).
func (d *Decoder) modifiers(what string, item func(name string) bool) bool {
	if !d.expect('(', `"(" to start `+what+"s") {
		return false
	}
	for {
		var name string
		if !d.keyword(&name, what) || !item(name) {
			return false
		}
		if d.consume(')') {
			return true
		}
		if !d.ExpectSP() {
			return false
		}
	}
}

// modSeqKey reads the rest of the MODSEQ search key (RFC 7162 §7):
// [entry-name SP entry-type-req SP] mod-sequence-valzer, where
// entry-name is a quoted "/flags/" flag name and entry-type-req is
// "priv", "shared" or "all".
func (d *Decoder) modSeqKey(k *SearchKey) bool {
	if c, ok := d.peek(); ok && c == '"' {
		if !d.ExpectQuoted(&k.Field) {
			return false
		}
		flag, ok := strings.CutPrefix(strings.ToLower(k.Field), "/flags/")
		if !ok || flag == "" {
			return d.fail("MODSEQ entry name must be /flags/<flag>")
		}
		var typ string
		if !d.ExpectSP() || !d.keyword(&typ, "entry type") {
			return false
		}
		switch typ {
		case "PRIV", "SHARED", "ALL":
		default:
			return d.fail("illegal MODSEQ entry type %s", quote(typ))
		}
		k.Value = strings.ToLower(typ)
		if !d.ExpectSP() {
			return false
		}
	} else if !ok {
		return false
	}
	return d.ExpectNumber64(&k.Mod)
}
