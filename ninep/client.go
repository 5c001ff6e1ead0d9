//go:build !plan9

package ninep

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"9fans.net/go/plan9"
)

// A conn is the client side of one 9P2000 connection: it numbers tags
// and fids, writes requests, and has one goroutine read the replies
// and hand each to the goroutine waiting for it. Many goroutines may
// use it at once (DESIGN.md "Speed, by construction").
//
// A fid number goes back on the free list only when the reply to its
// Tclunk or Tremove has been read, so a new walk never names a fid the
// server may still hold (the race the 9fans client has, p9p-upasfs.md
// §6.3; TestHammerRawClient).
type conn struct {
	rwc   io.ReadWriteCloser
	msize uint32 // from Rversion

	wmu sync.Mutex // serializes writes

	mu       sync.Mutex
	calls    map[uint16]*call // waiting for their replies, by tag
	freeTags []uint16
	nextTag  uint16
	freeFids []uint32
	nextFid  uint32
	err      error // the connection failed or was closed; sticky
}

// A call is one request waiting for its reply.
type call struct {
	reply   chan reply // a nil rx: the connection failed
	release uint32     // a fid number to free when the reply comes, or NOFID
}

// A reply is a decoded message and the buffer it was read into, from
// msgBufs, or nil; the message's Data and Stat point into it.
type reply struct {
	rx  *plan9.Fcall
	buf *[]byte
}

var calls = sync.Pool{New: func() any { return &call{reply: make(chan reply, 1)} }}

// msgBufs holds buffers for replies of up to pooledMsg bytes: most are
// Rreads of at most 16 KiB, read into one and copied out at once.
var msgBufs = sync.Pool{New: func() any {
	b := make([]byte, pooledMsg)
	return &b
}}

// Replies of at most smallMsg bytes (all but reads and stats) are
// allocated: a pooled buffer would be held while the reply is used.
const (
	pooledMsg = 16<<10 + plan9.IOHDRSZ
	smallMsg  = 1 << 10
)

// putBuf gives a reply's buffer back once nothing points into it.
func putBuf(buf *[]byte) {
	if buf != nil {
		msgBufs.Put(buf)
	}
}

// errClosed is the error of requests on a connection closed by Close.
const errClosed = Error("ninep: connection closed")

// dialConn runs Tversion over rwc, asking for msize maxMsg, and starts
// the reply reader. It closes rwc on failure.
func dialConn(rwc io.ReadWriteCloser) (*conn, error) {
	tx := &plan9.Fcall{Type: plan9.Tversion, Tag: plan9.NOTAG, Msize: maxMsg, Version: "9P2000"}
	b, err := tx.Bytes()
	if err == nil {
		_, err = rwc.Write(b)
	}
	br := bufio.NewReaderSize(rwc, 64<<10)
	var rx *plan9.Fcall
	if err == nil {
		var msg []byte
		if msg, err = readMsg(br); err == nil {
			rx, err = plan9.UnmarshalFcall(msg)
		}
	}
	if err == nil {
		switch {
		case rx.Type == plan9.Rerror:
			err = Error(rx.Ename)
		case rx.Type != plan9.Rversion || rx.Tag != plan9.NOTAG:
			err = plan9.ProtocolError(fmt.Sprintf("bad reply to Tversion: type %d tag %d", rx.Type, rx.Tag))
		case rx.Version != "9P2000":
			err = plan9.ProtocolError("server speaks " + rx.Version)
		case rx.Msize < plan9.IOHDRSZ+64 || rx.Msize > maxMsg:
			err = plan9.ProtocolError(fmt.Sprintf("bad msize %d", rx.Msize))
		}
	}
	if err != nil {
		rwc.Close()
		return nil, err
	}
	c := &conn{rwc: rwc, msize: rx.Msize, calls: make(map[uint16]*call)}
	go c.readLoop(br)
	return c, nil
}

// iounit is the most data one Tread or Twrite carries.
func (c *conn) iounit() int { return int(c.msize) - plan9.IOHDRSZ }

// readLoop reads replies until the connection fails.
func (c *conn) readLoop(br *bufio.Reader) {
	for {
		msg, buf, err := readPooledMsg(br)
		var rx *plan9.Fcall
		if err == nil {
			rx, err = plan9.UnmarshalFcall(msg)
		}
		if err != nil {
			putBuf(buf)
			c.fail(err)
			return
		}
		c.mu.Lock()
		cl := c.calls[rx.Tag]
		if cl == nil {
			c.mu.Unlock()
			putBuf(buf)
			c.fail(plan9.ProtocolError(fmt.Sprintf("reply with unknown tag %d", rx.Tag)))
			return
		}
		delete(c.calls, rx.Tag)
		c.freeTags = append(c.freeTags, rx.Tag)
		if cl.release != plan9.NOFID {
			c.freeFids = append(c.freeFids, cl.release)
		}
		c.mu.Unlock()
		cl.reply <- reply{rx, buf}
	}
}

// fail ends the connection with err: the waiting requests get it, and
// so do all later ones.
func (c *conn) fail(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	waiting := c.calls
	c.calls = make(map[uint16]*call)
	c.mu.Unlock()
	for _, cl := range waiting {
		cl.reply <- reply{}
	}
	c.rwc.Close()
}

// close closes the connection; requests fail from then on.
func (c *conn) close() error {
	c.mu.Lock()
	if c.err == nil {
		c.err = errClosed
	}
	c.mu.Unlock()
	err := c.rwc.Close()
	c.fail(errClosed)
	return err
}

// rpc sends tx and waits for its reply. release, if not NOFID, is a
// fid number that tx ends (Tclunk, Tremove), freed when the reply is
// read. An Rerror comes back as an Error.
func (c *conn) rpc(tx *plan9.Fcall, release uint32) (*plan9.Fcall, error) {
	rx, buf, err := c.exchange(tx, release)
	if rx != nil && rx.Type != plan9.Rread && rx.Type != plan9.Rstat {
		putBuf(buf) // nothing in rx points into it
	}
	return rx, err
}

// exchange is rpc that also returns the reply's pooled buffer, which
// the caller gives back with putBuf when done with the reply's Data or
// Stat (or drops, leaving it to the collector).
func (c *conn) exchange(tx *plan9.Fcall, release uint32) (*plan9.Fcall, *[]byte, error) {
	cl := calls.Get().(*call)
	cl.release = release
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		calls.Put(cl)
		return nil, nil, err
	}
	var tag uint16
	if n := len(c.freeTags); n > 0 {
		tag, c.freeTags = c.freeTags[n-1], c.freeTags[:n-1]
	} else if c.nextTag < plan9.NOTAG {
		tag = c.nextTag
		c.nextTag++
	} else {
		c.mu.Unlock()
		calls.Put(cl)
		return nil, nil, Error("ninep: out of tags")
	}
	c.calls[tag] = cl
	c.mu.Unlock()

	tx.Tag = tag
	b, err := tx.Bytes()
	if err == nil {
		c.wmu.Lock()
		_, err = c.rwc.Write(b)
		c.wmu.Unlock()
	}
	if err != nil {
		c.fail(err)
	}
	r := <-cl.reply
	calls.Put(cl)
	rx := r.rx
	if rx == nil {
		c.mu.Lock()
		err := c.err
		c.mu.Unlock()
		return nil, nil, err
	}
	if rx.Type == plan9.Rerror {
		putBuf(r.buf)
		return nil, nil, Error(rx.Ename)
	}
	if rx.Type != tx.Type+1 {
		putBuf(r.buf)
		return nil, nil, plan9.ProtocolError(fmt.Sprintf("reply type %d to request type %d", rx.Type, tx.Type))
	}
	return rx, r.buf, nil
}

// newFid returns an unused fid number.
func (c *conn) newFid() uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := len(c.freeFids); n > 0 {
		fid := c.freeFids[n-1]
		c.freeFids = c.freeFids[:n-1]
		return fid
	}
	fid := c.nextFid
	c.nextFid++
	return fid
}

// putFid frees a fid number the server never took (a failed walk or
// attach).
func (c *conn) putFid(fid uint32) {
	c.mu.Lock()
	c.freeFids = append(c.freeFids, fid)
	c.mu.Unlock()
}

// attach attaches a new fid to aname as user with afid (NOFID: without
// authentication) and returns it.
func (c *conn) attach(user, aname string, afid uint32) (uint32, plan9.Qid, error) {
	fid := c.newFid()
	rx, err := c.rpc(&plan9.Fcall{Type: plan9.Tattach, Fid: fid, Afid: afid, Uname: user, Aname: aname}, plan9.NOFID)
	if err != nil {
		c.putFid(fid)
		return 0, plan9.Qid{}, err
	}
	return fid, rx.Qid, nil
}

// walk walks from fid along the slash-separated name (empty and "."
// elements dropped) to a new fid, which it returns; fid itself is left
// as it was.
//
// A Twalk carries at most MAXWELEM (16) names (walk(5)), so a longer
// path is walked in chunks, each from the fid the chunk before made to
// a fresh newfid, after which that fid is clunked. No chunk walks a fid
// onto itself: walk(5) allows newfid == fid, but srv9p refuses it with
// more than one name ("multiwalk without clone not implemented"), and a
// fresh newfid is what the Plan 9 kernel's walk sends too, so every
// server takes it. A failed chunk leaves no fid behind (walkChunk), and
// the fid of the chunk before is clunked: no fid leaks, however deep.
func (c *conn) walk(from uint32, name string) (uint32, error) {
	var elems []string
	for e := range strings.SplitSeq(name, "/") {
		if e != "" && e != "." {
			elems = append(elems, e)
		}
	}
	cur := from // the fid the next chunk walks from; ours to clunk unless from
	for first := true; first || len(elems) > 0; first = false {
		n := min(len(elems), plan9.MAXWELEM)
		newfid, err := c.walkChunk(cur, elems[:n], len(elems) > n)
		if err == errShortWalk {
			err = Error("file '" + name + "' not found")
		}
		if cur != from {
			if cerr := c.clunk(cur); cerr != nil && err == nil {
				_ = c.clunk(newfid) // the walk fails with cerr whatever this says
				err = fmt.Errorf("walk %s: clunk: %w", name, cerr)
			}
		}
		if err != nil {
			return 0, err
		}
		elems = elems[n:]
		cur = newfid
	}
	return cur, nil
}

// errShortWalk is walkChunk's "a name was not found", which walk turns
// into an error naming the whole path.
// (A value of its own: a server's Rerror "file not found" is an Error of
// that text and must keep it.)
var errShortWalk = errors.New("short walk")

// walkChunk walks from fid along at most MAXWELEM names to a new fid.
// more says names follow, so the last one must be a directory. On
// failure no new fid exists and the error is the server's, or
// errShortWalk when a name was not found: a partial walk (nwqid < nwname; walk(5):
// newfid is then not created, so its number is free at once), or a file
// where a directory must be, whose newfid is clunked.
func (c *conn) walkChunk(fid uint32, names []string, more bool) (uint32, error) {
	newfid := c.newFid()
	rx, err := c.rpc(&plan9.Fcall{Type: plan9.Twalk, Fid: fid, Newfid: newfid, Wname: names}, plan9.NOFID)
	switch n := len(names); {
	case err != nil, len(rx.Wqid) < n:
		c.putFid(newfid) // the server made no newfid
		if err == nil {
			err = errShortWalk
		}
	case len(rx.Wqid) > n:
		_ = c.clunk(newfid) // the walk fails whatever this says; the number is freed on the reply
		err = plan9.ProtocolError(fmt.Sprintf("Rwalk with %d qids for %d names", len(rx.Wqid), n))
	case more && n > 0 && rx.Wqid[n-1].Type&plan9.QTDIR == 0:
		// A single Twalk would have stopped at the file: the same
		// error however the path fell into chunks.
		_ = c.clunk(newfid)
		err = errShortWalk
	}
	if err != nil {
		return 0, err
	}
	return newfid, nil
}

// clunk ends fid.
func (c *conn) clunk(fid uint32) error {
	_, err := c.rpc(&plan9.Fcall{Type: plan9.Tclunk, Fid: fid}, fid)
	return err
}

// remove removes the file of fid, which it ends whether or not that
// works (remove(5)).
func (c *conn) remove(fid uint32) error {
	_, err := c.rpc(&plan9.Fcall{Type: plan9.Tremove, Fid: fid}, fid)
	return err
}

// read reads at most len(p) bytes (and at most iounit) at off; no data
// is io.EOF.
func (c *conn) read(fid uint32, p []byte, off int64) (int, error) {
	n := min(len(p), c.iounit())
	rx, buf, err := c.exchange(&plan9.Fcall{Type: plan9.Tread, Fid: fid, Offset: uint64(off), Count: uint32(n)}, plan9.NOFID)
	if err != nil {
		return 0, err
	}
	defer putBuf(buf)
	if len(rx.Data) == 0 {
		return 0, io.EOF
	}
	if len(rx.Data) > n {
		return 0, plan9.ProtocolError("read returned more than asked")
	}
	return copy(p, rx.Data), nil
}

// write writes p at off in pieces of at most iounit; a piece the server
// takes none of is an error.
func (c *conn) write(fid uint32, p []byte, off int64) (int, error) {
	total := 0
	for first := true; first || len(p) > 0; first = false {
		n := min(len(p), c.iounit())
		rx, err := c.rpc(&plan9.Fcall{Type: plan9.Twrite, Fid: fid, Offset: uint64(off), Data: p[:n]}, plan9.NOFID)
		if err != nil {
			return total, err
		}
		got := int(rx.Count)
		if got > n || got == 0 && n > 0 {
			return total, io.ErrShortWrite
		}
		total += got
		off += int64(got)
		p = p[got:]
	}
	return total, nil
}

// stat returns the directory entry of fid.
func (c *conn) stat(fid uint32) (*plan9.Dir, error) {
	rx, err := c.rpc(&plan9.Fcall{Type: plan9.Tstat, Fid: fid}, plan9.NOFID)
	if err != nil {
		return nil, err
	}
	return plan9.UnmarshalDir(rx.Stat)
}

// wstat changes the directory entry of fid.
func (c *conn) wstat(fid uint32, d *plan9.Dir) error {
	b, err := d.Bytes()
	if err != nil {
		return err
	}
	_, err = c.rpc(&plan9.Fcall{Type: plan9.Twstat, Fid: fid, Stat: b}, plan9.NOFID)
	return err
}

// unpackDirs decodes the directory entries of a directory read.
func unpackDirs(b []byte) ([]*plan9.Dir, error) {
	var dirs []*plan9.Dir
	for len(b) > 0 {
		if len(b) < 2 {
			return dirs, io.ErrUnexpectedEOF
		}
		n := int(b[0]) | int(b[1])<<8
		if len(b) < n+2 {
			return dirs, io.ErrUnexpectedEOF
		}
		d, err := plan9.UnmarshalDir(b[:n+2])
		if err != nil {
			return dirs, err
		}
		dirs = append(dirs, d)
		b = b[n+2:]
	}
	return dirs, nil
}

// maxMsg bounds a message's size: the msize dialConn asks for, which a
// server's Rversion may only lower.
const maxMsg = 128 << 10

// readPooledMsg is readMsg into a buffer of msgBufs when the message
// fits one (buf is then that buffer, else nil).
func readPooledMsg(r io.Reader) (msg []byte, buf *[]byte, err error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, nil, err
	}
	n := binary.LittleEndian.Uint32(hdr[:])
	if n < 7 || n > maxMsg {
		return nil, nil, plan9.ProtocolError("bad message size")
	}
	if n > smallMsg && n <= pooledMsg {
		buf = msgBufs.Get().(*[]byte)
		msg = (*buf)[:n]
	} else {
		msg = make([]byte, n)
	}
	copy(msg, hdr[:])
	if _, err := io.ReadFull(r, msg[4:]); err != nil {
		putBuf(buf)
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, nil, err
	}
	return msg, buf, nil
}

// readMsg reads one 9P message: size[4] type[1] tag[2] body (intro(5)).
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
