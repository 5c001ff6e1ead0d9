// Package server is the upasfs(4) emulator: a 9P file server that
// shows the mbox files under <root>/box/<user>/ as the 4th-edition
// upasfs tree (spec §1.2–§1.8), one private instance per attach.
//
// Attach names: "" serves the upasfs tree; "box" serves the user's
// mail directory as a plain read/write file tree (boxtree.go), so a
// front end on another host needs nothing but 9P.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"9fans.net/go/plan9"
	"9fans.net/go/plan9/srv9p"

	"p9mail/upasfs/mime"
)

// Config says what a Server serves.
type Config struct {
	Root string // the mail root: holds box/<user>/
	// File is opened as "mbox" in every new attach (upas/fs -f): an
	// absolute host path, or a name in the user's mail directory.
	// Empty means the user's "mbox".
	File string
	// NoOpen opens no mailbox at attach (upas/fs -n).
	NoOpen bool
	// User, when set, is the only user who may attach (as a real
	// upas/fs accepts only its owner, spec §1.1).
	User string
	// Index, when set, is the directory of the mailboxes' indexes
	// (Store.IndexDir), made by New if missing (PrepareIndexDir).
	// Empty keeps none: every first open parses the whole file.
	Index string
}

// A Server serves the emulator over any number of 9P connections.
type Server struct {
	cfg   Config
	store *Store
}

// New returns a Server for cfg.
func New(cfg Config) (*Server, error) {
	root, err := filepath.Abs(cfg.Root)
	if err != nil {
		return nil, err
	}
	cfg.Root = root
	st := NewStore()
	if cfg.Index != "" {
		if err := PrepareIndexDir(cfg.Index); err != nil {
			return nil, err
		}
		if st.IndexDir, err = filepath.Abs(cfg.Index); err != nil {
			return nil, err
		}
	}
	return &Server{cfg: cfg, store: st}, nil
}

// Store returns the server's shared mailbox store, for settings.
func (s *Server) Store() *Store { return s.store }

// Srv9p returns a srv9p.Server that serves s; trace, if non-nil, gets
// a 9P trace (upas/fs -d).
func (s *Server) Srv9p(trace io.Writer) *srv9p.Server {
	return &srv9p.Server{
		Attach: s.attach,
		Walk:   s.walk,
		Open:   s.open,
		Create: s.create,
		Read:   s.read,
		Write:  s.write,
		Stat:   s.stat,
		Wstat:  s.wstat,
		Remove: s.remove,
		Clunk:  s.clunk,
		Msize:  128*1024 + plan9.IOHDRSZ,
		Trace:  trace,
	}
}

var errUser = errors.New("permission denied")

// home returns the user's mail directory, refusing names that are not
// a single path element.
func (s *Server) home(user string) (string, error) {
	if user == "" || user == "." || user == ".." || strings.ContainsAny(user, "/\\\x00") {
		return "", errUser
	}
	if s.cfg.User != "" && user != s.cfg.User {
		return "", errUser
	}
	return filepath.Join(s.cfg.Root, "box", user), nil
}

func (s *Server) attach(ctx context.Context, fid, afid *srv9p.Fid, user, aname string) (plan9.Qid, error) {
	home, err := s.home(user)
	if err != nil {
		return plan9.Qid{}, err
	}
	switch aname {
	case "box":
		return s.attachBox(fid, home)
	case "", "mbox":
	default:
		return plan9.Qid{}, srv9p.Ebadattach
	}
	in := &instance{srv: s, user: user, home: home}
	if !s.cfg.NoOpen {
		path := s.cfg.File
		if path == "" {
			path = "mbox"
		}
		if err := in.open(path, "mbox"); err != nil && err != errNoFile {
			return plan9.Qid{}, fmt.Errorf("opening mailbox: %v", err)
		}
	}
	n := &node{in: in, kind: kTop}
	in.refs.Store(1)
	fid.SetAux(&fidState{n: n})
	return n.qid(), nil
}

// fidState is a fid's aux: a node of the upasfs tree, or of the "box"
// tree. Every fid holds a reference on its instance.
type fidState struct {
	n  *node
	bf *boxFid // for the "box" tree
}

func state(fid *srv9p.Fid) *fidState {
	st, _ := fid.Aux().(*fidState)
	return st
}

func (s *Server) walk(ctx context.Context, fid, newfid *srv9p.Fid, names []string) ([]plan9.Qid, error) {
	st := state(fid)
	if st.bf != nil {
		return s.walkBox(fid, newfid, names)
	}
	clone := func(old, nw *srv9p.Fid) error {
		c := *state(old).n
		c.r, c.gen, c.listed = nil, nil, nil
		c.in.refs.Add(1)
		nw.SetAux(&fidState{n: &c})
		return nil
	}
	walk1 := func(f *srv9p.Fid, elem string) (plan9.Qid, error) {
		fs := state(f)
		c, err := fs.n.walk1(elem)
		if err != nil {
			return plan9.Qid{}, err
		}
		fs.n = c
		return c.qid(), nil
	}
	if fid == newfid && len(names) > 1 {
		return nil, errors.New("multiwalk without clone")
	}
	return srv9p.Walk(fid, newfid, names, clone, walk1)
}

func (s *Server) open(ctx context.Context, fid *srv9p.Fid, mode uint8) error {
	st := state(fid)
	if st.bf != nil {
		return s.openBox(fid, mode)
	}
	n := st.n
	if n.kind != kCtl && (mode&3 != plan9.OREAD || mode&plan9.OTRUNC != 0) {
		return errPerm
	}
	switch n.kind {
	case kCtl:
		return nil
	case kTop, kBox, kMsg:
		return nil // listed at the read at offset 0
	}
	r, size, g, err := n.content(mime.Files[n.file])
	if err != nil {
		return plan9Err(err)
	}
	n.r, n.size, n.gen = r, size, g
	return nil
}

func (s *Server) create(ctx context.Context, fid *srv9p.Fid, name string, perm plan9.Perm, mode uint8) (plan9.Qid, error) {
	if state(fid).bf != nil {
		return s.createBox(fid, name, perm, mode)
	}
	return plan9.Qid{}, errPerm
}

func (s *Server) read(ctx context.Context, fid *srv9p.Fid, data []byte, off int64) (int, error) {
	st := state(fid)
	if st.bf != nil {
		return s.readBox(fid, data, off)
	}
	n := st.n
	switch n.kind {
	case kCtl:
		return 0, nil
	case kTop, kBox, kMsg:
		if off == 0 {
			ents, err := n.dirents()
			if err != nil {
				return 0, err
			}
			n.listed = ents
		}
		return fid.ReadDir(data, off, func(i int, d *plan9.Dir) bool {
			if i >= len(n.listed) {
				return false
			}
			*d = n.listed[i]
			return true
		})
	}
	if off >= n.size {
		return 0, nil
	}
	if rem := n.size - off; int64(len(data)) > rem {
		data = data[:rem]
	}
	m, err := n.r.ReadAt(data, off)
	if err == io.EOF {
		err = nil
	}
	return m, plan9Err(err)
}

func (s *Server) write(ctx context.Context, fid *srv9p.Fid, data []byte, off int64) (int, error) {
	st := state(fid)
	if st.bf != nil {
		return s.writeBox(fid, data, off)
	}
	if st.n.kind != kCtl {
		return 0, errPerm
	}
	if err := st.n.in.ctl(data); err != nil {
		return 0, err
	}
	return len(data), nil
}

func (s *Server) stat(ctx context.Context, fid *srv9p.Fid) (*plan9.Dir, error) {
	st := state(fid)
	if st.bf != nil {
		return s.statBox(fid)
	}
	n := st.n
	if n.kind == kBox {
		// A stat of a mailbox directory syncs it (spec §1.7).
		if err := n.ob.refresh(); err != nil && err != errNoFile {
			return nil, err
		}
	}
	return n.stat()
}

func (s *Server) wstat(ctx context.Context, fid *srv9p.Fid, d *plan9.Dir) error {
	if st := state(fid); st.bf != nil {
		return s.wstatBox(fid, d)
	}
	return errPerm
}

// remove: Tremove of a message directory or of any file in it deletes
// the message (spec §1.8); of anything else it does nothing.
func (s *Server) remove(ctx context.Context, fid *srv9p.Fid) error {
	st := state(fid)
	if st.bf != nil {
		return s.removeBox(fid)
	}
	n := st.n
	if (n.kind == kMsg || n.kind == kFile) && len(n.part) == 0 {
		return n.ob.box.remove([]*Msg{n.m})
	}
	return nil
}

func (s *Server) clunk(fid *srv9p.Fid) {
	st := state(fid)
	if st == nil {
		return
	}
	if st.bf != nil {
		st.bf.close()
		return
	}
	if st.n.gen != nil {
		st.n.gen.decRef()
		st.n.gen = nil
	}
	if st.n.in.refs.Add(-1) == 0 {
		st.n.in.closeAll()
	}
}
