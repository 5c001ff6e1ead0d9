package mailfs

import (
	"slices"
	"sync"

	"9fans.net/go/plan9"

	"p9mail/ninep"
	"p9mail/upasfs"
)

// A DigestCache remembers the digests of a mailbox file's messages in
// order, so that a session which opens an unchanged mailbox need not
// read one digest file per message (10,000 9P reads for a 10,000-message
// INBOX at every login).
//
// It relies on two facts: a fresh upasfs open numbers the messages 1..N
// in file order (spec §1.3), and the file's qid and length change with
// every change to it (on Unix the qid version follows the mtime in
// nanoseconds; on Plan 9 it counts writes). The caller stats the file
// before the open; the cache stats it again after listing, and uses or
// fills an entry only when both stats agree and the numbers are exactly
// 1..N, so a change in between never lends digests to the wrong
// messages.
//
// With Dir set, the lists also go to files in Dir (digestfile.go) and
// are read from there on a miss, so they outlive the process.
type DigestCache struct {
	Dir string // where the lists are kept on disk; "" keeps none

	mu    sync.Mutex
	m     map[string]*digestEntry
	total int // digests held in all
}

type digestEntry struct {
	qid     plan9.Qid
	length  uint64
	digests []string
}

// The cache remembers at most maxCached mailboxes and maxDigests
// digests in all (some 100 bytes each held: about 50 MB); past either,
// entries go, any of them, until the new one fits.
const (
	maxCached  = 1024
	maxDigests = 500000
)

// Digests returns the digest of each of nums, as upasfs gives it less
// surrounding white space ("" for a message that vanished). before is the mailbox file's stat taken before the upasfs
// open; name is the file in the name space (e.g. /mail/box/u/mbox).
func (c *DigestCache) Digests(ns ninep.FS, fs *upasfs.Client, name, box string, before *plan9.Dir, nums []int) ([]string, error) {
	fresh := before != nil && isOneToN(nums)
	if fresh {
		if after, err := ns.Stat(name); err != nil || !SameFile(before, after) {
			fresh = false
		}
	}
	if fresh {
		c.mu.Lock()
		e := c.m[name]
		c.mu.Unlock()
		if e != nil && e.qid == before.Qid && e.length == before.Length && len(e.digests) == len(nums) {
			return e.digests, nil
		}
		if d := c.loadFile(name, before); len(d) == len(nums) {
			c.put(name, &digestEntry{qid: before.Qid, length: before.Length, digests: d})
			return d, nil
		}
	}
	digests, err := fs.Digests(box, nums)
	if err != nil {
		return nil, err
	}
	if fresh && !slices.Contains(digests, "") {
		if after, err := ns.Stat(name); err == nil && SameFile(before, after) {
			e := &digestEntry{qid: before.Qid, length: before.Length, digests: digests}
			c.put(name, e)
			c.saveFile(name, e, before.Mtime)
		}
	}
	return digests, nil
}

// Cached returns the digests of the messages 1..N of a fresh upasfs
// open of the mailbox file name when the cache holds them for the file
// as before (its stat taken before the open) describes it and the file
// is still so: then the open numbers exactly those messages 1..N (spec
// §1.3) and listing the mailbox directory would tell nothing new.
// Otherwise nil.
func (c *DigestCache) Cached(ns ninep.FS, name string, before *plan9.Dir) []string {
	if before == nil {
		return nil
	}
	c.mu.Lock()
	e := c.m[name]
	c.mu.Unlock()
	var digests []string
	switch {
	case e != nil && e.qid == before.Qid && e.length == before.Length:
		digests = e.digests
	default:
		if digests = c.loadFile(name, before); digests == nil {
			return nil
		}
		c.put(name, &digestEntry{qid: before.Qid, length: before.Length, digests: digests})
	}
	if after, err := ns.Stat(name); err != nil || !SameFile(before, after) {
		return nil
	}
	return digests
}

// put remembers e for name within the bounds.
func (c *DigestCache) put(name string, e *digestEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(e.digests) > maxDigests {
		return
	}
	if c.m == nil {
		c.m = make(map[string]*digestEntry)
	}
	if old := c.m[name]; old != nil {
		c.total -= len(old.digests)
		delete(c.m, name)
	}
	for k, old := range c.m {
		if len(c.m) < maxCached && c.total+len(e.digests) <= maxDigests {
			break
		}
		c.total -= len(old.digests)
		delete(c.m, k)
	}
	c.m[name] = e
	c.total += len(e.digests)
}

// SameFile reports whether two stats of a file show it unchanged in
// between: the same qid (on Unix the version follows the mtime in
// nanoseconds), length and mtime.
func SameFile(a, b *plan9.Dir) bool {
	return a.Qid == b.Qid && a.Length == b.Length && a.Mtime == b.Mtime
}

func isOneToN(nums []int) bool {
	for i, n := range nums {
		if n != i+1 {
			return false
		}
	}
	return true
}
