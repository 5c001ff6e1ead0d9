package server

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"sync"
	"sync/atomic"
	"time"

	"9fans.net/go/plan9"
	"9fans.net/go/plan9/srv9p"

	"p9mail/ninep"
	"p9mail/upasfs/mbox"
)

// The "box" attach serves the user's mail directory as a plain file
// tree: what imap4d reads and writes beside the mailboxes (`.imp`,
// `imap.subscribed`, new mailbox files, appended mail). ninep.Local
// keeps every name inside the directory (decision 11) and gives L.*
// files Plan 9's exclusive-use semantics (spec §1.8, §2.11).

// plan9Err gives the client Plan 9's bare error text (decision 3), not
// the host-side wrapping with the path.
func plan9Err(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case err == nil:
		return nil
	case ninep.IsLocked(err):
		return errors.New("file locked")
	case ninep.IsNotExist(err):
		return errNoFile
	case ninep.IsPermission(err):
		return errPerm
	}
	return err
}

// A boxTree is one attach's view of a mail directory.
type boxTree struct {
	fs   ninep.FS
	refs atomic.Int32 // fids on the tree; the last clunk closes fs
}

// A boxFid is a fid of the box tree: a path, and the file once opened.
type boxFid struct {
	t      *boxTree
	path   string // relative to the mail directory; "" is its root
	f      ninep.File
	isDir  bool
	listed []*plan9.Dir
	mu     sync.Mutex
}

// closeFile closes the open file, if any.
func (b *boxFid) closeFile() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.f != nil {
		b.f.Close()
		b.f = nil
	}
}

// close is the clunk: the file and the fid's reference on the tree.
func (b *boxFid) close() {
	b.closeFile()
	if b.t.refs.Add(-1) == 0 {
		b.t.fs.Close()
	}
}

func (s *Server) attachBox(fid *srv9p.Fid, home string) (plan9.Qid, error) {
	if st, err := os.Stat(home); err != nil || !st.IsDir() {
		return plan9.Qid{}, errNoFile
	}
	fs, err := ninep.LocalWith(home, BoxOptions())
	if err != nil {
		return plan9.Qid{}, err
	}
	t := &boxTree{fs: fs}
	d, err := fs.Stat("")
	if err != nil {
		fs.Close()
		return plan9.Qid{}, err
	}
	t.refs.Store(1)
	fid.SetAux(&fidState{bf: &boxFid{t: t, isDir: true}})
	return d.Qid, nil
}

func (s *Server) walkBox(fid, newfid *srv9p.Fid, names []string) ([]plan9.Qid, error) {
	clone := func(old, nw *srv9p.Fid) error {
		o := state(old).bf
		o.t.refs.Add(1)
		nw.SetAux(&fidState{bf: &boxFid{t: o.t, path: o.path, isDir: o.isDir}})
		return nil
	}
	walk1 := func(f *srv9p.Fid, elem string) (plan9.Qid, error) {
		bf := state(f).bf
		p := path.Join(bf.path, elem)
		if elem == ".." && bf.path == "" {
			p = ""
		}
		d, err := bf.t.fs.Stat(p)
		if err != nil {
			return plan9.Qid{}, plan9Err(err)
		}
		bf.path, bf.isDir = p, d.Qid.Type&plan9.QTDIR != 0
		return d.Qid, nil
	}
	if fid == newfid && len(names) > 1 {
		return nil, errors.New("multiwalk without clone")
	}
	return srv9p.Walk(fid, newfid, names, clone, walk1)
}

func (s *Server) openBox(fid *srv9p.Fid, mode uint8) error {
	bf := state(fid).bf
	f, err := bf.t.fs.Open(bf.path, mode)
	if err != nil {
		return plan9Err(err)
	}
	bf.mu.Lock()
	bf.f = f
	bf.mu.Unlock()
	return nil
}

func (s *Server) createBox(fid *srv9p.Fid, name string, perm plan9.Perm, mode uint8) (plan9.Qid, error) {
	bf := state(fid).bf
	if name == "." || name == ".." || name == "" {
		return plan9.Qid{}, errPerm
	}
	p := path.Join(bf.path, name)
	f, err := bf.t.fs.Create(p, mode, perm)
	if err != nil {
		return plan9.Qid{}, plan9Err(err)
	}
	d, err := f.Stat()
	if err != nil {
		f.Close()
		return plan9.Qid{}, err
	}
	bf.mu.Lock()
	bf.path, bf.f, bf.isDir = p, f, d.Qid.Type&plan9.QTDIR != 0
	bf.mu.Unlock()
	fid.SetQid(d.Qid)
	return d.Qid, nil
}

func (s *Server) readBox(fid *srv9p.Fid, data []byte, off int64) (int, error) {
	bf := state(fid).bf
	if bf.isDir {
		if off == 0 {
			ents, err := bf.t.fs.ReadDir(bf.path)
			if err != nil {
				return 0, plan9Err(err)
			}
			bf.listed = ents
		}
		return fid.ReadDir(data, off, func(i int, d *plan9.Dir) bool {
			if i >= len(bf.listed) {
				return false
			}
			*d = *bf.listed[i]
			return true
		})
	}
	n, err := bf.f.ReadAt(data, off)
	if err == io.EOF {
		err = nil
	}
	return n, plan9Err(err)
}

func (s *Server) writeBox(fid *srv9p.Fid, data []byte, off int64) (int, error) {
	n, err := state(fid).bf.f.WriteAt(data, off)
	return n, plan9Err(err)
}

func (s *Server) statBox(fid *srv9p.Fid) (*plan9.Dir, error) {
	bf := state(fid).bf
	d, err := bf.t.fs.Stat(bf.path)
	return d, plan9Err(err)
}

func (s *Server) wstatBox(fid *srv9p.Fid, d *plan9.Dir) error {
	bf := state(fid).bf
	return plan9Err(bf.t.fs.Wstat(bf.path, d))
}

func (s *Server) removeBox(fid *srv9p.Fid) error {
	bf := state(fid).bf
	if bf.path == "" {
		return errPerm
	}
	bf.closeFile()
	return plan9Err(bf.t.fs.Remove(bf.path))
}

// BoxLockTimeout bounds how long an append through a mail directory
// waits for a Unix delivery agent's dotlock or fcntl lock.
const BoxLockTimeout = 30 * time.Second

// BoxOptions are the options of a mail directory served as a file tree
// (the box attach, and the front ends' host directory): a mailbox file
// written under the directory's L.mbox also takes the Unix dotlock and
// fcntl lock (mbox.LockUnix), so that appends by IMAP exclude Unix
// delivery agents as upasfs's rewrites do (the crash campaign lost
// deliveries without it; docs/campaign.md).
func BoxOptions() ninep.LocalOptions {
	return ninep.LocalOptions{MailboxLock: func(p string) (io.Closer, error) {
		return mbox.LockUnix(p, BoxLockTimeout)
	}}
}
