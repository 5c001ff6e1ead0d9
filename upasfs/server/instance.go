package server

import (
	"sync"
	"sync/atomic"
)

// An instance is what one 9P attach sees: a private upasfs with its own
// table of open mailboxes and its own message numbers, as each Plan 9
// session runs its own `upas/fs -np` (DESIGN.md; spec §1.1, §1.3).
type instance struct {
	srv  *Server
	user string
	home string // <root>/box/<user>, cleaned

	mu    sync.Mutex
	boxes []*openBox // in open order (spec §1.2)
	ids   atomic.Uint64
	refs  atomic.Int32 // fids on this instance; the last clunk closes its mailboxes
}

func (in *instance) newID() uint64 { return in.ids.Add(1) }

// lookup returns the open mailbox called name, or nil.
func (in *instance) lookup(name string) *openBox {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, ob := range in.boxes {
		if ob.name == name {
			return ob
		}
	}
	return nil
}

// list returns the open mailboxes in open order.
func (in *instance) list() []*openBox {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]*openBox(nil), in.boxes...)
}

// closeAll drops every open mailbox; called when the attach goes away.
func (in *instance) closeAll() {
	in.mu.Lock()
	boxes := in.boxes
	in.boxes = nil
	in.mu.Unlock()
	for _, ob := range boxes {
		ob.close()
	}
}

// An openBox is a mailbox opened by ctl `open` in one instance, with
// that instance's message numbers: assigned in mailbox order from a
// counter, never reused while it is open (spec §1.3).
type openBox struct {
	in   *instance
	name string
	path string
	box  *Box
	id   uint64 // for qids

	mu      sync.Mutex
	version uint64       // of box when nums was last brought up to date
	next    int          // last number given out
	nums    map[*Msg]int // live messages' numbers
	byNum   map[int]*Msg
	order   []int // live numbers in mailbox order
	msgIDs  map[*Msg]uint64
	closed  bool
	release sync.Once
}

func (ob *openBox) close() {
	ob.release.Do(func() {
		ob.mu.Lock()
		ob.closed = true
		var seen []*Msg
		for m := range ob.nums {
			seen = append(seen, m)
		}
		ob.nums, ob.byNum, ob.order = nil, nil, nil
		ob.mu.Unlock()
		ob.box.unview(seen)
		ob.in.srv.store.release(ob.box)
	})
}

// refresh syncs the mailbox with its file and renumbers (spec §1.7:
// on a read of the mailbox directory at offset 0 and on its stat).
func (ob *openBox) refresh() error {
	b := ob.box
	b.mu.Lock()
	err := b.sync()
	msgs, version := b.msgs, b.version
	b.mu.Unlock()
	ob.renumber(msgs, version)
	return err
}

// renumber brings the numbering up to date with msgs, the box's live
// messages at version.
func (ob *openBox) renumber(msgs []*Msg, version uint64) {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	if ob.nums != nil && ob.version == version {
		return
	}
	nums := make(map[*Msg]int, len(msgs))
	byNum := make(map[int]*Msg, len(msgs))
	order := make([]int, 0, len(msgs))
	var added, dropped []*Msg
	for _, m := range msgs {
		n, ok := ob.nums[m]
		if !ok {
			ob.next++
			n = ob.next
			added = append(added, m)
		}
		nums[m] = n
		byNum[n] = m
		order = append(order, n)
	}
	for m := range ob.nums {
		if _, ok := nums[m]; !ok {
			dropped = append(dropped, m)
		}
	}
	for m := range ob.msgIDs {
		if _, ok := nums[m]; !ok {
			delete(ob.msgIDs, m)
		}
	}
	ob.nums, ob.byNum, ob.order, ob.version = nums, byNum, order, version
	ob.box.view(added)
	ob.box.unview(dropped)
}

// message returns the live message numbered n.
func (ob *openBox) message(n int) *Msg {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	return ob.byNum[n]
}

// listing returns the live messages in mailbox order with their
// numbers and qid ids, under one hold of the lock.
func (ob *openBox) listing() (nums []int, msgs []*Msg, ids []uint64) {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	if ob.msgIDs == nil {
		ob.msgIDs = make(map[*Msg]uint64)
	}
	for _, n := range ob.order {
		m := ob.byNum[n]
		if m == nil {
			continue
		}
		id, ok := ob.msgIDs[m]
		if !ok {
			id = ob.in.newID()
			ob.msgIDs[m] = id
		}
		nums, msgs, ids = append(nums, n), append(msgs, m), append(ids, id)
	}
	return nums, msgs, ids
}

// msgID returns a stable id for m's qids in this instance.
func (ob *openBox) msgID(m *Msg) uint64 {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	if ob.msgIDs == nil {
		ob.msgIDs = make(map[*Msg]uint64)
	}
	id, ok := ob.msgIDs[m]
	if !ok {
		id = ob.in.newID()
		ob.msgIDs[m] = id
	}
	return id
}

// deleteNums deletes the messages with the given numbers; unknown
// numbers are ignored (spec §1.6).
func (ob *openBox) deleteNums(nums []int) error {
	var del []*Msg
	for _, n := range nums {
		if m := ob.message(n); m != nil {
			del = append(del, m)
		}
	}
	if len(del) == 0 {
		return nil
	}
	err := ob.box.remove(del)
	b := ob.box
	b.mu.Lock()
	msgs, version := b.msgs, b.version
	b.mu.Unlock()
	ob.renumber(msgs, version)
	return err
}
