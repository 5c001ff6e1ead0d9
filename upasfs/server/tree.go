package server

import (
	"io"
	"strconv"
	"strings"
	"time"

	"9fans.net/go/plan9"

	"p9mail/upasfs/mime"
)

// File types in qid paths, as 4e numbers them (spec §1.2;
// p9p-upasfs.md §2): the 25 message files are 0..24 in mime.Files
// order.
const (
	qTop   = 26
	qBox   = 27
	qMsg   = 28
	qCtl   = 29
	noFile = -1
)

type kind int

const (
	kTop kind = iota
	kCtl
	kBox
	kMsg // a message or a MIME part directory
	kFile
)

// A node is what a fid of the upasfs tree points at.
type node struct {
	in   *instance
	kind kind
	ob   *openBox // kBox and below
	m    *Msg     // kMsg and kFile
	num  int      // message number
	part []int    // sub-part path below the message, e.g. [2 1]
	file int      // index into mime.Files for kFile

	// Set by open.
	r      io.ReaderAt
	size   int64
	gen    *fileGen // held while open, dropped by clunk
	listed []plan9.Dir
}

// walk1 steps n to the child called elem, with 4e's walk quirk: a name
// not found that has a '.' after its first byte is cut at that '.' and
// tried again (spec §1.2).
func (n *node) walk1(elem string) (*node, error) {
	if elem == ".." {
		return n.parent(), nil
	}
	c, err := n.child(elem)
	if err == errNoFile {
		if i := strings.IndexByte(elem, '.'); i > 0 {
			c, err = n.child(elem[:i])
		}
	}
	return c, err
}

func (n *node) parent() *node {
	p := &node{in: n.in, kind: kTop}
	switch n.kind {
	case kMsg, kFile:
		p.kind, p.ob, p.m, p.num, p.part = kMsg, n.ob, n.m, n.num, n.part
		if n.kind == kMsg {
			if len(n.part) == 0 {
				p.kind, p.m, p.num = kBox, nil, 0
			} else {
				p.part = n.part[:len(n.part)-1]
			}
		}
	}
	return p
}

func (n *node) child(elem string) (*node, error) {
	switch n.kind {
	case kTop:
		if elem == "ctl" {
			return &node{in: n.in, kind: kCtl}, nil
		}
		if ob := n.in.lookup(elem); ob != nil {
			return &node{in: n.in, kind: kBox, ob: ob}, nil
		}
	case kBox:
		num, err := strconv.Atoi(elem)
		if err != nil || num <= 0 || strconv.Itoa(num) != elem {
			return nil, errNoFile
		}
		if m := n.ob.message(num); m != nil {
			return &node{in: n.in, kind: kMsg, ob: n.ob, m: m, num: num}, nil
		}
	case kMsg:
		for i, f := range mime.Files {
			if f == elem {
				return &node{in: n.in, kind: kFile, ob: n.ob, m: n.m, num: n.num, part: n.part, file: i}, nil
			}
		}
		k, err := strconv.Atoi(elem)
		if err != nil || k <= 0 || strconv.Itoa(k) != elem {
			return nil, errNoFile
		}
		p, g, err := n.ob.box.parse(n.m)
		if err != nil {
			return nil, errNoFile
		}
		g.decRef()
		path := append(append([]int(nil), n.part...), k)
		if p.Lookup(path) == nil {
			return nil, errNoFile
		}
		return &node{in: n.in, kind: kMsg, ob: n.ob, m: n.m, num: n.num, part: path}, nil
	}
	return nil, errNoFile
}

// qid returns n's qid: path = id<<32 | part index<<8 | file type.
func (n *node) qid() plan9.Qid {
	switch n.kind {
	case kTop:
		return plan9.Qid{Path: qTop, Type: plan9.QTDIR}
	case kCtl:
		return plan9.Qid{Path: qCtl}
	case kBox:
		n.ob.box.mu.Lock()
		vers := n.ob.box.vers
		n.ob.box.mu.Unlock()
		return plan9.Qid{Path: n.ob.id<<32 | qBox, Vers: vers, Type: plan9.QTDIR}
	}
	path := n.ob.msgID(n.m)<<32 | uint64(n.partIndex())<<8
	if n.kind == kMsg {
		return plan9.Qid{Path: path | qMsg, Type: plan9.QTDIR}
	}
	return plan9.Qid{Path: path | uint64(n.file)}
}

// partIndex numbers n's part in depth-first order (the message is 0).
func (n *node) partIndex() int {
	if len(n.part) == 0 {
		return 0
	}
	p, g, err := n.ob.box.parse(n.m)
	if err != nil {
		return 0
	}
	g.decRef()
	idx := 0
	for _, k := range n.part {
		for _, sib := range p.Parts[:k-1] {
			idx += countParts(sib)
		}
		idx++
		p = p.Parts[k-1]
	}
	return idx
}

func countParts(p *mime.Part) int {
	c := 1
	for _, q := range p.Parts {
		c += countParts(q)
	}
	return c
}

// stat returns n's directory entry (spec §1.2: message files and dirs
// carry the mailbox file's mtime, the root and ctl the current time).
func (n *node) stat() (*plan9.Dir, error) {
	u := n.in.user
	d := &plan9.Dir{Qid: n.qid(), Uid: u, Gid: u, Muid: u}
	now := uint32(time.Now().Unix())
	d.Atime, d.Mtime = now, now
	switch n.kind {
	case kTop:
		d.Name, d.Mode = "/", plan9.DMDIR|0555
		return d, nil
	case kCtl:
		d.Name, d.Mode = "ctl", 0666
		return d, nil
	case kBox:
		d.Name, d.Mode = n.ob.name, plan9.DMDIR|0555
	case kMsg:
		d.Name, d.Mode = strconv.Itoa(n.num), plan9.DMDIR|0555
		if len(n.part) > 0 {
			d.Name = strconv.Itoa(n.part[len(n.part)-1])
		}
	case kFile:
		d.Name, d.Mode = mime.Files[n.file], 0444
		size, err := n.contentSize()
		if err != nil {
			return nil, err
		}
		d.Length = uint64(size)
	}
	b := n.ob.box
	b.mu.Lock()
	mt := uint32(b.mtime.Unix())
	b.mu.Unlock()
	d.Atime, d.Mtime = mt, mt
	return d, nil
}

// contentSize is the stat length of a file. As in 4e, `body` reports
// the undecoded length (spec §1.4: decoding happens at open).
func (n *node) contentSize() (int64, error) {
	name := mime.Files[n.file]
	if name == "body" {
		name = "rawbody"
	}
	_, size, g, err := n.content(name)
	if g != nil {
		g.decRef()
	}
	return size, err
}

// dirents lists a directory node's children in upasfs order (spec §1.2).
// boxEntries is dirents of a mailbox directory: the entry of each
// message directory, as its node's stat would give it, made in one pass
// (a mailbox is listed at every SELECT and poll).
func (n *node) boxEntries() []plan9.Dir {
	nums, _, ids := n.ob.listing()
	b := n.ob.box
	b.mu.Lock()
	mt := uint32(b.mtime.Unix())
	b.mu.Unlock()
	u := n.in.user
	ents := make([]plan9.Dir, len(nums))
	for i, num := range nums {
		ents[i] = plan9.Dir{
			Qid:  plan9.Qid{Path: ids[i]<<32 | qMsg, Type: plan9.QTDIR},
			Mode: plan9.DMDIR | 0555, Atime: mt, Mtime: mt,
			Name: strconv.Itoa(num), Uid: u, Gid: u, Muid: u,
		}
	}
	return ents
}

func (n *node) dirents() ([]plan9.Dir, error) {
	var kids []*node
	switch n.kind {
	case kTop:
		kids = append(kids, &node{in: n.in, kind: kCtl})
		for _, ob := range n.in.list() {
			kids = append(kids, &node{in: n.in, kind: kBox, ob: ob})
		}
	case kBox:
		if err := n.ob.refresh(); err != nil && err != errNoFile {
			return nil, err
		}
		return n.boxEntries(), nil
	case kMsg:
		for i := range mime.Files {
			kids = append(kids, &node{in: n.in, kind: kFile, ob: n.ob, m: n.m, num: n.num, part: n.part, file: i})
		}
		p, g, err := n.ob.box.parse(n.m)
		if err != nil {
			return nil, err
		}
		g.decRef()
		if len(n.part) > 0 {
			p = p.Lookup(n.part)
		}
		for k := range p.Parts {
			path := append(append([]int(nil), n.part...), k+1)
			kids = append(kids, &node{in: n.in, kind: kMsg, ob: n.ob, m: n.m, num: n.num, part: path})
		}
	}
	ents := make([]plan9.Dir, 0, len(kids))
	for _, k := range kids {
		d, err := k.stat()
		if err != nil {
			continue // a message deleted meanwhile
		}
		ents = append(ents, *d)
	}
	return ents, nil
}
