package imap

import (
	"slices"

	"p9mail/protocol/imap/wire"
)

// An esearchResult is what an extended searching command found, for
// writeESearch: the ESEARCH response of SEARCH and UID SEARCH (RFC
// 4731), and of SORT and UID SORT (ESORT, RFC 5267 §3), which pass
// their ordered result through the same writer. The RETURN options
// themselves are read by wire.Decoder.ExpectSearchReturn (SEARCH
// reads them inside wire.Decoder.ExpectSearch).
type esearchResult struct {
	tag  string   // the command's tag, for the search correlator
	uid  bool     // hits are UIDs (UID SEARCH, UID SORT)
	hits []uint32 // sequence numbers or UIDs, in the command's order
	// ordered: hits are in a sort order, not mailbox order, and ALL
	// and PARTIAL must keep it (SORT); SEARCH's hits are ascending.
	ordered bool
	// modseq, if not 0, is the MODSEQ the response ends with (RFC
	// 7162 §3.1.5, condstore.go).
	modseq uint64
}

// writeESearch writes "* ESEARCH (TAG "t") [UID] ..." with the return
// data that ret asks for (RFC 4731 §3.1, RFC 5267 §4.4, RFC 9394
// §3.1): MIN and MAX (the smallest and largest number; for SORT the
// first and last in its order, RFC 5267 §3; left out when nothing was
// found), ALL or PARTIAL as a sequence set in the hits' order,
// compacted into ranges, and COUNT. SAVE, UPDATE and CONTEXT
// add nothing to the response; a RETURN of SAVE alone (with CONTEXT at
// most) has no ESEARCH response at all (RFC 5182 §1), reported false.
func (s *session) writeESearch(r esearchResult, ret wire.SearchReturn) bool {
	if ret.Save && !ret.Min && !ret.Max && !ret.All && !ret.Count && !ret.Update && ret.Partial == nil {
		return false
	}
	e := s.enc
	e.Atom("* ESEARCH (TAG ").Quoted(r.tag).Atom(")")
	if r.uid {
		e.Atom(" UID")
	}
	if len(r.hits) > 0 {
		lo, hi := slices.Min(r.hits), slices.Max(r.hits)
		if r.ordered { // the first and last in the sort order (RFC 5267 §3)
			lo, hi = r.hits[0], r.hits[len(r.hits)-1]
		}
		if ret.Min {
			e.Atom(" MIN ").Number(lo)
		}
		if ret.Max {
			e.Atom(" MAX ").Number(hi)
		}
		if ret.All {
			e.Atom(" ALL ").Atom(compactSet(r.hits, r.ordered))
		}
	}
	if p := ret.Partial; p != nil {
		e.Atom(" PARTIAL (").Atom(p.String()).SP()
		if lo, hi := p.Resolve(len(r.hits)); lo < hi {
			e.Atom(compactSet(r.hits[lo:hi], r.ordered))
		} else {
			e.Atom("NIL")
		}
		e.Atom(")")
	}
	if ret.Count {
		e.Atom(" COUNT ").Number(uint32(len(r.hits)))
	}
	if r.modseq != 0 && len(r.hits) > 0 {
		e.Atom(" MODSEQ ").Number64(r.modseq)
	}
	e.CRLF()
	return true
}

// compactSet writes nums as a sequence set with runs as ranges: sorted
// and merged for mailbox order; for an ordered list only runs of
// consecutive ascending numbers are joined, so the order is kept.
func compactSet(nums []uint32, ordered bool) string {
	if !ordered {
		return wire.SeqSetOf(nums).String()
	}
	var set wire.SeqSet
	for _, n := range nums {
		if k := len(set); k > 0 && set[k-1].Stop+1 == n && set[k-1].Stop != 0 {
			set[k-1].Stop = n
			continue
		}
		set = append(set, wire.SeqRange{Start: n, Stop: n})
	}
	return set.String()
}
