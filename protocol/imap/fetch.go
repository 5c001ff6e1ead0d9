package imap

import (
	"container/list"
	"io"
	"slices"
	"sync"
	"time"

	"p9mail/protocol/imap/imp"
	"p9mail/protocol/imap/message"
	"p9mail/protocol/imap/wire"
	"p9mail/upasfs"
)

func init() {
	register("FETCH", (*session).fetchCmd, selected)
	register("UID", (*session).uidCmd, selected)
}

// uidCmd dispatches UID COPY, FETCH, SEARCH, STORE, EXPUNGE (RFC 3501
// §6.4.8, RFC 4315 §2.1).
func (s *session) uidCmd(tag, cmd string) {
	var sub string
	if !s.dec.ExpectSP() || !s.dec.ExpectCommand(&sub) {
		s.parseError(tag, cmd)
		return
	}
	switch sub := upper(sub); sub {
	case "FETCH":
		s.fetch(tag, "UID FETCH", true)
	case "STORE":
		s.store(tag, "UID STORE", true)
	case "SEARCH":
		s.search(tag, "UID SEARCH", true)
	case "COPY":
		s.copyMsgs(tag, "UID COPY", true)
	case "EXPUNGE":
		s.uidExpunge(tag, "UID EXPUNGE")
	default:
		s.tagged(tag, "BAD", "", "UID illegal uid command "+sanitize(sub))
	}
}

func (s *session) fetchCmd(tag, cmd string) { s.fetch(tag, cmd, false) }

// target is a message a command applies to, with its sequence number.
type target struct {
	seq uint32
	m   *msg
}

// resolve turns a sequence set (uid: a UID set) into the messages it
// names, in mailbox order. A sequence number beyond the mailbox is an
// error; UIDs that name no message are ignored (RFC 3501 §6.4.8).
func (s *session) resolve(set wire.SeqSet, uid bool) ([]target, bool) {
	mb := s.sel
	n := uint32(len(mb.msgs))
	var out []target
	if !uid {
		if n == 0 || !set.Valid(n) {
			return nil, false
		}
		for _, r := range set.Ranges(n) {
			for i := r.Start; i <= r.Stop; i++ {
				out = append(out, target{i, mb.msgs[i-1]})
			}
		}
		return out, true
	}
	var largest uint32
	if n > 0 {
		largest = mb.msgs[n-1].UID
	}
	for i, m := range mb.msgs {
		if m.UID != 0 && set.Contains(m.UID, largest) {
			out = append(out, target{uint32(i + 1), m})
		}
	}
	return out, true
}

// fetch runs FETCH and UID FETCH (RFC 3501 §6.4.5).
func (s *session) fetch(tag, cmd string, uid bool) {
	var set wire.SeqSet
	var items []wire.FetchItem
	if !s.dec.ExpectSP() || !s.dec.ExpectSeqSet(&set) || !s.dec.ExpectSP() ||
		!s.dec.ExpectFetchAtts(&items) || !s.dec.ExpectCRLF() {
		s.parseError(tag, cmd)
		return
	}
	s.update(uid)
	targets, ok := s.resolve(set, uid)
	if !ok {
		s.tagged(tag, "BAD", "", cmd+" invalid message sequence number")
		return
	}
	if uid && !slices.ContainsFunc(items, func(it wire.FetchItem) bool { return it.Att == wire.FetchUID }) {
		items = append([]wire.FetchItem{{Att: wire.FetchUID}}, items...)
	}
	needStruct, setsSeen := false, false
	for _, it := range items {
		switch it.Att {
		case wire.FetchEnvelope, wire.FetchBody, wire.FetchBodyStructure, wire.FetchRFC822Size,
			wire.FetchRFC822, wire.FetchRFC822Header, wire.FetchRFC822Text, wire.FetchBodySection:
			needStruct = true
		}
		if it.Att == wire.FetchRFC822 || it.Att == wire.FetchRFC822Text || it.Att == wire.FetchBodySection && !it.Peek {
			setsSeen = true
		}
	}
	if setsSeen && !s.sel.readOnly {
		s.markSeen(targets)
	}
	var failed error
	for start := 0; start < len(targets); start += fetchBatch {
		batch := targets[start:min(start+fetchBatch, len(targets))]
		var structs []*message.Structure
		if needStruct {
			structs = s.loadStructures(batch)
		}
		for i, t := range batch {
			if t.m.Expunged {
				continue
			}
			var st *message.Structure
			if needStruct {
				if st = structs[i]; st == nil {
					failed = errFetch
					continue
				}
			}
			if err := s.fetchOne(t, items, st, setsSeen); err != nil {
				if err == errSkip {
					failed = errFetch
					continue
				}
				s.cfg.Log.Warn("imap fetch", "user", s.user, "uid", t.m.UID, "err", err)
				s.state = logout // a literal was promised and not sent: hang up
				return
			}
		}
		s.flush()
	}
	if failed != nil {
		s.tagged(tag, "NO", "", cmd+" some messages could not be read")
		return
	}
	s.tagged(tag, "OK", "", cmd+" completed")
}

var errFetch = errorString("message unreadable")

type errorString string

func (e errorString) Error() string { return string(e) }

// fetchBatch is how many messages' structures are loaded concurrently
// before their responses are written (DESIGN.md "Speed").
const fetchBatch = 64

// markSeen sets \Seen on the targets that lack it, under the lock,
// before the FETCH responses are written (RFC 3501 §6.4.5).
func (s *session) markSeen(targets []target) {
	err := s.sel.commit(func() bool {
		changed := false
		for _, t := range targets {
			if !t.m.Expunged && t.m.Flags&imp.Seen == 0 {
				t.m.Flags |= imp.Seen
				changed = true
			}
		}
		return changed
	})
	if err != nil {
		s.cfg.Log.Warn("imap set seen", "user", s.user, "err", err)
	}
}

// An opened section: its size and its bytes, ready to stream.
type opened struct {
	size int64
	r    io.ReadCloser
}

// openSections opens every section the items ask for before any byte
// of the response is written: a message expunged meanwhile by another
// session is then skipped whole (RFC 2180 §4.1.2) instead of cutting a
// response short.
func (s *session) openSections(items []wire.FetchItem, st *message.Structure, src message.Source) ([]opened, error) {
	out := make([]opened, len(items))
	for i, it := range items {
		var sec message.Section
		var partial *message.Partial
		switch it.Att {
		case wire.FetchRFC822:
		case wire.FetchRFC822Header:
			sec.Specifier = "HEADER"
		case wire.FetchRFC822Text:
			sec.Specifier = "TEXT"
		case wire.FetchBodySection:
			sec = message.Section{Specifier: string(it.Section.Specifier), Fields: it.Section.Fields}
			for _, p := range it.Section.Part {
				sec.Part = append(sec.Part, int(p))
			}
			if it.Partial != nil {
				partial = &message.Partial{Start: int64(it.Partial.Start), Count: int64(it.Partial.Count)}
			}
		default:
			continue
		}
		size, open, err := st.Section(src, sec, partial)
		if err == nil {
			out[i].r, err = open()
		}
		if err != nil {
			closeSections(out)
			return nil, err
		}
		out[i].size = size
	}
	return out, nil
}

func closeSections(secs []opened) {
	for _, o := range secs {
		if o.r != nil {
			o.r.Close()
		}
	}
}

// fetchOne writes one "* n FETCH (...)" response. errSkip: the message
// could not be read and nothing was written.
func (s *session) fetchOne(t target, items []wire.FetchItem, st *message.Structure, seen bool) error {
	src := message.UpasfsSource(s.fs, s.sel.box, t.m.num)
	var secs []opened
	if st != nil {
		var err error
		if secs, err = s.openSections(items, st, src); err != nil {
			s.cfg.Log.Info("imap fetch skips a message", "uid", t.m.UID, "err", err)
			return errSkip
		}
		defer closeSections(secs)
	}
	e := s.enc
	e.Atom("*").SP().Number(t.seq).Atom(" FETCH (")
	flagsSent := false
	for i, it := range items {
		if i > 0 {
			e.SP()
		}
		switch it.Att {
		case wire.FetchUID:
			e.Atom("UID ").Number(t.m.UID)
		case wire.FetchFlags:
			e.Atom("FLAGS ").Flags(t.m.flagList())
			flagsSent = true
		case wire.FetchInternalDate:
			e.Atom("INTERNALDATE ").DateTime(s.internalDate(t.m))
		case wire.FetchRFC822Size:
			e.Atom("RFC822.SIZE ").Number64(uint64(st.Size()))
		case wire.FetchEnvelope:
			e.Atom("ENVELOPE ").Atom(string(st.Envelope().Append(nil)))
		case wire.FetchBody:
			e.Atom("BODY ").Atom(string(st.BodyStructure(false).Append(nil)))
		case wire.FetchBodyStructure:
			e.Atom("BODYSTRUCTURE ").Atom(string(st.BodyStructure(true).Append(nil)))
		case wire.FetchRFC822, wire.FetchRFC822Header, wire.FetchRFC822Text:
			e.Atom(string(it.Att)).SP()
			s.literal(secs[i])
		case wire.FetchBodySection:
			e.Atom("BODY[").Atom(it.Section.String()).Atom("]")
			if it.Partial != nil {
				e.Atom("<").Number(it.Partial.Start).Atom(">")
			}
			e.SP()
			s.literal(secs[i])
		}
	}
	if seen && !flagsSent && !s.sel.readOnly {
		e.Atom(" FLAGS ").Flags(t.m.flagList())
	}
	e.Atom(")").CRLF()
	return e.Err()
}

var errSkip = errorString("message skipped")

// literal streams an opened section as a literal whose size was known
// before its first byte was read (DESIGN.md "The front ends").
func (s *session) literal(o opened) {
	s.conn.SetWriteDeadline(time.Now().Add(s.cfg.IdleTimeout))
	s.enc.Literal(o.size, o.r)
}

// internalDate is the From line's date (decision 7), read from upasfs
// once per message.
func (s *session) internalDate(m *msg) time.Time {
	if m.idate.IsZero() {
		if t, ok := s.srv.idates.Load(m.Digest); ok {
			m.idate = t.(time.Time)
			return m.idate
		}
		b, err := s.fs.ReadFile(s.sel.box, m.num, nil, upasfs.FileUnixHeader)
		if err == nil {
			if t, ok := message.InternalDate(unixDateOf(string(b))); ok {
				m.idate = t
			}
		}
		if m.idate.IsZero() {
			m.idate = time.Unix(0, 0).UTC()
		}
		// The digest covers the From line (spec §1.4): the date is
		// the same in every session.
		s.srv.idates.Store(m.Digest, m.idate)
	}
	return m.idate
}

// unixDateOf returns the date of a "From sender date\n" line.
func unixDateOf(line string) string {
	line = trimNL(line)
	if len(line) > 5 && line[:5] == "From " {
		line = line[5:]
		for i := 0; i < len(line); i++ {
			if line[i] == ' ' {
				return line[i+1:]
			}
		}
	}
	return ""
}

func trimNL(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}

// loadStructures loads (or finds cached, by digest) the structures of
// a batch of messages, several at once; nil for a message that fails.
func (s *session) loadStructures(batch []target) []*message.Structure {
	out := make([]*message.Structure, len(batch))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, t := range batch {
		if t.m.Expunged {
			continue
		}
		if st := s.srv.cache.get(t.m.Digest); st != nil {
			out[i] = st
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, m *msg) {
			defer func() { <-sem; wg.Done() }()
			st, err := message.Load(message.UpasfsSource(s.fs, s.sel.box, m.num))
			if err != nil {
				s.cfg.Log.Warn("imap load", "user", s.user, "digest", m.Digest, "err", err)
				return
			}
			s.srv.cache.put(m.Digest, st)
			out[i] = st
		}(i, t.m)
	}
	wg.Wait()
	return out
}

// A structCache keeps message structures by digest (DESIGN.md: cache
// what a message's digest determines), shared by all sessions, most
// recently used first, bounded.
type structCache struct {
	mu    sync.Mutex
	lru   list.List
	byKey map[string]*list.Element
}

const maxStructs = 20000

type structEntry struct {
	digest string
	st     *message.Structure
}

func (c *structCache) get(digest string) *message.Structure {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.byKey[digest]; e != nil {
		c.lru.MoveToFront(e)
		return e.Value.(*structEntry).st
	}
	return nil
}

func (c *structCache) put(digest string, st *message.Structure) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey == nil {
		c.byKey = map[string]*list.Element{}
	}
	if e := c.byKey[digest]; e != nil {
		c.lru.MoveToFront(e)
		return
	}
	c.byKey[digest] = c.lru.PushFront(&structEntry{digest, st})
	for c.lru.Len() > maxStructs {
		e := c.lru.Back()
		c.lru.Remove(e)
		delete(c.byKey, e.Value.(*structEntry).digest)
	}
}
