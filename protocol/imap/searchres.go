package imap

import (
	"slices"

	"p9mail/protocol/imap/wire"
)

// searchState is what the extended SEARCH keeps for the selected
// mailbox; it lives in the mailbox, so SELECT, EXAMINE, CLOSE and
// UNSELECT start over from nothing (RFC 5182 §2.1, RFC 5267 §4.3).
type searchState struct {
	// saved is the result of the last SEARCH RETURN (SAVE), "$" (RFC
	// 5182), as UIDs, ascending: a message expunged drops out of it by
	// itself, as §2.1 wants, since "$" names only messages still here.
	saved []uint32
	// updates are the searches with RETURN (UPDATE) still updating
	// (context.go), at most Config.MaxSearchUpdates.
	updates []*searchUpdate
}

// save sets "$" to the messages of the selected mailbox at the given
// indices (into mb.msgs).
func (mb *mailbox) save(idx []int) {
	uids := make([]uint32, 0, len(idx))
	for _, i := range idx {
		uids = append(uids, mb.msgs[i].UID)
	}
	slices.Sort(uids)
	mb.search.saved = uids
}

// inSaved reports whether m is in "$".
func (mb *mailbox) inSaved(m *msg) bool {
	_, ok := slices.BinarySearch(mb.search.saved, m.UID)
	return ok
}

// resolveArg is resolve for a message-set argument that may be "$":
// the messages of the saved result still in the mailbox, whether the
// command takes sequence numbers or UIDs (RFC 5182 §2.1). "$" naming
// nothing is no error: the command does nothing (§2.1, example 6).
func (s *session) resolveArg(a wire.SeqArg, uid bool) ([]target, bool) {
	if !a.Saved {
		return s.resolve(a.Set, uid)
	}
	mb := s.sel
	var out []target
	for i, m := range mb.msgs {
		if !m.Expunged && m.UID != 0 && mb.inSaved(m) {
			out = append(out, target{uint32(i + 1), m})
		}
	}
	return out, true
}

// pinKeys returns keys with what would change meaning as the mailbox
// changes fixed to the messages it names now: message sequence sets
// (RFC 5267 §4.3: they are evaluated when the command is received)
// and "$" become UID sets. For an updating search.
func (mb *mailbox) pinKeys(keys []wire.SearchKey) []wire.SearchKey {
	out := make([]wire.SearchKey, len(keys))
	var largest uint32
	if n := len(mb.msgs); n > 0 {
		largest = mb.msgs[n-1].UID
	}
	for i, k := range keys {
		switch k.Op {
		case wire.SearchSeqSet:
			var uids []uint32
			for _, r := range k.Seq.Ranges(uint32(len(mb.msgs))) {
				for n := r.Start; n <= r.Stop; n++ { // Stop <= len(mb.msgs): no wrap
					uids = append(uids, mb.msgs[n-1].UID)
				}
			}
			k = wire.SearchKey{Op: wire.SearchUID, Seq: wire.SeqSetOf(uids)}
		case wire.SearchUID:
			if k.Seq.Dynamic() { // "*" is the largest UID now
				k = wire.SearchKey{Op: wire.SearchUID, Seq: resolveStar(k.Seq, largest)}
			}
		case wire.SearchSaved:
			k = wire.SearchKey{Op: wire.SearchUID, Seq: wire.SeqSetOf(mb.search.saved)}
		}
		if len(k.Keys) > 0 {
			k.Keys = mb.pinKeys(k.Keys)
		}
		out[i] = k
	}
	return out
}

// resolveStar returns set with "*" replaced by largest; with no
// messages (largest 0) "*" names none.
func resolveStar(set wire.SeqSet, largest uint32) wire.SeqSet {
	var out wire.SeqSet
	for _, r := range set {
		if r.Start == wire.Star {
			r.Start = largest
		}
		if r.Stop == wire.Star {
			r.Stop = largest
		}
		if r.Start != 0 && r.Stop != 0 {
			out = append(out, r)
		}
	}
	return out // empty: names no message
}
