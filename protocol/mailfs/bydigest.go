package mailfs

import "sync"

// A ByDigest keeps values that a message's digest fixes (sizes, dates:
// the digest covers the bytes, DESIGN.md "Speed, by construction"),
// shared by the sessions of a server. It holds at most Max values
// (DefaultByDigest if 0) and starts afresh when full. The zero value
// is ready to use.
type ByDigest[V any] struct {
	Max int

	mu sync.Mutex
	m  map[string]V
}

// DefaultByDigest is ByDigest's Max by default: some 25 MB of small
// values.
const DefaultByDigest = 200000

// Get returns the value kept for digest.
func (c *ByDigest[V]) Get(digest string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[digest]
	return v, ok
}

// Put keeps v for digest.
func (c *ByDigest[V]) Put(digest string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	max := c.Max
	if max <= 0 {
		max = DefaultByDigest
	}
	if c.m == nil || len(c.m) >= max {
		c.m = make(map[string]V)
	}
	c.m[digest] = v
}
