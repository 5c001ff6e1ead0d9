//go:build !plan9

package ninep

import (
	"bufio"
	"encoding/binary"
	"io"
	"sync"
	"sync/atomic"

	"9fans.net/go/plan9"
)

// maxMsg bounds a reply's size: the msize client.NewConn asks for
// (131072), which a server's Rversion may only lower.
const maxMsg = 128 << 10

// A fidGate sits between a 9fans.net/go/plan9/client connection and the
// transport and closes the client's fid-reuse race (DESIGN.md "Known
// hazards in the 9P layer"; p9p-upasfs.md §6.3).
//
// The client puts a fid number back on its free list as soon as a Tclunk
// or Tremove is sent, so a concurrent Twalk may name that number as its
// newfid before the server has answered the clunk. srv9p serves each
// request in its own goroutine, and 9pserve drops the number only on the
// Rclunk, so either may answer "duplicate fid".
//
// The gate therefore holds back any T-message that brings a fid number
// into use (Tauth afid, Tattach fid, Twalk newfid) while a Tclunk or
// Tremove of that number is unanswered. Replies are read by the gate's own
// goroutine and queued for the client: the writer held back may be the
// client's designated reader, and the reply it waits for must still
// arrive. Nothing else is delayed, so reads, opens and stats stay fully
// concurrent.
type fidGate struct {
	rwc io.ReadWriteCloser

	mu      sync.Mutex
	changed sync.Cond         // on mu: dying, queue or err changed
	dying   map[uint32]uint16 // fid of an unanswered Tclunk/Tremove → its tag
	tagFid  map[uint16]uint32 // the inverse, to find the fid from a reply
	queue   [][]byte          // replies read, not yet taken by Read
	cur     []byte            // rest of the reply Read is handing out
	err     error             // the reader's error; sticky

	msize atomic.Uint32 // from the Rversion, for readers that must know it
}

// newFidGate wraps rwc and starts the reply reader, which runs until rwc
// fails or is closed.
func newFidGate(rwc io.ReadWriteCloser) *fidGate {
	g := &fidGate{
		rwc:    rwc,
		dying:  make(map[uint32]uint16),
		tagFid: make(map[uint16]uint32),
	}
	g.changed.L = &g.mu
	go g.readLoop()
	return g
}

// readLoop moves replies from the transport to the queue, releasing a
// clunked fid number when its reply (Rclunk, Rremove or Rerror) arrives.
func (g *fidGate) readLoop() {
	br := bufio.NewReaderSize(g.rwc, 64<<10)
	for {
		msg, err := readMsg(br)
		g.mu.Lock()
		if err != nil {
			g.err = err
			g.changed.Broadcast()
			g.mu.Unlock()
			return
		}
		if msg[4] == plan9.Rversion && len(msg) >= 11 {
			g.msize.Store(le32(msg, 7))
		}
		tag := le16(msg, offTag)
		if fid, ok := g.tagFid[tag]; ok {
			delete(g.tagFid, tag)
			delete(g.dying, fid)
		}
		g.queue = append(g.queue, msg)
		g.changed.Broadcast()
		g.mu.Unlock()
	}
}

// readMsg reads one 9P message: size[4] type[1] tag[2] body (intro(5)).
// Only the framing is read here; the client decodes the message.
func readMsg(r io.Reader) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint32(hdr[:])
	if n < 7 || n > maxMsg {
		return nil, plan9.ProtocolError("bad message size")
	}
	msg := make([]byte, n)
	copy(msg, hdr[:])
	if _, err := io.ReadFull(r, msg[4:]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return msg, nil
}

// Read hands the client the queued replies, byte for byte.
func (g *fidGate) Read(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for len(g.cur) == 0 {
		switch {
		case len(g.queue) > 0:
			g.cur, g.queue[0] = g.queue[0], nil
			g.queue = g.queue[1:]
		case g.err != nil:
			return 0, g.err
		default:
			g.changed.Wait()
		}
	}
	n := copy(p, g.cur)
	g.cur = g.cur[n:]
	return n, nil
}

// Write sends one whole T-message (the client writes each message with a
// single Write), first holding back a message that reuses a dying fid and
// noting a Tclunk or Tremove.
func (g *fidGate) Write(p []byte) (int, error) {
	if len(p) < 7 {
		return g.rwc.Write(p)
	}
	switch p[4] {
	case plan9.Tclunk, plan9.Tremove:
		return g.writeClunk(p)
	case plan9.Tauth, plan9.Tattach, plan9.Twalk:
		if fid, ok := newFid(p); ok {
			if err := g.waitFid(fid); err != nil {
				return 0, err
			}
		}
	}
	return g.rwc.Write(p)
}

// The fields the gate looks at sit at fixed offsets in every message it
// inspects (intro(5)): size[4] type[1] tag[2] fid[4], and for Twalk then
// newfid[4]; Tauth's afid and Tattach's fid are in the fid position.
const (
	offTag    = 5
	offFid    = 7
	offNewfid = 11
)

func le16(p []byte, off int) uint16 { return binary.LittleEndian.Uint16(p[off:]) }
func le32(p []byte, off int) uint32 { return binary.LittleEndian.Uint32(p[off:]) }

// newFid returns the fid number that message p brings into use.
func newFid(p []byte) (uint32, bool) {
	switch {
	case len(p) < offNewfid:
		return 0, false
	case p[4] != plan9.Twalk:
		return le32(p, offFid), true // Tauth, Tattach
	case len(p) < offNewfid+4:
		return 0, false
	}
	newfid := le32(p, offNewfid)
	return newfid, newfid != le32(p, offFid)
}

// waitFid waits until no Tclunk or Tremove of fid is unanswered.
func (g *fidGate) waitFid(fid uint32) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	for {
		if g.err != nil {
			return g.err
		}
		if _, ok := g.dying[fid]; !ok {
			return nil
		}
		g.changed.Wait()
	}
}

// writeClunk records a Tclunk or Tremove before sending it, so that the
// client cannot reuse its fid number on the wire until the reply is read.
func (g *fidGate) writeClunk(p []byte) (int, error) {
	if len(p) < offFid+4 {
		return g.rwc.Write(p)
	}
	tag, fid := le16(p, offTag), le32(p, offFid)
	g.mu.Lock()
	g.dying[fid] = tag
	g.tagFid[tag] = fid
	g.mu.Unlock()
	n, err := g.rwc.Write(p)
	if err != nil {
		g.mu.Lock()
		delete(g.dying, fid)
		delete(g.tagFid, tag)
		g.changed.Broadcast()
		g.mu.Unlock()
	}
	return n, err
}

// Close closes the transport; the reader then fails and wakes any writer
// still held back.
func (g *fidGate) Close() error {
	return g.rwc.Close()
}
