package server

import (
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"p9mail/upasfs/mbox"
)

// A Store holds the parsed mailboxes shared by every attach of a
// server: one Box per mailbox file, parsed once and kept consistent
// with the file (DESIGN.md "The emulator"). Each attach numbers the
// messages on its own (see instance.go).
type Store struct {
	LockTimeout time.Duration // how long a rewrite waits for the mailbox locks (spec §1.8: 5 minutes)
	Ignore      []string      // header-name prefixes left out of `header` (spec §1.4)
	// IdleMessages and IdleBoxes bound the parses kept for mailboxes
	// no attach has open, so that the next session on one finds it
	// parsed when its file has not changed: their messages in all, and
	// their number (each holds its file open). Defaults
	// DefaultIdleMessages and DefaultIdleBoxes; 0 keeps none.
	IdleMessages int
	IdleBoxes    int
	// IndexDir, when set, is the directory of the mailboxes' indexes
	// (index.go, index_file.go; prepared by PrepareIndexDir): a first
	// open of a mailbox takes its parse from there when the file has
	// not changed since, or only grew. IndexMin is the fewest messages
	// a mailbox is indexed with (default DefaultIndexMin). Logf, if
	// set, gets the index's failures, which cost only speed; else they
	// go to the log package.
	IndexDir string
	IndexMin int
	Logf     func(format string, args ...any)

	scanned atomic.Int64 // bytes of mailbox files scanned (ScannedBytes)

	mu    sync.Mutex
	boxes map[string]*Box // by cleaned absolute path
	idle  []*Box          // boxes with no reference, most recently released last
	cache partCache
}

// The defaults of Store.IdleMessages and IdleBoxes: the parses of
// 200,000 messages take about 40 MB.
const (
	DefaultIdleMessages = 200000
	DefaultIdleBoxes    = 64
)

// NewStore returns an empty Store with Plan 9's lock timeout.
func NewStore() *Store {
	s := &Store{LockTimeout: 5 * time.Minute, IdleMessages: DefaultIdleMessages, IdleBoxes: DefaultIdleBoxes,
		IndexMin: DefaultIndexMin, boxes: make(map[string]*Box)}
	s.cache.max = 4096
	return s
}

// box returns the shared Box for path, creating it. Callers hold a
// reference until they call release.
func (s *Store) box(path string) *Box {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.boxes[path]
	if b == nil {
		b = &Box{store: s, path: path}
		s.boxes[path] = b
	}
	if b.refs == 0 && slices.Contains(s.idle, b) {
		s.idle = slices.DeleteFunc(s.idle, func(x *Box) bool { return x == b })
		if _, err := os.Stat(path); err != nil {
			// Removed while idle: a new open must fail as on a box
			// never seen, not find an empty mailbox.
			b.drop()
		}
	}
	b.refs++
	return b
}

// release drops a reference taken by box. A box nobody references
// keeps its parse and its open file while it is among the most
// recently released within IdleMessages; sync checks the file when it
// is used again.
func (s *Store) release(b *Box) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b.refs--
	if b.refs > 0 {
		return
	}
	s.idle = append(s.idle, b)
	total := 0
	for i := len(s.idle) - 1; i >= 0; i-- {
		x := s.idle[i]
		x.mu.Lock()
		total += len(x.msgs)
		x.mu.Unlock()
		if total > s.IdleMessages || len(s.idle)-i > s.IdleBoxes {
			// Keep the most recently released that fit.
			for _, y := range s.idle[:i+1] {
				s.forget(y)
			}
			s.idle = slices.Delete(s.idle, 0, i+1)
			break
		}
	}
}

// forget drops an unreferenced box's parse and closes its file.
// s.mu is held.
func (s *Store) forget(b *Box) {
	delete(s.boxes, b.path)
	b.drop()
}

// drop forgets the parse of a box nobody references and closes its
// file.
func (b *Box) drop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.gen != nil {
		b.gen.decRef()
		b.gen = nil
	}
	b.msgs = nil
	b.dev, b.ino, b.size, b.stamp = 0, 0, 0, 0
}

// A Box is one mailbox file as parsed.
type Box struct {
	store *Store
	path  string
	refs  int // guarded by store.mu

	mu      sync.Mutex
	gen     *fileGen // the open file the messages' locations point into
	dev     uint64   // the file as last parsed: devStamp, inode, size, mtime
	ino     uint64
	size    int64
	mtime   time.Time
	stamp   int64
	valid   bool   // the file is empty or begins "From " (decision 4)
	msgs    []*Msg // live messages in file order
	vers    uint32 // bumped on every change (qid.vers of the mailbox dir, spec §1.2)
	version uint64 // bumped on every sync that changed msgs; views compare it
}

// A Msg is one message of a Box. Its identity (the pointer) survives
// syncs while the digest matches (spec §1.3 merge by digest).
type Msg struct {
	loc   mbox.Msg // guarded by Box.mu
	gen   *fileGen // guarded by Box.mu; nil once gone and unseen
	gone  bool     // deleted or vanished from the file; guarded by Box.mu
	views int      // attaches that number it (instance.go); guarded by Box.mu

	info atomic.Pointer[[]byte] // the info file, once made (fixed by the digest)
}

// location returns where m's bytes are now, with a reference on the
// file that the caller must drop with gen.decRef.
func (b *Box) location(m *Msg) (mbox.Msg, *fileGen, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if m.gen == nil {
		// Deleted: its number is gone (spec §1.3).
		return mbox.Msg{}, nil, errNoFile
	}
	m.gen.incRef()
	return m.loc, m.gen, nil
}

// A fileGen is one open generation of a mailbox file. A rewrite makes
// a new generation; readers that opened a file of a message keep the
// old one open, so their reads stay consistent (the role of 4e's
// deferred purge, spec §1.8).
type fileGen struct {
	f    *os.File
	refs atomic.Int32
}

func newGen(f *os.File) *fileGen {
	g := &fileGen{f: f}
	g.refs.Store(1)
	return g
}

func (g *fileGen) incRef() { g.refs.Add(1) }

func (g *fileGen) decRef() {
	if g.refs.Add(-1) == 0 {
		g.f.Close()
	}
}

func (g *fileGen) ReadAt(p []byte, off int64) (int, error) { return g.f.ReadAt(p, off) }

// errNoFile is Plan 9's text for a missing file (decision 3).
var errNoFile = errors.New("file does not exist")

// openFile opens the mailbox file, first finishing an interrupted
// rewrite (spec §1.8) when only <path>.tmp is there.
func (b *Box) openFile() (*os.File, error) {
	f, err := os.Open(b.path)
	if err == nil {
		return f, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if _, terr := os.Stat(b.path + ".tmp"); terr != nil {
		return nil, errNoFile
	}
	l, lerr := mbox.Lock(b.path, b.store.LockTimeout)
	if lerr != nil {
		return nil, lerr
	}
	rerr := mbox.Recover(b.path)
	l.Unlock()
	if rerr != nil {
		return nil, rerr
	}
	f, err = os.Open(b.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoFile
	}
	return f, err
}

// sync brings the Box up to date with its file (spec §1.7): nothing
// if the file is unchanged, an incremental scan when it only grew,
// otherwise a full rescan merged by digest. b.mu is held.
func (b *Box) sync() error {
	st, err := os.Stat(b.path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if _, terr := os.Stat(b.path + ".tmp"); terr != nil {
			if b.gen == nil {
				return errNoFile
			}
			// The file went away: every message vanished.
			b.replace(nil, nil)
			return nil
		}
	}
	if st != nil && b.gen == nil && b.store.IndexDir != "" {
		// A first open: the parse recorded in the index, if it still
		// describes the file (fromIndex); then on as over an idle parse.
		if ist := b.fromIndex(); ist != nil {
			st = ist
		}
	}
	if st != nil && b.gen != nil && inode(st) == b.ino && st.Size() == b.size && st.ModTime().Equal(b.mtime) {
		return nil
	}
	if st != nil {
		st = b.recoverTorn(st)
	}
	if st != nil && b.gen != nil && inode(st) == b.ino {
		switch {
		case st.Size() == b.size && st.ModTime().Equal(b.mtime):
			return nil
		case st.Size() > b.size && b.valid:
			return b.indexed(b.grow(st))
		}
	}
	return b.indexed(b.rescan())
}

// recoverTorn looks, when the file has changed, for the record of an
// append cut short (mbox.Intent): if one is there and the mailbox's
// locks are free at once (its writer is dead, not still writing), the
// torn tail is removed (mbox.Recover) before the file is parsed, so that
// no reader takes it for mail. It returns the file's new stat, or st.
func (b *Box) recoverTorn(st os.FileInfo) os.FileInfo {
	if _, err := os.Stat(mbox.IntentPath(b.path)); err != nil {
		return st
	}
	l, err := mbox.Lock(b.path, 0)
	if err != nil {
		return st // a live writer: it will finish or be recovered later
	}
	rerr := mbox.Recover(b.path)
	uerr := l.Unlock()
	if rerr != nil || uerr != nil {
		return st
	}
	if nst, err := os.Stat(b.path); err == nil {
		return nst
	}
	return st
}

// indexed saves the index after a parse that succeeded, and returns err.
func (b *Box) indexed(err error) error {
	if err == nil {
		b.saveIndex()
	}
	return err
}

// setStat records st as the file the parse describes.
func (b *Box) setStat(st os.FileInfo) {
	b.ino, b.size, b.mtime = inode(st), st.Size(), st.ModTime()
	b.dev, b.stamp = devStamp(st)
}

// grow parses what was appended to the same file, from the last known
// message on (its end moves when data follows it).
func (b *Box) grow(st os.FileInfo) error {
	var from int64
	keep := len(b.msgs)
	if keep > 0 {
		keep--
		from = b.msgs[keep].loc.Off
	}
	if keep == 0 && len(b.msgs) == 0 && b.size > 0 {
		// Data but no message: the file did not begin "From ".
		return b.rescan()
	}
	if keep > 0 && !(b.unchanged(b.msgs[0]) && b.unchanged(b.msgs[keep-1])) {
		// Rewritten in place, not appended to (say, a backup copied
		// over it): its first or last known message is not what it
		// was. Plan 9's upas/fs would take the file's new end for new
		// mail here.
		return b.rescan()
	}
	r := io.NewSectionReader(b.gen.f, from, 1<<62)
	locs, err := mbox.Scan(b.store.scanReader(r), from)
	if err != nil {
		return fmt.Errorf("scan %s: %w", b.path, err)
	}
	if b.size == 0 {
		ok, err := mbox.IsMbox(b.gen.f)
		if err != nil {
			return err
		}
		b.valid = ok
		if !ok {
			locs = nil
		}
	}
	msgs := append([]*Msg(nil), b.msgs[:keep]...)
	old := b.msgs[keep:]
	if len(old) == 1 && len(locs) > 0 && sameLastMessage(old[0].loc, locs[0]) {
		// The last message had no newline at its end (it lost its own
		// final newline, spec p9p §3.1) and the deliverer added the
		// missing one before the new mail: the message did not change,
		// so it keeps its bytes and digest, and its number.
		locs[0] = old[0].loc
	}
	b.merge(msgs, old, locs, b.gen)
	b.setStat(st)
	return nil
}

// unchanged reports whether m's bytes are still in the file where the
// parse found them: their SHA-1 is m's digest. A message over
// maxVerify bytes is only checked to begin with its From line, so that
// new mail behind a large one costs no full read of it.
func (b *Box) unchanged(m *Msg) bool { return unchangedAt(b.gen.f, m.loc) }

// unchangedAt is unchanged for the message at loc in f.
func unchangedAt(f io.ReaderAt, loc mbox.Msg) bool {
	if loc.Len > maxVerify {
		var from [5]byte
		n, _ := f.ReadAt(from[:], loc.Off)
		return n == len(from) && string(from[:]) == "From "
	}
	h := sha1.New()
	n, err := io.Copy(h, io.NewSectionReader(f, loc.Off, loc.Len))
	return err == nil && n == loc.Len && [20]byte(h.Sum(nil)) == loc.Digest
}

// maxVerify bounds the messages unchanged hashes.
const maxVerify = 1 << 20

// bury marks m deleted. An attach that still numbers it can go on
// reading it from the old file until it looks at the mailbox again, as
// 4e keeps a deleted message while it is referenced (spec §1.8): a
// client's FETCH that raced another client's EXPUNGE still gets its
// data. b.mu is held.
func (b *Box) bury(m *Msg) {
	if m.gone {
		return
	}
	m.gone = true
	b.store.cache.forget(m)
	if m.views > 0 && m.gen != nil {
		m.gen.incRef() // m's own reference on the old file
		return
	}
	m.gen = nil
}

// view and unview count the attaches that number ms; the last to stop
// lets a buried message's old file go.
func (b *Box) view(ms []*Msg) {
	if len(ms) == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range ms {
		m.views++
	}
}

func (b *Box) unview(ms []*Msg) {
	if len(ms) == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range ms {
		m.views--
		if m.views == 0 && m.gone && m.gen != nil {
			m.gen.decRef()
			m.gen = nil
		}
	}
}

// sameLastMessage reports whether now is was with one more newline at
// its end: a last message whose file gained the missing newline.
func sameLastMessage(was, now mbox.Msg) bool {
	return now.Off == was.Off && now.Len == was.Len+1 && now.HdrLen == was.HdrLen && now.FromLen == was.FromLen
}

// rescan reads the whole file again, as a new generation, and merges
// the result with the messages known so far by digest (spec §1.3).
func (b *Box) rescan() error {
	f, err := b.openFile()
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	valid, err := mbox.IsMbox(f)
	if err != nil {
		f.Close()
		return err
	}
	var locs []mbox.Msg
	if valid {
		locs, err = mbox.Scan(b.store.scanReader(io.NewSectionReader(f, 0, st.Size())), 0)
		if err != nil {
			f.Close()
			return fmt.Errorf("scan %s: %w", b.path, err)
		}
	}
	g := newGen(f)
	b.replace(locs, g)
	b.valid = valid
	b.setStat(st)
	return nil
}

// replace makes locs in generation g the Box's messages.
func (b *Box) replace(locs []mbox.Msg, g *fileGen) {
	old := b.msgs
	b.merge(nil, old, locs, g)
	if b.gen != nil {
		b.gen.decRef()
	}
	b.gen = g
	if g == nil {
		b.dev, b.ino, b.size, b.stamp = 0, 0, 0, 0
	}
}

// merge sets b.msgs to keep followed by locs, reusing the Msg of an
// old message with the same digest, in order, so numbers survive;
// old messages left unmatched are gone.
func (b *Box) merge(keep, old []*Msg, locs []mbox.Msg, g *fileGen) {
	byDigest := make(map[[20]byte][]*Msg, len(old))
	for _, m := range old {
		byDigest[m.loc.Digest] = append(byDigest[m.loc.Digest], m)
	}
	changed := len(old) != len(locs)
	msgs := keep
	for _, loc := range locs {
		var m *Msg
		if q := byDigest[loc.Digest]; len(q) > 0 {
			m, byDigest[loc.Digest] = q[0], q[1:]
			if m.loc != loc {
				changed = true
			}
		} else {
			m = new(Msg)
			changed = true
		}
		m.loc, m.gen = loc, g
		msgs = append(msgs, m)
	}
	for _, q := range byDigest {
		for _, m := range q {
			b.bury(m)
		}
	}
	b.msgs = msgs
	if changed {
		b.vers++
		b.version++
	}
}
