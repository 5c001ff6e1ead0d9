package imap

import (
	"errors"
	"io"
	"slices"
	"sync"
	"time"

	"p9mail/protocol/imap/imp"
	"p9mail/protocol/imap/message"
	"p9mail/protocol/imap/wire"
	"p9mail/upasfs"
)

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
func (s *session) fetch(tag, cmd string, uid bool) error {
	var set wire.SeqArg
	var items []wire.FetchItem
	var mods wire.FetchModifiers // CHANGEDSINCE (condstore.go)
	if !s.dec.ExpectSP() || !s.dec.ExpectSeqArg(&set, uid) || !s.dec.ExpectSP() ||
		!s.dec.ExpectFetchAtts(&items) || s.dec.SP() && !s.dec.ExpectFetchModifiers(&mods) || !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	if mods.ChangedSince != 0 || wantsModSeq(items) {
		s.enableCondstore()
	}
	s.update(uid)
	targets, ok := s.resolveArg(set, uid)
	if !ok {
		return bad("", cmd+" invalid message sequence number")
	}
	targets, items = changedSince(targets, items, mods)
	if uid && !slices.ContainsFunc(items, func(it wire.FetchItem) bool { return it.Att == wire.FetchUID }) {
		items = append([]wire.FetchItem{{Att: wire.FetchUID}}, items...)
	}
	needStruct, needSections, setsSeen := false, false, false
	for _, it := range items {
		switch it.Att {
		case wire.FetchEnvelope, wire.FetchBody, wire.FetchBodyStructure, wire.FetchRFC822Size:
			needStruct = true
		case wire.FetchRFC822, wire.FetchRFC822Header, wire.FetchRFC822Text, wire.FetchBodySection,
			wire.FetchBinary, wire.FetchBinarySize:
			needStruct, needSections = true, true
		}
		if it.Att == wire.FetchRFC822 || it.Att == wire.FetchRFC822Text ||
			(it.Att == wire.FetchBodySection || it.Att == wire.FetchBinary) && !it.Peek {
			setsSeen = true
		}
	}
	if setsSeen && !s.sel.readOnly {
		s.markSeen(targets)
	}
	// The next batch is read from upasfs while this one is written.
	batches := make(chan fetched, 1)
	stop := make(chan struct{})
	go func() {
		defer close(batches)
		for start := 0; start < len(targets); start += fetchBatch {
			f := fetched{batch: targets[start:min(start+fetchBatch, len(targets))]}
			if needStruct {
				f.structs = s.loadStructures(f.batch)
			}
			if needSections {
				f.secs = s.prefetch(f.batch, items, f.structs)
			}
			select {
			case batches <- f:
			case <-stop:
				f.close(0)
				return
			}
		}
	}()
	defer func() {
		close(stop)
		for f := range batches {
			f.close(0)
		}
	}()
	var failed error
	for f := range batches {
		for i, t := range f.batch {
			if t.m.Expunged {
				continue
			}
			var st *message.Structure
			if needStruct {
				if st = f.structs[i]; st == nil {
					failed = errFetch
					continue
				}
			}
			var pre prefetched
			if needSections {
				pre = f.secs[i]
			}
			if err := s.fetchOne(t, items, st, pre, setsSeen); err != nil {
				if err == errUnknownCTE {
					failed = err
					continue
				}
				if err == errSkip {
					failed = errFetch
					continue
				}
				s.cfg.Log.Warn("imap fetch", "user", s.user, "uid", t.m.UID, "err", err)
				s.state = logout // a literal was promised and not sent: hang up
				f.close(i + 1)
				return nil
			}
		}
		s.flush()
	}
	if setsSeen {
		s.tellSearchUpdates() // \Seen may move messages in or out (context.go)
	}
	if failed == errUnknownCTE {
		return no("UNKNOWN-CTE", cmd+" cannot decode a part's content-transfer-encoding")
	}
	if failed != nil {
		return no("", cmd+" some messages could not be read")
	}
	return nil
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
	// The commit may have brought keywords another session added: the
	// client hears of them before a FETCH names them (RFC 3501 §7.2.6).
	s.sel.tellFlags(false)
}

// An opened section: its size and its bytes, ready to stream (none for
// BINARY.SIZE); binary: BINARY data holding NUL, sent as literal8.
type opened struct {
	size   int64
	r      io.ReadCloser
	binary bool
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
		case wire.FetchBinary, wire.FetchBinarySize:
			if err := openBinary(&out[i], it, st, src); err != nil {
				closeSections(out)
				return nil, err
			}
			continue
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

// fetched is a batch of FETCH targets with what was read for them.
type fetched struct {
	batch   []target
	structs []*message.Structure // when the items need structures
	secs    []prefetched         // when they need sections
}

// close closes the sections of the messages from the i'th on.
func (f fetched) close(i int) {
	for _, p := range f.secs[min(i, len(f.secs)):] {
		closeSections(p.secs)
	}
}

// prefetched is a message's sections, opened by prefetch, or why they
// could not be.
type prefetched struct {
	secs []opened
	err  error
}

// Prefetch limits: a section of at most prefetchSize bytes is read
// whole while the responses before it are written, up to
// prefetchBudget bytes per batch; larger ones are streamed.
const (
	prefetchSize   = 64 << 10
	prefetchBudget = 4 << 20
)

// prefetch opens the sections the items ask for of every message of a
// batch, several messages at once, and reads the small ones, so that
// writing the responses does not wait for upasfs one request at a
// time (DESIGN.md "Speed, by construction").
func (s *session) prefetch(batch []target, items []wire.FetchItem, structs []*message.Structure) []prefetched {
	out := make([]prefetched, len(batch))
	var (
		mu     sync.Mutex
		budget = int64(prefetchBudget)
	)
	inParallel(len(batch), func(i int) bool { return !batch[i].m.Expunged && structs[i] != nil }, func(i int) {
		p := &out[i]
		src := message.UpasfsSource(s.fs, s.sel.box, batch[i].m.num)
		if p.secs, p.err = s.openSections(items, structs[i], src); p.err != nil {
			return
		}
		for k := range p.secs {
			o := &p.secs[k]
			if o.r == nil || o.size > prefetchSize {
				continue
			}
			mu.Lock()
			ok := budget >= o.size
			if ok {
				budget -= o.size
			}
			mu.Unlock()
			if !ok {
				continue
			}
			buf := sectionBufs.Get().(*[]byte)
			n, err := io.ReadFull(o.r, (*buf)[:o.size])
			o.r.Close()
			o.r = &sectionBytes{b: (*buf)[:n], err: err, buf: buf}
		}
	})
	return out
}

// sectionBytes replays a section read ahead, then the error that ended
// the read, if any: a section cut short is cut short on the wire too,
// as when it is streamed. Close gives its buffer back.
type sectionBytes struct {
	b   []byte
	err error
	buf *[]byte // from sectionBufs
}

// sectionBufs holds the buffers sections are read ahead into.
var sectionBufs = sync.Pool{New: func() any {
	b := make([]byte, prefetchSize)
	return &b
}}

func (r *sectionBytes) Close() error {
	if r.buf != nil {
		sectionBufs.Put(r.buf)
		r.buf, r.b = nil, nil
	}
	return nil
}

func (r *sectionBytes) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

func closeSections(secs []opened) {
	for _, o := range secs {
		if o.r != nil {
			o.r.Close()
		}
	}
}

// fetchOne writes one "* n FETCH (...)" response, with the sections
// pre opened. errSkip: the message could not be read and nothing was
// written.
func (s *session) fetchOne(t target, items []wire.FetchItem, st *message.Structure, pre prefetched, seen bool) error {
	secs := pre.secs
	defer closeSections(secs)
	if pre.err != nil && errors.Is(pre.err, message.ErrUnknownCTE) {
		return errUnknownCTE
	}
	if pre.err != nil {
		s.cfg.Log.Info("imap fetch skips a message", "uid", t.m.UID, "err", pre.err)
		return errSkip
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
		case wire.FetchModSeq:
			writeModSeq(e, t.m)
		case wire.FetchFlags:
			e.Atom("FLAGS ").Flags(t.m.flagList(s.sel.kwNames()))
			flagsSent = true
		case wire.FetchInternalDate:
			e.Atom("INTERNALDATE ").DateTime(s.internalDate(t.m, st))
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
		case wire.FetchBinary, wire.FetchBinarySize:
			writeBinary(s, it, secs[i])
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
		e.Atom(" FLAGS ").Flags(t.m.flagList(s.sel.kwNames()))
	}
	if seen && !s.sel.readOnly && s.isEnabled(condstore) && !wantsModSeq(items) {
		e.SP()
		writeModSeq(e, t.m) // \Seen may have moved it (RFC 7162 §3.1)
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

// literal8 is literal for BINARY data holding NUL (RFC 3516 §4.3).
func (s *session) literal8(o opened) {
	s.conn.SetWriteDeadline(time.Now().Add(s.cfg.IdleTimeout))
	s.enc.Literal8(o.size, o.r)
}

// internalDate is the From line's date (decision 7): from the From line
// Load read with the message's structure (st, or one cached), or else
// read from upasfs; once per message.
func (s *session) internalDate(m *msg, st *message.Structure) time.Time {
	if m.idate.IsZero() {
		if t, ok := s.srv.idates.Get(m.Digest); ok {
			m.idate = t
			return m.idate
		}
		if st == nil {
			st = s.cachedStructure(m)
		}
		line := ""
		if st != nil {
			line = st.FromLine()
		}
		if line == "" {
			if b, err := s.fs.ReadFile(s.sel.box, m.num, nil, upasfs.FileUnixHeader); err == nil {
				line = string(b)
			}
		}
		if t, ok := message.InternalDate(unixDateOf(line)); ok {
			m.idate = t
		}
		if m.idate.IsZero() {
			m.idate = time.Unix(0, 0).UTC()
		}
		// The digest covers the From line (spec §1.4): the date is
		// the same in every session.
		s.srv.idates.Put(m.Digest, m.idate)
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

// messagesAtOnce is how many messages a batch reads from upasfs at a
// time (DESIGN.md "Speed").
const messagesAtOnce = 8

// inParallel runs do(i) for each i below n that want(i) accepts,
// messagesAtOnce at a time, and waits for them all.
func inParallel(n int, want func(i int) bool, do func(i int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, messagesAtOnce)
	for i := range n {
		if !want(i) {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			do(i)
		}()
	}
	wg.Wait()
}
