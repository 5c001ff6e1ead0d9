package imap

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"p9mail/protocol/imap/wire"
)

// esortCapabilities are announced with SORT, once authenticated: SORT
// with RETURN (RFC 5267 §3) and updating SORT (§4).
var esortCapabilities = []string{"ESORT", "CONTEXT=SORT"}

// esort runs SORT and UID SORT with RETURN options (RFC 5267 §3, §4):
// the sort's result in an ESEARCH response, MIN and MAX the first and
// last message in the sort order, ALL and PARTIAL in that order; SAVE
// sets "$" to the messages found (RFC 5182 §2.4 with RFC 5267 §3: MIN
// or MAX alone save only those); UPDATE keeps the result up to date
// with positions in the sort order (tellSortUpdate).
func (s *session) esort(tag, cmd string, uid bool, req wire.Sort) error {
	ret := *req.Return
	mb := s.sel
	if ret.Update && mb.updating(tag) {
		return bad("", cmd+" tag already names an updating search")
	}
	fail := func(err error) error {
		if ret.Save {
			mb.search.saved = nil // a failed SAVE empties "$" (RFC 5182 §2.1)
		}
		return err
	}
	if err := s.checkProgram(cmd, req.Search); err != nil {
		return fail(err)
	}
	now := time.Now()
	var ms []sorted
	err := s.withHangup(uid, func(ctx context.Context) (err error) {
		ms, err = s.sortedHits(ctx, req.Search)
		if err == nil {
			sortMessages(ms, req.Keys)
		}
		return err
	})
	if err != nil {
		return fail(s.workError(cmd, err))
	}
	hits := make([]uint32, len(ms))
	idx := make([]int, len(ms)) // into mb.msgs, in the sort order
	for i, m := range ms {
		hits[i], idx[i] = m.seq, int(m.seq-1)
		if uid {
			hits[i] = m.uid
		}
	}
	s.writeESearch(esearchResult{tag: tag, uid: uid, hits: hits, ordered: true}, ret)
	if ret.Save {
		mb.save(savedPart(idx, ret)) // first and last in the sort order for MIN, MAX
	}
	if ret.Update {
		if u := s.startUpdate(tag, uid, req.Search, idx, now); u != nil {
			u.order = &sortOrder{keys: req.Keys, list: ms}
		}
	}
	return nil
}

// A sortOrder is what an updating SORT keeps beyond an updating
// search: its criteria and its result in order, each message with its
// keys, so that a message joining it is placed by comparison alone. A
// message's keys never change (its text and INTERNALDATE are fixed),
// so neither does its place relative to the others.
type sortOrder struct {
	keys []wire.SortKey
	list []sorted // seq is as it was when the message joined: unused
}

// compareSorted orders a and b as sortMessages does: by the criteria,
// ties by sequence number, which is UID order.
func compareSorted(keys []wire.SortKey, a, b sorted) int {
	for _, k := range keys {
		var c int
		if str := sortString(k.Name); str != nil {
			c = strings.Compare(str(a.k), str(b.k))
		} else {
			c = cmp.Compare(sortNumber(k.Name, a.k), sortNumber(k.Name, b.k))
		}
		if k.Reverse {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return cmp.Compare(a.uid, b.uid)
}

// A placed is a run of messages next to each other in a sort order:
// the 1-based position of its first, and their numbers in order.
type placed struct {
	pos  int
	nums []uint32
}

// tellSortUpdate sends an updating SORT's changes (RFC 5267 §4.3.2):
// REMOVEFROM with the position of each run of messages that left, in
// the order as it was, last run first, so that each position holds
// whether the client applies them one by one or all against the old
// order; then ADDTO with the position each run of new messages takes
// in the new order, first run first, which again holds read either
// way. A new message whose keys cannot be read now is left to the next
// look, as a search update leaves a message it cannot evaluate.
func (s *session) tellSortUpdate(u *searchUpdate, removed, added []hit) {
	o := u.order
	var gone, joined []placed
	if len(removed) > 0 {
		num := make(map[uint32]uint32, len(removed)) // by UID
		for _, h := range removed {
			num[h.m.UID] = h.n
		}
		gone = o.remove(num)
	}
	if len(added) > 0 {
		joined = s.placeAdded(u, added)
	}
	if len(gone) == 0 && len(joined) == 0 {
		return
	}
	e := s.enc
	e.Atom("* ESEARCH (TAG ").Quoted(u.tag).Atom(")")
	if u.uid {
		e.Atom(" UID")
	}
	for _, part := range []struct {
		name string
		runs []placed
	}{{" REMOVEFROM (", gone}, {" ADDTO (", joined}} {
		if len(part.runs) == 0 {
			continue
		}
		e.Atom(part.name)
		for i, r := range part.runs {
			if i > 0 {
				e.SP()
			}
			e.Number(uint32(r.pos)).SP().Atom(compactSet(r.nums, true))
		}
		e.Atom(")")
	}
	e.CRLF()
}

// remove takes the messages whose UIDs num holds out of the order and
// returns the runs they formed there, last first, numbered by num.
func (o *sortOrder) remove(num map[uint32]uint32) []placed {
	var gone []placed
	kept := o.list[:0:0]
	for i, e := range o.list {
		n, ok := num[e.uid]
		if !ok {
			kept = append(kept, e)
			continue
		}
		if k := len(gone); k > 0 && gone[k-1].pos+len(gone[k-1].nums) == i+1 {
			gone[k-1].nums = append(gone[k-1].nums, n)
		} else {
			gone = append(gone, placed{i + 1, []uint32{n}})
		}
	}
	o.list = kept
	slices.Reverse(gone)
	return gone
}

// placeAdded merges the added messages into u's order and returns the
// runs they form there.
func (s *session) placeAdded(u *searchUpdate, added []hit) []placed {
	o := u.order
	msgs := make([]*msg, len(added))
	for i, h := range added {
		msgs[i] = h.m
	}
	keys, err := s.sortKeys(context.Background(), msgs)
	if err != nil {
		s.cfg.Log.Warn("imap sort update", "user", s.user, "box", s.sel.name, "err", err)
		for _, h := range added {
			delete(u.seen, h.m.UID) // looked at again, as new, next time
		}
		u.sum = 0
		return nil
	}
	in := make([]joining, len(added))
	for i, h := range added {
		in[i] = joining{sorted{uid: h.m.UID, k: keys[i]}, h.n}
	}
	return o.merge(in)
}

// A joining is a message entering a sort order, with its number.
type joining struct {
	sorted
	n uint32
}

// merge puts the joining messages into the order and returns the runs
// they form there, first first.
func (o *sortOrder) merge(in []joining) []placed {
	slices.SortFunc(in, func(a, b joining) int { return compareSorted(o.keys, a.sorted, b.sorted) })
	list := make([]sorted, 0, len(o.list)+len(in))
	var runs []placed
	old := o.list
	for _, j := range in {
		at, _ := slices.BinarySearchFunc(old, j.sorted, func(a, b sorted) int { return compareSorted(o.keys, a, b) })
		list = append(list, old[:at]...)
		old = old[at:]
		pos := len(list) + 1
		if k := len(runs); k > 0 && runs[k-1].pos+len(runs[k-1].nums) == pos {
			runs[k-1].nums = append(runs[k-1].nums, j.n)
		} else {
			runs = append(runs, placed{pos, []uint32{j.n}})
		}
		list = append(list, j.sorted)
	}
	o.list = append(list, old...)
	return runs
}
