package pop3

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"

	"9fans.net/go/plan9"

	"p9mail/ninep"
	"p9mail/protocol/index"
	"p9mail/protocol/mailfs"
	"p9mail/upasfs"
)

// errInUse: another session holds the maildrop (RFC 1939 §8, RFC 2449
// IN-USE).
var errInUse = errors.New("maildrop in use")

// A maildrop is an authenticated session's view of the user's mailbox:
// a snapshot of its messages at login (spec §3.3; mail that arrives
// later is shown to the next session), their deletion marks, and the
// lock that keeps other sessions out.
type maildrop struct {
	user string
	file string // mailbox file name in the user's mail directory
	ns   *ninep.NS
	fs   *upasfs.Client
	box  string     // the session's upasfs mailbox name
	lock ninep.File // L.pop3.<file>, exclusive-use while open
	msgs []*message
}

type message struct {
	num       int    // upasfs message number
	uidl      string // digest, ".k" for later duplicates (decision 15)
	size      int64  // octets RETR sends, before dot-stuffing (decision 16)
	stored    int64  // octets of raw, so RETR reads no further (one 9P read less)
	deleted   bool   // marked by DELE
	committed bool   // deleted from the mailbox by SYNC
}

var boxSeq atomic.Int64

// openMaildrop builds user's name space, takes the maildrop lock and
// reads the message list, digests and sizes.
func openMaildrop(srv *Server, user, file string) (*maildrop, error) {
	ns, err := srv.cfg.Source.Namespace(user)
	if err != nil {
		return nil, err
	}
	d := &maildrop{user: user, file: file, ns: ns, fs: upasfs.New(ns, mailfs.FSDir)}
	// One session at a time: an exclusive-use lock file beside the
	// mailbox, released however the session ends (the 9P clunk or the
	// process exit drops it).
	lockName := mailfs.MboxPath(user, "L.pop3."+file)
	// It stays; private (Plan 9's pop3 had none, spec §3), masked by
	// the mail directory's bits as create(5) does.
	d.lock, err = mailfs.Create(ns, lockName, plan9.ORDWR, plan9.DMEXCL|0600)
	if err != nil {
		ns.Close()
		if ninep.IsLocked(err) {
			return nil, errInUse
		}
		return nil, fmt.Errorf("lock: %w", err)
	}
	d.box = fmt.Sprintf("pop3.%d.%d", os.Getpid(), boxSeq.Add(1))
	before, _ := ns.Stat(mailfs.MboxPath(user, file)) // for the digest cache
	if err := d.fs.Open(mailfs.MboxPath(user, file), d.box); err != nil {
		d.box = "" // nothing to close in upasfs
		if ninep.IsNotExist(err) {
			// No mailbox file yet: an empty maildrop, still locked.
			return d, nil
		}
		d.close()
		return nil, fmt.Errorf("open mailbox: %w", err)
	}
	if err := d.load(srv, before); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// load reads the message numbers, the digests (UIDL) and the sizes,
// many requests in flight (DESIGN.md "Speed").
func (d *maildrop) load(srv *Server, before *plan9.Dir) error {
	cache := &srv.sizes
	nums, err := d.fs.List(d.box)
	if err != nil {
		return fmt.Errorf("list: %w", err)
	}
	digests, err := srv.digests.Digests(d.ns, d.fs, mailfs.MboxPath(d.user, d.file), d.box, before, nums)
	if err != nil {
		return fmt.Errorf("digests: %w", err)
	}
	seen := make(map[string]int)
	var msgs []*message
	for i, dg := range digests {
		if dg == "" {
			continue // vanished meanwhile
		}
		uidl := dg
		seen[uidl]++
		if k := seen[uidl]; k > 1 {
			uidl += "." + strconv.Itoa(k)
		}
		msgs = append(msgs, &message{num: nums[i], uidl: uidl, size: -1})
		if sz, ok := cache.Get(dg); ok {
			msgs[len(msgs)-1].size, msgs[len(msgs)-1].stored = sz.wire, sz.stored
		}
	}
	x := srv.indexFile(d.user, d.file)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	var measured []index.Record
	sem := make(chan struct{}, 16)
	for _, m := range msgs {
		if m.size < 0 && x != nil {
			dg := m.uidl[:min(len(m.uidl), 40)]
			if sz, ok := decodeSizes(x, dg); ok {
				m.size, m.stored = sz.wire, sz.stored
				cache.Put(dg, sz)
			}
		}
		if m.size >= 0 {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(m *message) {
			defer func() { <-sem; wg.Done() }()
			srv.measured.Add(1)
			size, stored, err := d.measure(m)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			m.size, m.stored = size, stored
			dg := m.uidl[:min(len(m.uidl), 40)]
			cache.Put(dg, sizes{size, stored})
			measured = append(measured, index.Record{Digest: dg, Payload: encodeSizes(sizes{size, stored})})
		}(m)
	}
	wg.Wait()
	if firstErr != nil {
		return fmt.Errorf("sizes: %w", firstErr)
	}
	if x != nil && len(measured) > 0 {
		if err := x.PutMany(measured); err != nil {
			srv.cfg.Log.Warn("pop3 index", "user", d.user, "err", err)
		}
	}
	d.msgs = msgs
	return nil
}

// measure reads message m's raw file to learn its exact wire size.
func (d *maildrop) measure(m *message) (wire, stored int64, err error) {
	f, err := d.fs.OpenFile(d.box, m.num, nil, upasfs.FileRaw)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	return wireSize(f)
}

// get returns message n (1-based) unless it is out of range or deleted.
func (d *maildrop) get(n int) *message {
	if n < 1 || n > len(d.msgs) || d.msgs[n-1].deleted {
		return nil
	}
	return d.msgs[n-1]
}

// stat returns the count and total size of the messages not deleted.
func (d *maildrop) stat() (int, int64) {
	var n int
	var size int64
	for _, m := range d.msgs {
		if !m.deleted {
			n++
			size += m.size
		}
	}
	return n, size
}

// raw opens message m's stored bytes.
func (d *maildrop) raw(m *message) (io.ReadCloser, error) {
	return d.fs.OpenFile(d.box, m.num, nil, upasfs.FileRaw)
}

// commit deletes the marked messages from the mailbox, all in one ctl
// write (spec §3.4); they stay marked, and RSET no longer revives them.
func (d *maildrop) commit() error {
	var nums []int
	var ms []*message
	for _, m := range d.msgs {
		if m.deleted && !m.committed {
			nums = append(nums, m.num)
			ms = append(ms, m)
		}
	}
	if len(nums) == 0 {
		return nil
	}
	if err := d.fs.Delete(d.box, nums...); err != nil {
		return err
	}
	for _, m := range ms {
		m.committed = true
	}
	return nil
}

// reset clears the deletion marks not yet committed (RFC 1939 RSET).
func (d *maildrop) reset() {
	for _, m := range d.msgs {
		if !m.committed {
			m.deleted = false
		}
	}
}

// close ends the session's use of the mailbox and releases the lock.
func (d *maildrop) close() {
	if d.box != "" {
		d.fs.Close(d.box)
	}
	if d.lock != nil {
		d.lock.Close()
	}
	d.ns.Close()
}

// sizes are a message's sizes: RETR's (CRLF, dot-stuffed) and stored.
type sizes struct{ wire, stored int64 }

// indexFile is the sizes index of a user's mailbox file, or nil.
func (srv *Server) indexFile(user, file string) *index.File {
	if srv.index == nil {
		return nil
	}
	x, err := srv.index.File(user, file)
	if err != nil {
		srv.cfg.Log.Warn("pop3 index", "user", user, "err", err)
		return nil
	}
	return x
}

// encodeSizes is a sizes record: the two sizes as uvarints.
func encodeSizes(sz sizes) []byte {
	b := binary.AppendUvarint(nil, uint64(sz.wire))
	return binary.AppendUvarint(b, uint64(sz.stored))
}

// decodeSizes reads the sizes of digest from x; a record that does not
// decode to two sizes with nothing after them is not used.
func decodeSizes(x *index.File, digest string) (sizes, bool) {
	b, ok := x.Get(digest)
	if !ok {
		return sizes{}, false
	}
	wire, n := binary.Uvarint(b)
	if n <= 0 || wire > 1<<40 {
		return sizes{}, false
	}
	stored, m := binary.Uvarint(b[n:])
	if m <= 0 || n+m != len(b) || stored > wire {
		return sizes{}, false
	}
	return sizes{int64(wire), int64(stored)}, true
}
