package imap

import (
	"net/mail"
	"strings"
	"time"

	"p9mail/protocol/imap/imp"
	"p9mail/protocol/imap/message"
	"p9mail/protocol/imap/wire"
)

func init() {
	register("SEARCH", func(s *session, tag, cmd string) { s.search(tag, cmd, false) }, selected)
}

// search runs SEARCH and UID SEARCH (RFC 3501 §6.4.4): every key,
// CHARSET UTF-8 and US-ASCII, case-insensitive substring matching on
// raw and decoded text, dates by day (SINCE includes the day, fixing
// spec §5.3).
func (s *session) search(tag, cmd string, uid bool) {
	var prog wire.Search
	if !s.dec.ExpectSP() || !s.dec.ExpectSearch(&prog) || !s.dec.ExpectCRLF() {
		s.parseError(tag, cmd)
		return
	}
	switch strings.ToUpper(prog.Charset) {
	case "", "UTF-8", "US-ASCII":
	default:
		s.tagged(tag, "NO", `BADCHARSET ("UTF-8" "US-ASCII")`, cmd+" unsupported charset")
		return
	}
	s.update(uid)
	mb := s.sel
	var hits []uint32
	var largestUID uint32
	if n := len(mb.msgs); n > 0 {
		largestUID = mb.msgs[n-1].UID
	}
	for i, m := range mb.msgs {
		if m.Expunged {
			continue
		}
		c := &searchCtx{s: s, m: m, seq: uint32(i + 1), max: uint32(len(mb.msgs)), maxUID: largestUID}
		ok := true
		for _, k := range prog.Keys {
			if !c.match(k) {
				ok = false
				break
			}
		}
		if c.err != nil {
			s.tagged(tag, "NO", "", cmd+" failed: "+c.err.Error())
			return
		}
		if ok {
			if uid {
				hits = append(hits, m.UID)
			} else {
				hits = append(hits, uint32(i+1))
			}
		}
	}
	s.enc.Atom("* SEARCH")
	for _, h := range hits {
		s.enc.SP().Number(h)
	}
	s.enc.CRLF()
	s.tagged(tag, "OK", "", cmd+" completed")
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
	err        error
}

func (c *searchCtx) structure() *message.Structure {
	if c.st == nil && c.err == nil {
		if st := c.s.srv.cache.get(c.m.Digest); st != nil {
			c.st = st
		} else if st, err := message.Load(c.src()); err != nil {
			c.err = err
		} else {
			c.s.srv.cache.put(c.m.Digest, st)
			c.st = st
		}
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
		has := c.m.keywords[k.Value]
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
		for _, sub := range k.Keys {
			if !c.match(sub) {
				return false
			}
		}
		return true
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

func (c *searchCtx) body(needle string) bool {
	st := c.structure()
	if st == nil {
		return false
	}
	found, err := st.BodyContains(c.src(), needle)
	if err != nil {
		c.err = err
	}
	return found
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
			s := a.Name + " <" + a.Mailbox + "@" + a.Host + ">"
			if message.Contains(s, needle) {
				return true
			}
		}
	}
	return false
}
