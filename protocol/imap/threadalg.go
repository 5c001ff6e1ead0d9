package imap

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// A threadNode is one container of a thread tree (RFC 5256 §3): a
// message, or a dummy (msg nil) standing for a message referred to but
// not among those threaded.
type threadNode struct {
	msg    *sorted
	parent *threadNode
	kids   []*threadNode
}

// date is the node's sent date for sorting siblings (RFC 5256 §2.2),
// and seq the tie-break: a dummy's are its first child's (§3
// REFERENCES 4, 7), its children sorted first.
func (n *threadNode) first() *sorted {
	for n.msg == nil {
		if len(n.kids) == 0 {
			return &sorted{k: &sortKey{}}
		}
		n = n.kids[0]
	}
	return n.msg
}

func compareSent(a, b *sorted) int {
	if c := cmp.Compare(a.k.sentOrArrival(), b.k.sentOrArrival()); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
}

// sortTree sorts every set of siblings of the trees by sent date,
// children before their parents (RFC 5256 §3 REFERENCES 7).
func sortTree(nodes []*threadNode) {
	for _, n := range nodes {
		sortTree(n.kids)
	}
	slices.SortStableFunc(nodes, func(a, b *threadNode) int { return compareSent(a.first(), b.first()) })
}

// threadOrderedSubject is THREAD=ORDEREDSUBJECT (RFC 5256 §3): the
// messages sorted by base subject, then sent date; each run of one
// subject a thread whose first message is the parent of the others;
// the threads in the sent date order of their first messages.
func threadOrderedSubject(ms []sorted) []*threadNode {
	ms = slices.Clone(ms)
	slices.SortFunc(ms, func(a, b sorted) int {
		if c := strings.Compare(a.k.subject, b.k.subject); c != 0 {
			return c
		}
		return compareSent(&a, &b)
	})
	var roots []*threadNode
	for i := range ms {
		m := &ms[i]
		if i > 0 && m.k.subject == ms[i-1].k.subject {
			root := roots[len(roots)-1]
			root.kids = append(root.kids, &threadNode{msg: m, parent: root})
			continue
		}
		roots = append(roots, &threadNode{msg: m})
	}
	slices.SortStableFunc(roots, func(a, b *threadNode) int { return compareSent(a.msg, b.msg) })
	return roots
}

// threadReferences is THREAD=REFERENCES (RFC 5256 §3), or with subjects
// false THREAD=REFS (draft-ietf-morg-inthread-01 §3): REFERENCES
// without the gathering of threads by base subject, the threads in
// the order of their latest message's sent date.
func threadReferences(ms []sorted, subjects bool) []*threadNode {
	ids := make(map[string]*threadNode, len(ms))
	var all []*threadNode // every container, in creation order
	container := func(id string) *threadNode {
		n := ids[id]
		if n == nil {
			n = &threadNode{}
			ids[id] = n
			all = append(all, n)
		}
		return n
	}
	// (1) Link the messages by their references.
	for i := range ms {
		m := &ms[i]
		var c *threadNode
		if id := m.k.messageID; id != "" && (ids[id] == nil || ids[id].msg == nil) {
			c = container(id)
		} else {
			// No Message-ID, or a duplicate: a unique one, that
			// nothing can refer to (1.A).
			c = &threadNode{}
			all = append(all, c)
		}
		c.msg = m
		refs := m.k.parents
		for j := 0; j+1 < len(refs); j++ {
			p, k := container(refs[j]), container(refs[j+1])
			if k.parent == nil && p != k && !k.isAncestorOf(p) {
				link(p, k) // (1.B) links already made stay
			}
		}
		// (1.C) The message's own references are authoritative.
		unlink(c)
		if len(refs) > 0 {
			if p := container(refs[len(refs)-1]); p != c && !c.isAncestorOf(p) {
				link(p, c)
			}
		}
	}
	// (2) The root set: the containers without a parent.
	var roots []*threadNode
	for _, n := range all {
		if n.parent == nil {
			roots = append(roots, n)
		}
	}
	// (4) Prune the dummies.
	roots = prune(roots, true)
	// (5) Sort the root set by sent date.
	sortTree(roots)
	if subjects {
		roots = gatherSubjects(roots)
		// (7) Sort every set of siblings.
		sortTree(roots)
		return roots
	}
	// REFS: the threads by their latest message.
	latest := make(map[*threadNode]*sorted, len(roots))
	for _, r := range roots {
		latest[r] = r.latest()
	}
	slices.SortStableFunc(roots, func(a, b *threadNode) int { return compareSent(latest[a], latest[b]) })
	return roots
}

// latest is the message of the tree at n with the latest sent date.
func (n *threadNode) latest() *sorted {
	best := n.msg
	for _, k := range n.kids {
		if l := k.latest(); l != nil && (best == nil || compareSent(l, best) > 0) {
			best = l
		}
	}
	return best
}

// isAncestorOf reports whether n is d or above d.
func (n *threadNode) isAncestorOf(d *threadNode) bool {
	for ; d != nil; d = d.parent {
		if d == n {
			return true
		}
	}
	return false
}

func link(p, c *threadNode) {
	c.parent = p
	p.kids = append(p.kids, c)
}

func unlink(c *threadNode) {
	if p := c.parent; p != nil {
		p.kids = slices.DeleteFunc(p.kids, func(k *threadNode) bool { return k == c })
		c.parent = nil
	}
}

// prune removes the dummies without children and puts the children of
// the others in their place, but for a dummy of the root set with more
// than one child (RFC 5256 §3 REFERENCES 4).
func prune(nodes []*threadNode, root bool) []*threadNode {
	var out []*threadNode
	for _, n := range nodes {
		n.kids = prune(n.kids, false)
		switch {
		case n.msg != nil:
			out = append(out, n)
		case len(n.kids) == 0:
		case !root || len(n.kids) == 1:
			for _, k := range n.kids {
				k.parent = n.parent
			}
			out = append(out, n.kids...)
		default:
			out = append(out, n)
		}
	}
	for _, n := range out {
		if root {
			n.parent = nil
		}
	}
	return out
}

// subject is the base subject of the thread at the root r (a dummy's:
// its first child's), and whether it is a reply's.
func (n *threadNode) subject() (string, bool) {
	m := n.first()
	return m.k.subject, m.k.reply
}

// gatherSubjects merges the threads of the root set that have the
// same base subject (RFC 5256 §3 REFERENCES 6).
func gatherSubjects(roots []*threadNode) []*threadNode {
	table := map[string]*threadNode{}
	for _, r := range roots {
		subj, reply := r.subject()
		if subj == "" {
			continue
		}
		old := table[subj]
		if old == nil || old.msg != nil && r.msg == nil {
			table[subj] = r
		} else if old.msg != nil && r.msg != nil && old.msg.k.reply && !reply {
			table[subj] = r
		}
	}
	gone := map[*threadNode]bool{}
	for _, r := range roots {
		subj, _ := r.subject()
		c := table[subj]
		if subj == "" || c == nil || c == r || gone[r] {
			continue
		}
		switch {
		case c.msg == nil && r.msg == nil:
			for _, k := range r.kids {
				link(c, k)
			}
			r.kids = nil
			gone[r] = true
		case c.msg == nil:
			link(c, r)
			gone[r] = true
		case r.msg != nil && r.msg.k.reply && !c.msg.k.reply:
			link(c, r)
			gone[r] = true
		case r.msg != nil && c.msg.k.reply && !r.msg.k.reply:
			link(r, c)
			gone[c] = true
			table[subj] = r
		default:
			d := &threadNode{}
			at := slices.Index(roots, c)
			roots[at] = d
			link(d, c)
			link(d, r)
			gone[r] = true
			table[subj] = d
		}
	}
	return slices.DeleteFunc(roots, func(r *threadNode) bool { return gone[r] })
}

// appendThread writes one thread of a THREAD response (RFC 5256 §4
// thread-list): a message and its only child in one list, siblings
// each in a list of their own.
func appendThread(b *strings.Builder, n *threadNode, uid bool) {
	b.WriteByte('(')
	for {
		if n.msg != nil {
			b.WriteString(strconv.FormatUint(uint64(n.num(uid)), 10))
		}
		if len(n.kids) != 1 {
			break
		}
		n = n.kids[0]
		b.WriteByte(' ')
	}
	if len(n.kids) > 0 && n.msg != nil {
		b.WriteByte(' ')
	}
	for _, k := range n.kids {
		appendThread(b, k, uid)
	}
	b.WriteByte(')')
}

func (n *threadNode) num(uid bool) uint32 {
	if uid {
		return n.msg.uid
	}
	return n.msg.seq
}
