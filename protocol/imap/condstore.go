package imap

import (
	"p9mail/protocol/imap/wire"
)

// CONDSTORE (RFC 7162 §3.1). Every message has a mod-sequence and the
// mailbox its highest, both kept in the state file (statefile.go): the
// numbers this file reports are exactly the ones persisted, so a client
// compares them across sessions. A session turns CONDSTORE on with
// ENABLE or, implicitly (§3.1), with any command that uses it: FETCH
// MODSEQ, CHANGEDSINCE, UNCHANGEDSINCE, SEARCH MODSEQ, SELECT
// (CONDSTORE), STATUS HIGHESTMODSEQ. Once on, every FETCH response a
// flag change causes carries MODSEQ. Our mailboxes always keep
// mod-sequences: every SELECT and EXAMINE tells HIGHESTMODSEQ (RFC 7162
// §3.1.2.1), and NOMODSEQ is never sent.

const condstore = "CONDSTORE"

func init() {
	registerEnable(condstore, enableExt{})
}

// enableCondstore turns CONDSTORE on for a command that implies it.
// Turned on while a mailbox is selected, it tells the mailbox's highest
// mod-sequence at once (RFC 7162 §3.1: the client may have selected
// the mailbox without knowing it).
func (s *session) enableCondstore() {
	if s.isEnabled(condstore) {
		return
	}
	if s.enabled == nil {
		s.enabled = map[string]bool{}
	}
	s.enabled[condstore] = true
	if s.sel != nil {
		s.tellHighestModSeq()
	}
}

// highestModSeq is the mailbox's HIGHESTMODSEQ: the state file's, or 1
// for a mailbox that has never had one (RFC 7162 §3.1.2.1: the value is
// positive; statefile.Update gives the first change 2, so a client that
// was told 1 sees it).
func (mb *mailbox) highestModSeq() uint64 {
	if mb.st == nil || mb.st.HighestModSeq == 0 {
		return 1
	}
	return mb.st.HighestModSeq
}

// tellHighestModSeq sends "* OK [HIGHESTMODSEQ n]".
func (s *session) tellHighestModSeq() {
	s.enc.Atom("* OK ").BeginCode("HIGHESTMODSEQ").SP().Number64(s.sel.highestModSeq()).EndCode().SP().Text("highest mod-sequence").CRLF()
}

// modSeqOf is m's mod-sequence as FETCH reports it: never 0 (a message
// the state file has not recorded yet has none until the next commit,
// which every command that reports one runs first).
func (m *msg) modSeqOf() uint64 { return max(m.modseq, 1) }

// writeModSeq writes the MODSEQ fetch data item, "MODSEQ (n)".
func writeModSeq(e *wire.Encoder, m *msg) {
	e.Atom("MODSEQ (").Number64(m.modSeqOf()).Atom(")")
}

// hasModSeqKey reports whether a search program uses MODSEQ.
func hasModSeqKey(keys []wire.SearchKey) bool {
	for _, k := range keys {
		if k.Op == wire.SearchModSeq || hasModSeqKey(k.Keys) {
			return true
		}
	}
	return false
}

// wantsModSeq reports whether FETCH items name MODSEQ.
func wantsModSeq(items []wire.FetchItem) bool {
	for _, it := range items {
		if it.Att == wire.FetchModSeq {
			return true
		}
	}
	return false
}

// changedSince applies FETCH's CHANGEDSINCE (RFC 7162 §3.1.4.1): only
// the targets whose mod-sequence is above it, and MODSEQ among the
// items answered.
func changedSince(targets []target, items []wire.FetchItem, mods wire.FetchModifiers) ([]target, []wire.FetchItem) {
	if mods.ChangedSince == 0 {
		return targets, items
	}
	kept := targets[:0:0]
	for _, t := range targets {
		if t.m.modSeqOf() > mods.ChangedSince {
			kept = append(kept, t)
		}
	}
	if !wantsModSeq(items) {
		items = append(items, wire.FetchItem{Att: wire.FetchModSeq})
	}
	return kept, items
}

// modifiedSet is the MODIFIED response code's set (RFC 7162 §3.1.3):
// the targets STORE left because they changed since UNCHANGEDSINCE, as
// UIDs for UID STORE and sequence numbers otherwise.
func modifiedSet(ts []target, uid bool) string {
	nums := make([]uint32, len(ts))
	for i, t := range ts {
		nums[i] = t.seq
		if uid {
			nums[i] = t.m.UID
		}
	}
	return wire.SeqSetOf(nums).String()
}

// searchModSeq is the MODSEQ a SEARCH with a MODSEQ key answers with
// (RFC 7162 §3.1.5, and RFC 4731 as RFC 7162 §3.1.5 extends it): the
// highest mod-sequence of the messages found (idx, ascending indexes
// into mb.msgs), or, when an ESEARCH returns only MIN or only MAX, that
// message's; 0 when nothing was found.
func searchModSeq(mb *mailbox, idx []int, ret *wire.SearchReturn) uint64 {
	if len(idx) == 0 {
		return 0
	}
	if ret != nil && !ret.All && !ret.Count && ret.Partial == nil && ret.Min != ret.Max {
		if ret.Min {
			return mb.msgs[idx[0]].modSeqOf()
		}
		return mb.msgs[idx[len(idx)-1]].modSeqOf()
	}
	var hi uint64
	for _, i := range idx {
		hi = max(hi, mb.msgs[i].modSeqOf())
	}
	return hi
}

// hitsModSeq ends a SORT answer whose program used MODSEQ with "
// (MODSEQ n)", the highest mod-sequence of the hits (sequence numbers,
// or UIDs if uid; RFC 7162 §3.1.5 search-sort-mod-seq); nothing when
// there are none.
func (s *session) hitsModSeq(hits []uint32, uid bool) {
	if len(hits) == 0 {
		return
	}
	want := make(map[uint32]bool, len(hits))
	for _, h := range hits {
		want[h] = true
	}
	var hi uint64
	for i, m := range s.sel.msgs {
		if n := uint32(i + 1); uid && want[m.UID] || !uid && want[n] {
			hi = max(hi, m.modSeqOf())
		}
	}
	s.enc.Atom(" (MODSEQ ").Number64(hi).Atom(")")
}
