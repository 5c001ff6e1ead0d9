package imap

import (
	"slices"
	"time"

	"p9mail/protocol/imap/wire"
)

// DefaultMaxSearchUpdates bounds the searches with RETURN (UPDATE)
// that one session keeps updating at once (RFC 5267 §4.3.1; at least
// one is required). Each costs a few dozen bytes per message of the
// mailbox and an evaluation of its program for each message whose
// flags change (or whose OLDER/YOUNGER answer comes due); past the
// limit a search is answered but not updated (untagged NO [NOUPDATE
// "tag"]).
const DefaultMaxSearchUpdates = 4

// A searchUpdate is a search kept up to date (RFC 5267 §4.3): its
// result is re-evaluated, message by message, for the messages that
// are new or whose flags changed since it last looked, and the client
// is told what joined it (ADDTO) and what left it (REMOVEFROM). Its
// program's sequence sets and "$" were fixed at the command (pinKeys).
type searchUpdate struct {
	tag     string
	uid     bool
	keys    []wire.SearchKey
	needles []string
	within  []time.Duration      // the intervals of its OLDER/YOUNGER keys
	seen    map[uint32]evaluated // by UID: what it found when it last looked
	sum     uint64               // mailboxState when it last looked
	flip    time.Time            // the earliest flip of its messages; zero: none
	order   *sortOrder           // an updating SORT's result in its order (esort.go); nil for SEARCH
}

type evaluated struct {
	state uint64    // msgState when looked at
	in    bool      // in the result
	flip  time.Time // when an OLDER/YOUNGER key changes its mind; zero: never
}

// flipAt is when the OLDER/YOUNGER keys of u next change their answer
// for m, after now: its INTERNALDATE plus the interval, the soonest of
// those still ahead. Only then is m looked at again for the time alone.
func (s *session) flipAt(u *searchUpdate, m *msg, now time.Time) time.Time {
	var first time.Time
	if len(u.within) == 0 {
		return first
	}
	idate := s.internalDate(m, nil)
	for _, d := range u.within {
		if t := idate.Add(d); t.After(now) && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	return first
}

// soonest folds a flip time into u.flip.
func (u *searchUpdate) soonest(t time.Time) {
	if !t.IsZero() && (u.flip.IsZero() || t.Before(u.flip)) {
		u.flip = t
	}
}

// msgState is a digest of what of a message a search key can see
// change: its flags, keywords and \Recent (its text never changes).
// FNV-1a over 64-bit words, without allocating: it runs for every
// message and updating search at each sync.
func msgState(m *msg) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	w := uint64(m.Flags) << 1
	if m.Recent {
		w |= 1
	}
	h = (h ^ w) * prime
	for _, k := range m.keywords {
		h = (h ^ k) * prime
	}
	return h
}

// mailboxState digests msgState, UID and expunged state of every
// message: when it is what an updating search saw last, nothing it can
// see has changed, and the per-message look is skipped.
func (mb *mailbox) mailboxState() uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	for _, m := range mb.msgs {
		w := uint64(m.UID)<<1 | 1
		if m.Expunged {
			w &^= 1
		}
		h = (h^w)*prime ^ msgState(m)
		h *= prime
	}
	return h
}

// withinKeys appends the intervals of the OLDER and YOUNGER keys in
// keys to out.
func withinKeys(keys []wire.SearchKey, out []time.Duration) []time.Duration {
	for _, k := range keys {
		if k.Op == wire.SearchOlder || k.Op == wire.SearchYounger {
			out = append(out, time.Duration(k.Size)*time.Second)
		}
		out = withinKeys(k.Keys, out)
	}
	return out
}

// startUpdate makes the search of tag an updating one whose result now
// is the messages at idx (indices into mb.msgs), as found at the time
// now, and returns it. Past MaxSearchUpdates the search is not
// updated: untagged NO [NOUPDATE] (§4.3.1), and nil. (A tag still updating was refused with BAD by
// search, §4.3.)
func (s *session) startUpdate(tag string, uid bool, prog wire.Search, idx []int, now time.Time) *searchUpdate {
	mb := s.sel
	if len(mb.search.updates) >= s.cfg.MaxSearchUpdates {
		s.enc.Atom("* NO ").BeginCode("NOUPDATE").SP().Quoted(tag).EndCode().SP().Text("too many updating searches").CRLF()
		return nil
	}
	keys := mb.pinKeys(prog.Keys)
	u := &searchUpdate{tag: tag, uid: uid, keys: keys, needles: bodyNeedles(keys, nil),
		within: withinKeys(keys, nil), seen: make(map[uint32]evaluated, len(mb.msgs))}
	in := make(map[int]bool, len(idx))
	for _, i := range idx {
		in[i] = true
	}
	for i, m := range mb.msgs {
		if !m.Expunged {
			ev := evaluated{state: msgState(m), in: in[i], flip: s.flipAt(u, m, now)}
			u.seen[m.UID] = ev
			u.soonest(ev.flip)
		}
	}
	mb.search.updates = append(mb.search.updates, u)
	return u
}

// updating reports whether tag names a search still updating.
func (mb *mailbox) updating(tag string) bool {
	return slices.ContainsFunc(mb.search.updates, func(u *searchUpdate) bool { return u.tag == tag })
}

// tellSearchExpunges sends, before the EXPUNGE responses that update is
// about to send, a REMOVEFROM for each updating search's messages that
// are expunged, numbered as they still are (RFC 5267 §4.3.4).
func (s *session) tellSearchExpunges() {
	mb := s.sel
	for _, u := range mb.search.updates {
		var gone []hit
		for i, m := range mb.msgs {
			if !m.Expunged {
				continue
			}
			if ev, ok := u.seen[m.UID]; ok {
				delete(u.seen, m.UID)
				if ev.in && m.told {
					gone = append(gone, hit{u.number(i, m), m})
				}
			}
		}
		s.tellUpdate(u, gone, nil)
	}
}

// tellSearchUpdates re-evaluates each updating search for the messages
// that are new or changed since it looked, or whose OLDER/YOUNGER
// answer is due to change, and sends the changes of
// its result: after EXISTS and the flags' FETCH responses (§4.3.3).
// Messages expunged but not yet reported keep their place until then;
// new ones not yet announced by EXISTS wait for it.
func (s *session) tellSearchUpdates() {
	mb := s.sel
	if mb == nil || len(mb.search.updates) == 0 {
		return
	}
	n := uint32(len(mb.msgs))
	var largestUID uint32
	if n > 0 {
		largestUID = mb.msgs[n-1].UID
	}
	now := time.Now()
	sum := mb.mailboxState()
	for _, u := range mb.search.updates {
		if u.sum == sum && (u.flip.IsZero() || now.Before(u.flip)) {
			continue
		}
		u.sum, u.flip = sum, time.Time{}
		var added, removed []hit
		for i, m := range mb.msgs {
			if m.Expunged || m.UID == 0 {
				continue
			}
			if !m.told {
				// The client has no EXISTS for it yet (a commit
				// inside STORE can find one): it waits for that.
				u.sum = 0
				continue
			}
			st := msgState(m)
			ev, ok := u.seen[m.UID]
			if ok && ev.state == st && (ev.flip.IsZero() || now.Before(ev.flip)) {
				u.soonest(ev.flip)
				continue
			}
			c := &searchCtx{s: s, m: m, seq: uint32(i + 1), max: n, maxUID: largestUID,
				needles: u.needles, now: now}
			in := c.matchAll(u.keys)
			if c.err != nil {
				s.cfg.Log.Warn("imap search update", "user", s.user, "box", mb.name, "uid", m.UID, "err", c.err)
				u.sum = 0 // look at it again next time
				continue
			}
			flip := s.flipAt(u, m, now)
			u.seen[m.UID] = evaluated{st, in, flip}
			u.soonest(flip)
			switch {
			case in && !ev.in:
				added = append(added, hit{u.number(i, m), m})
			case !in && ev.in:
				removed = append(removed, hit{u.number(i, m), m})
			}
		}
		s.tellUpdate(u, removed, added)
	}
}

// number is the message's number in u's results: its UID or sequence
// number.
func (u *searchUpdate) number(i int, m *msg) uint32 {
	if u.uid {
		return m.UID
	}
	return uint32(i + 1)
}

// A hit is a message that joins or leaves an updating search's
// result, with its number there (UID or sequence number).
type hit struct {
	n uint32
	m *msg
}

// numbers returns the hits' numbers.
func numbers(hits []hit) []uint32 {
	out := make([]uint32, len(hits))
	for i, h := range hits {
		out[i] = h.n
	}
	return out
}

// tellUpdate sends one ESEARCH with u's REMOVEFROM and ADDTO, context
// position 0 (mailbox order, RFC 5267 §4.3.3), if anything changed;
// an updating SORT's positions are in its order (esort.go).
func (s *session) tellUpdate(u *searchUpdate, removedHits, addedHits []hit) {
	if u.order != nil {
		s.tellSortUpdate(u, removedHits, addedHits)
		return
	}
	if len(removedHits) == 0 && len(addedHits) == 0 {
		return
	}
	removed, added := numbers(removedHits), numbers(addedHits)
	e := s.enc
	e.Atom("* ESEARCH (TAG ").Quoted(u.tag).Atom(")")
	if u.uid {
		e.Atom(" UID")
	}
	if len(removed) > 0 {
		e.Atom(" REMOVEFROM (0 ").SeqSet(wire.SeqSetOf(removed)).Atom(")")
	}
	if len(added) > 0 {
		e.Atom(" ADDTO (0 ").SeqSet(wire.SeqSetOf(added)).Atom(")")
	}
	e.CRLF()
}

// cancelUpdate runs CANCELUPDATE (RFC 5267 §4.3.5): the searches
// named stop updating. A tag that names none (its mailbox was closed,
// or it was never updating) is no error: there is nothing to stop.
func (s *session) cancelUpdate(tag, cmd string) error {
	var tags []string
	for {
		var t string
		if !s.dec.ExpectSP() || !s.dec.ExpectQuoted(&t) {
			return s.parseError(cmd)
		}
		tags = append(tags, t)
		if s.dec.AtEOL() {
			break
		}
	}
	if !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	mb := s.sel
	mb.search.updates = slices.DeleteFunc(mb.search.updates, func(u *searchUpdate) bool {
		return slices.Contains(tags, u.tag)
	})
	return nil
}
