package imap

import (
	"container/list"
	"sync"

	"p9mail/protocol/imap/message"
	"p9mail/protocol/index"
)

// A message's structure is found, in this order, in the server's
// structCache (hot entries), in the mailbox's index file on the
// gateway's disk (protocol/index, read with one ReadAt), or loaded
// from upasfs and then kept in both (docs/architecture.md "The
// index").

// loadStructures returns the structures of a batch of messages, those
// that must be loaded from upasfs several at once; nil for a message
// that fails.
func (s *session) loadStructures(batch []target) []*message.Structure {
	out := make([]*message.Structure, len(batch))
	for i, t := range batch {
		if !t.m.Expunged {
			out[i] = s.cachedStructure(t.m)
		}
	}
	loaded := make([]bool, len(batch))
	inParallel(len(batch), func(i int) bool { return !batch[i].m.Expunged && out[i] == nil }, func(i int) {
		m := batch[i].m
		st, err := s.load(m)
		if err != nil {
			s.cfg.Log.Warn("imap load", "user", s.user, "digest", m.Digest, "err", err)
			return
		}
		out[i], loaded[i] = st, true
	})
	// The batch's new structures go to the index in one write.
	var recs []index.Record
	for i, ok := range loaded {
		if ok {
			recs = append(recs, index.Record{Digest: batch[i].m.Digest, Payload: out[i].Marshal()})
		}
	}
	s.indexPut(recs)
	return out
}

// structure returns m's structure, loading it if need be.
func (s *session) structure(m *msg) (*message.Structure, error) {
	if st := s.cachedStructure(m); st != nil {
		return st, nil
	}
	return s.loadStructure(m)
}

// cachedStructure returns m's structure from the cache or the index,
// or nil.
func (s *session) cachedStructure(m *msg) *message.Structure {
	if st := s.srv.cache.get(m.Digest); st != nil {
		return st
	}
	x := s.sel.indexFile()
	if x == nil {
		return nil
	}
	b, ok := x.Get(m.Digest)
	if !ok {
		return nil
	}
	st, err := message.Unmarshal(b)
	if err != nil || st.MaxHeader() != s.cfg.MaxHeader {
		return nil // checked, but of another build or setting: load it again
	}
	s.srv.cache.put(m.Digest, st)
	return st
}

// loadStructure loads m's structure from upasfs and keeps it.
func (s *session) loadStructure(m *msg) (*message.Structure, error) {
	st, err := s.load(m)
	if err != nil {
		return nil, err
	}
	s.indexPut([]index.Record{{Digest: m.Digest, Payload: st.Marshal()}})
	return st, nil
}

// load reads m's structure through upasfs into the in-memory cache.
func (s *session) load(m *msg) (*message.Structure, error) {
	s.srv.loads.Add(1)
	st, err := message.LoadLimited(message.UpasfsSource(s.fs, s.sel.box, m.num), s.cfg.MaxHeader)
	if err != nil {
		return nil, err
	}
	s.srv.cache.put(m.Digest, st)
	return st, nil
}

// indexPut stores structures in the selected mailbox's index, if any.
func (s *session) indexPut(recs []index.Record) {
	if x := s.sel.indexFile(); x != nil && len(recs) > 0 {
		if err := x.PutMany(recs); err != nil {
			s.cfg.Log.Warn("imap index", "user", s.user, "err", err)
		}
	}
}

// indexFile returns the mailbox's index file, opened on first use; nil
// without an index or when it cannot be opened (logged once).
func (mb *mailbox) indexFile() *index.File {
	srv := mb.s.srv
	if srv.index == nil {
		return nil
	}
	mb.idxOnce.Do(func() {
		x, err := srv.index.File(mb.s.user, mb.file)
		if err != nil {
			srv.cfg.Log.Warn("imap index", "user", mb.s.user, "mailbox", mb.name, "err", err)
			return
		}
		mb.idx = x
	})
	return mb.idx
}

// compactIndex rewrites the mailbox's index file without the records
// of messages no longer in it, when they are most of it.
func (mb *mailbox) compactIndex() {
	x := mb.indexFile()
	if x == nil {
		return
	}
	live := make(map[string]bool, len(mb.msgs))
	for _, m := range mb.msgs {
		live[m.Digest] = true
	}
	if err := x.Compact(len(live), func(d string) bool { return live[d] }); err != nil {
		mb.s.cfg.Log.Warn("imap index compaction", "user", mb.s.user, "mailbox", mb.name, "err", err)
	}
	if !mb.s.srv.index.HasSibling(mb.s.user, mb.file, sortIndexKind) {
		return // no SORT or THREAD has run on it: leave it unopened
	}
	if y := mb.sortIndex(); y != nil {
		if err := y.Compact(len(live), func(d string) bool { return live[d] }); err != nil {
			mb.s.cfg.Log.Warn("imap sort index compaction", "user", mb.s.user, "mailbox", mb.name, "err", err)
		}
	}
}

// A structCache keeps message structures by digest (DESIGN.md: cache
// what a message's digest determines), shared by all sessions, most
// recently used first, bounded. A structure holds its message's
// header too (for SEARCH): about 1 KB a message in all for mail like
// bench/genmbox's (measured on 2,000 of them), some 20 MB when full.
type structCache struct {
	max   int // maxStructs if 0
	mu    sync.Mutex
	lru   list.List
	byKey map[string]*list.Element
}

// maxStructs bounds the cache without an index; with one it is a front
// of indexFront entries for hot ones. As large: a warm FETCH of 10,000
// messages through a front of 2,000 read and decoded every structure
// from the index and took twice Dovecot's time (bench/imap.sh).
const (
	maxStructs = 20000
	indexFront = 20000
)

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
	max := c.max
	if max <= 0 {
		max = maxStructs
	}
	for c.lru.Len() > max {
		e := c.lru.Back()
		c.lru.Remove(e)
		delete(c.byKey, e.Value.(*structEntry).digest)
	}
}
