package server

import (
	"container/list"
	"sync"

	"p9mail/upasfs/mbox"
	"p9mail/upasfs/mime"
)

// A partCache keeps the MIME trees of the most recently used messages.
// A tree holds offsets into one generation of the file, so it is
// forgotten whenever its message moves. Memory therefore grows with
// the number of messages in use, not with the mailbox (DESIGN.md).
type partCache struct {
	max int

	mu    sync.Mutex
	lru   list.List // of *cached, most recent at the front
	byMsg map[*Msg]*list.Element
}

type cached struct {
	m    *Msg
	gen  *fileGen
	off  int64
	root *mime.Part
}

// get returns m's tree for location loc in generation g, if cached.
func (c *partCache) get(m *Msg, g *fileGen, loc mbox.Msg) *mime.Part {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.byMsg[m]
	if e == nil {
		return nil
	}
	x := e.Value.(*cached)
	if x.gen != g || x.off != loc.Off {
		return nil
	}
	c.lru.MoveToFront(e)
	return x.root
}

func (c *partCache) put(m *Msg, g *fileGen, loc mbox.Msg, root *mime.Part) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byMsg == nil {
		c.byMsg = make(map[*Msg]*list.Element)
	}
	if e := c.byMsg[m]; e != nil {
		c.lru.Remove(e)
	}
	c.byMsg[m] = c.lru.PushFront(&cached{m: m, gen: g, off: loc.Off, root: root})
	for c.lru.Len() > c.max {
		e := c.lru.Back()
		c.lru.Remove(e)
		delete(c.byMsg, e.Value.(*cached).m)
	}
}

func (c *partCache) forget(m *Msg) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.byMsg[m]; e != nil {
		c.lru.Remove(e)
		delete(c.byMsg, m)
	}
}

// parse returns the MIME tree of m and a reference on the file
// generation its offsets point into; the caller drops it with decRef.
func (b *Box) parse(m *Msg) (*mime.Part, *fileGen, error) {
	loc, g, err := b.location(m)
	if err != nil {
		return nil, nil, err
	}
	c := &b.store.cache
	if root := c.get(m, g, loc); root != nil {
		return root, g, nil
	}
	root, err := mime.Parse(g, loc.Off, loc.Len, loc.DigestHex(), b.store.Ignore)
	if err != nil {
		g.decRef()
		return nil, nil, err
	}
	c.put(m, g, loc, root)
	return root, g, nil
}
