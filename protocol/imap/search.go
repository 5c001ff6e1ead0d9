package imap

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"p9mail/protocol"

	"p9mail/protocol/imap/imp"
	"p9mail/protocol/imap/message"
	"p9mail/protocol/imap/wire"
)

// DefaultMaxSearchKeys bounds the keys of one SEARCH program, nested
// ones counted: with each message's text read once for all its
// BODY/TEXT keys, a SEARCH costs at most one read of the mailbox and
// this many comparisons per message. Clients' filters use a few dozen.
const DefaultMaxSearchKeys = 256

// search runs SEARCH and UID SEARCH (RFC 3501 §6.4.4): every key,
// CHARSET UTF-8 and US-ASCII, case-insensitive substring matching on
// raw and decoded text, dates by day (SINCE includes the day, fixing
// spec §5.3), OLDER and YOUNGER (RFC 5032), "$" (RFC 5182). A program
// of more than MaxSearchKeys keys gets NO [LIMIT] (RFC 5530 §3); a
// client that hangs up stops the work. With RETURN (RFC 4466) the
// answer is an ESEARCH response (esearch.go, RFC 4731, RFC 5267
// PARTIAL), SAVE sets "$" (searchres.go) and UPDATE keeps the result
// up to date (context.go).
func (s *session) search(tag, cmd string, uid bool) error {
	var prog wire.Search
	if !s.dec.ExpectSP() || !s.dec.ExpectSearch(&prog) || !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	ret := prog.Return
	if ret != nil && ret.Update && s.sel.updating(tag) {
		return bad("", cmd+" tag already names an updating search")
	}
	fail := func(code, text string) error {
		if ret != nil && ret.Save {
			s.sel.search.saved = nil // a failed SAVE empties "$" (RFC 5182 §2.1)
		}
		return no(code, text)
	}
	switch strings.ToUpper(prog.Charset) {
	case "", "UTF-8", "US-ASCII":
	default:
		return fail(`BADCHARSET ("UTF-8" "US-ASCII")`, cmd+" unsupported charset")
	}
	if n := countKeys(prog.Keys); n > s.cfg.MaxSearchKeys {
		return fail("LIMIT", fmt.Sprintf("%s too many search keys (%d, limit %d)", cmd, n, s.cfg.MaxSearchKeys))
	}
	s.update(uid)
	s.flush()
	ctx, stop := protocol.WatchHangup(context.Background(), s.conn, s.r)
	now := time.Now() // for OLDER and YOUNGER, and an update's first look
	idx, err := s.searchHits(ctx, prog.Keys, now)
	switch {
	case stop():
		s.state = logout // the client has gone: nobody to answer
		return nil
	case err != nil:
		return fail("", cmd+" failed: "+err.Error())
	}
	mb := s.sel
	hits := make([]uint32, len(idx))
	for j, i := range idx {
		hits[j] = uint32(i + 1)
		if uid {
			hits[j] = mb.msgs[i].UID
		}
	}
	var modseq uint64 // the MODSEQ the answer carries (condstore.go)
	if hasModSeqKey(prog.Keys) {
		modseq = searchModSeq(mb, idx, ret)
	}
	if ret == nil {
		s.enc.Atom("* SEARCH")
		for _, h := range hits {
			s.enc.SP().Number(h)
		}
		if modseq != 0 {
			s.enc.Atom(" (MODSEQ ").Number64(modseq).Atom(")")
		}
		s.enc.CRLF()
		return nil
	}
	s.writeESearch(esearchResult{tag: tag, uid: uid, hits: hits, modseq: modseq}, *ret)
	if ret.Save {
		mb.save(savedPart(idx, *ret))
	}
	if ret.Update {
		s.startUpdate(tag, uid, prog, idx, now)
	}
	return nil
}

// savedPart is what of the hits (ascending) SAVE keeps: all of them,
// but only the smallest and largest when MIN or MAX come without ALL,
// COUNT or PARTIAL (RFC 5182 §2.4).
func savedPart(idx []int, ret wire.SearchReturn) []int {
	if len(idx) == 0 || ret.All || ret.Count || ret.Partial != nil || !ret.Min && !ret.Max {
		return idx
	}
	var out []int
	if ret.Min {
		out = append(out, idx[0])
	}
	if ret.Max && (!ret.Min || len(idx) > 1) {
		out = append(out, idx[len(idx)-1])
	}
	return out
}

// searchHits returns the indices into the selected mailbox's messages
// of those that match keys at the time now, ascending, or stops when
// ctx is done.
func (s *session) searchHits(ctx context.Context, keys []wire.SearchKey, now time.Time) ([]int, error) {
	mb := s.sel
	if hasModSeqKey(keys) {
		s.enableCondstore()
	}
	var hits []int
	var largestUID uint32
	if n := len(mb.msgs); n > 0 {
		largestUID = mb.msgs[n-1].UID
	}
	needles := bodyNeedles(keys, nil)
	for i, m := range mb.msgs {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if m.Expunged {
			continue
		}
		s.srv.searched.Add(1)
		c := &searchCtx{s: s, m: m, seq: uint32(i + 1), max: uint32(len(mb.msgs)), maxUID: largestUID, needles: needles, now: now}
		ok := c.matchAll(keys)
		if c.err != nil {
			return nil, c.err
		}
		if ok {
			hits = append(hits, i)
		}
	}
	return hits, nil
}

// matchAll reports whether the message matches every key.
func (c *searchCtx) matchAll(keys []wire.SearchKey) bool {
	for _, k := range keys {
		if !c.match(k) {
			return false
		}
	}
	return true
}

// countKeys counts the keys of a program, nested ones included.
func countKeys(keys []wire.SearchKey) int {
	n := len(keys)
	for _, k := range keys {
		n += countKeys(k.Keys)
	}
	return n
}

// bodyNeedles appends the strings of the BODY and TEXT keys of a
// program, each once, to out.
func bodyNeedles(keys []wire.SearchKey, out []string) []string {
	for _, k := range keys {
		if (k.Op == wire.SearchBody || k.Op == wire.SearchText) && !slices.Contains(out, k.Value) {
			out = append(out, k.Value)
		}
		out = bodyNeedles(k.Keys, out)
	}
	return out
}

// searchCtx evaluates keys against one message, loading what a key
// needs once.
type searchCtx struct {
	s          *session
	m          *msg
	seq, max   uint32
	maxUID     uint32
	st         *message.Structure
	fields     []message.Field
	haveFields bool
	sent       time.Time
	haveSent   bool
	now        time.Time // for OLDER and YOUNGER
	needles    []string  // the program's BODY and TEXT strings
	bodyHits   []bool    // which of them the text holds, once read
	err        error
}

func (c *searchCtx) structure() *message.Structure {
	if c.st == nil && c.err == nil {
		c.st, c.err = c.s.structure(c.m)
	}
	return c.st
}

func (c *searchCtx) src() message.Source {
	return message.UpasfsSource(c.s.fs, c.s.sel.box, c.m.num)
}

func (c *searchCtx) header() []message.Field {
	if !c.haveFields && c.err == nil {
		if st := c.structure(); st != nil {
			c.fields, c.err = st.Header(c.src())
		}
		c.haveFields = true
	}
	return c.fields
}

// sentDate is the Date header's day (RFC 3501 §6.4.4 SENT*).
func (c *searchCtx) sentDate() (time.Time, bool) {
	if !c.haveSent {
		c.haveSent = true
		for _, f := range c.header() {
			if strings.EqualFold(f.Name, "Date") {
				if t, err := mail.ParseDate(strings.TrimSpace(f.Value)); err == nil {
					c.sent = t
				}
				break
			}
		}
	}
	return c.sent, !c.sent.IsZero()
}

// day truncates t to its calendar day in its own zone, as a UTC date.
func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (c *searchCtx) flag(f imp.Flags) bool { return c.m.Flags&f != 0 }

func (c *searchCtx) match(k wire.SearchKey) bool {
	if c.err != nil {
		return false
	}
	switch k.Op {
	case wire.SearchAll:
		return true
	case wire.SearchModSeq:
		return c.m.modSeqOf() >= k.Mod // condstore.go
	case wire.SearchAnswered, wire.SearchUnanswered:
		return c.flag(imp.Answered) == (k.Op == wire.SearchAnswered)
	case wire.SearchDeleted, wire.SearchUndeleted:
		return c.flag(imp.Deleted) == (k.Op == wire.SearchDeleted)
	case wire.SearchDraft, wire.SearchUndraft:
		return c.flag(imp.Draft) == (k.Op == wire.SearchDraft)
	case wire.SearchFlagged, wire.SearchUnflagged:
		return c.flag(imp.Flagged) == (k.Op == wire.SearchFlagged)
	case wire.SearchSeen, wire.SearchUnseen:
		return c.flag(imp.Seen) == (k.Op == wire.SearchSeen)
	case wire.SearchRecent:
		return c.m.Recent
	case wire.SearchOld:
		return !c.m.Recent
	case wire.SearchNew:
		return c.m.Recent && !c.flag(imp.Seen)
	case wire.SearchKeyword, wire.SearchUnkeyword:
		i, known := c.s.sel.keyword(k.Value)
		has := known && c.m.keywords.has(i)
		if b, ok := flagBits[k.Value]; ok {
			has = c.flag(b)
		}
		return has == (k.Op == wire.SearchKeyword)
	case wire.SearchSeqSet:
		return k.Seq.Contains(c.seq, c.max)
	case wire.SearchUID:
		return k.Seq.Contains(c.m.UID, c.maxUID)
	case wire.SearchNot:
		return !c.match(k.Keys[0])
	case wire.SearchOr:
		return c.match(k.Keys[0]) || c.match(k.Keys[1])
	case wire.SearchAnd:
		return c.matchAll(k.Keys)
	case wire.SearchSaved:
		return c.s.sel.inSaved(c.m)
	case wire.SearchOlder, wire.SearchYounger:
		// YOUNGER n: INTERNALDATE within the last n seconds; OLDER n:
		// all others (RFC 5032 §3).
		young := c.s.internalDate(c.m, nil).After(c.now.Add(-time.Duration(k.Size) * time.Second))
		return young == (k.Op == wire.SearchYounger)
	case wire.SearchLarger, wire.SearchSmaller:
		st := c.structure()
		if st == nil {
			return false
		}
		if k.Op == wire.SearchLarger {
			return st.Size() > int64(k.Size)
		}
		return st.Size() < int64(k.Size)
	case wire.SearchBefore, wire.SearchOn, wire.SearchSince:
		return dateCmp(k.Op, day(c.s.internalDate(c.m, nil)), k.Date)
	case wire.SearchSentBefore, wire.SearchSentOn, wire.SearchSentSince:
		t, ok := c.sentDate()
		if !ok {
			return false
		}
		op := map[wire.SearchOp]wire.SearchOp{wire.SearchSentBefore: wire.SearchBefore,
			wire.SearchSentOn: wire.SearchOn, wire.SearchSentSince: wire.SearchSince}[k.Op]
		return dateCmp(op, day(t), k.Date)
	case wire.SearchSubject:
		return message.FieldContains(c.header(), string(k.Op), k.Value)
	case wire.SearchFrom, wire.SearchTo, wire.SearchCc, wire.SearchBcc:
		return message.FieldContains(c.header(), string(k.Op), k.Value) ||
			addressContains(c.header(), string(k.Op), k.Value)
	case wire.SearchHeader:
		return message.FieldContains(c.header(), k.Field, k.Value)
	case wire.SearchBody:
		return c.body(k.Value)
	case wire.SearchText:
		return message.FieldContains(c.header(), "", k.Value) || c.body(k.Value)
	}
	return false
}

// body reports whether the message's text holds needle, one of
// c.needles: the first call reads the text once for all of them.
func (c *searchCtx) body(needle string) bool {
	if c.bodyHits == nil {
		st := c.structure()
		if st == nil {
			return false
		}
		c.bodyHits, c.err = st.BodyContainsAll(c.src(), c.needles)
	}
	return c.bodyHits[slices.Index(c.needles, needle)]
}

// dateCmp compares days: BEFORE is strictly earlier, ON the same day,
// SINCE the same day or later (RFC 3501 §6.4.4).
func dateCmp(op wire.SearchOp, d, key time.Time) bool {
	key = day(key)
	switch op {
	case wire.SearchBefore:
		return d.Before(key)
	case wire.SearchOn:
		return d.Equal(key)
	}
	return !d.Before(key)
}

// addressContains matches the addresses of the named fields as ENVELOPE
// gives them, "name <mailbox@host>", so that comments and folding in
// the header do not hide them (RFC 3501 §6.4.4; found by imaptest).
func addressContains(fields []message.Field, name, needle string) bool {
	for _, f := range fields {
		if !strings.EqualFold(f.Name, name) {
			continue
		}
		for _, a := range message.ParseAddressList(f.Value) {
			if message.Contains(a.Text(), needle) {
				return true
			}
		}
	}
	return false
}
