package imap

import (
	"errors"
	"fmt"
	"path"
	"time"

	"9fans.net/go/plan9"

	"p9mail/ninep"
	"p9mail/protocol/imap/imp"
	"p9mail/protocol/mailfs"
)

// A mailbox is a mailbox opened in upasfs by this session, with the
// IMAP state Plan 9 keeps beside it in <file>.imp (spec §2.5, §2.6):
// UIDs, UIDVALIDITY, UIDNEXT and the persistent flags. The selected
// mailbox is one; STATUS opens another for a moment.
type mailbox struct {
	s        *session
	name     string // IMAP name, UTF-8
	file     string // relative to the user's mail directory
	box      string // the session's upasfs name for it
	readOnly bool   // EXAMINE: nothing is written (decision 12)
	status   bool   // a STATUS look: keeps 'r' in the .imp (spec §2.10)

	validity, next uint32
	msgs           []*msg       // sequence order; expunged ones stay until reported
	byNum          map[int]*msg // upasfs number → message
	dirQid         plan9.Qid    // upasfs mailbox directory at the last sync
	impQid         plan9.Qid    // .imp as last read or written
	impRead        bool
	dirty          bool           // flags changed since the .imp was written
	kwNames        []string       // keywords used in the session (keywords.go)
	kwIndex        map[string]int // kwNames by name
	before         *plan9.Dir     // the mailbox file's stat before the upasfs open

	// What the client has been told (RFC 3501 §7.3, §7.4).
	toldExists int
	toldRecent int
}

// A msg is one message of a mailbox.
type msg struct {
	imp.Msg
	num      int        // upasfs message number
	keywords keywordSet // session-only keywords (keywords.go)
	told     bool       // the client knows its sequence number
	flagNews bool       // flags changed by another session, unsolicited FETCH due
	idate    time.Time  // INTERNALDATE, once read
}

var errInconsistent = errors.New("inconsistent uid")

// openMailbox opens file in upasfs under a session-unique name and
// brings it up to date.
func (s *session) openMailbox(name, file string, readOnly, status bool) (*mailbox, error) {
	s.boxSeq++
	mb := &mailbox{s: s, name: name, file: file, readOnly: readOnly, status: status,
		box: fmt.Sprintf("imap.%d.%d", s.id, s.boxSeq), byNum: map[int]*msg{}}
	mb.before, _ = s.ns.Stat(mailfs.MboxPath(s.user, file)) // for the digest cache
	if err := s.fs.Open(mailfs.MboxPath(s.user, file), mb.box); err != nil {
		return nil, err
	}
	if err := mb.sync(); err != nil {
		mb.close()
		return nil, err
	}
	return mb, nil
}

func (mb *mailbox) close() {
	mb.s.fs.Close(mb.box)
}

func (mb *mailbox) impName() string {
	return path.Join(mailfs.BoxDir, mb.s.user, mb.file+".imp")
}

// sync brings the message list, UIDs and flags up to date with upasfs
// and the .imp (spec §2.5, §2.6), writing the .imp when something
// changed (never for EXAMINE). It does not tell the client; see
// update in select.go.
func (mb *mailbox) sync() error {
	return mb.commit(nil)
}

// commit is sync with a change: under the mailbox lock it merges what
// other servers wrote into the .imp (re-read only when its qid moved),
// gives new messages UIDs, applies change (if any; it reports whether
// it changed flags) and writes the .imp, so a STORE never overwrites
// another session's flags with stale ones (spec §2.5, imap4d does the
// same in one lock hold).
//
// EXAMINE writes only to record UIDs it gave out, keeping \Recent for
// others: UIDs must never be given twice under one UIDVALIDITY (RFC
// 3501 §2.3.1.1), which decision 12's "writes nothing" would allow.
func (mb *mailbox) commit(change func() bool) error {
	s := mb.s
	d, err := s.fs.Stat(mb.box) // a stat makes upasfs look for new mail (spec §1.7)
	if err != nil {
		if ninep.IsNotExist(err) {
			mb.vanish()
			return nil
		}
		return err
	}
	impSt, impErr := s.ns.Stat(mb.impName())
	if change == nil && d.Qid == mb.dirQid && mb.impRead && impErr == nil && impSt.Qid == mb.impQid {
		return nil
	}
	if d.Qid != mb.dirQid {
		if err := mb.relist(); err != nil {
			return err
		}
	}
	lock, err := s.lock(mb.file)
	if err != nil {
		return err
	}
	defer lock.Close()
	impSt, impErr = s.ns.Stat(mb.impName())
	live, msgs := mb.liveMsgs()
	write, given := false, false
	if impErr != nil || !mb.impRead || impSt.Qid != mb.impQid {
		var data []byte
		if impErr == nil {
			if data, err = s.ns.ReadFile(mb.impName()); err != nil {
				return err
			}
		}
		res, err := imp.Reconcile(imp.Input{Data: data, Exists: impErr == nil,
			Known: imp.State{UIDValidity: mb.validity, UIDNext: mb.next}, Mtime: mb.validityFor(d.Mtime, impErr == nil),
			KeepRecent: mb.status || mb.readOnly}, live)
		if err != nil {
			return errInconsistent
		}
		if res.Bad != nil {
			s.cfg.Log.Warn("imap .imp", "user", s.user, "box", mb.name, "err", res.Bad)
		}
		for _, i := range res.Changed {
			if msgs[i].told {
				msgs[i].flagNews = true
			}
		}
		mb.validity, mb.next = res.State.UIDValidity, res.State.UIDNext
		write, given = res.Write, res.Given
		mb.impRead = true
		if impErr == nil {
			mb.impQid = impSt.Qid
		}
	} else {
		next := imp.Assign(live, mb.next)
		given = next != mb.next
		mb.next = next
	}
	if change != nil && change() {
		mb.dirty = true
	}
	if mb.readOnly {
		write = given
	} else {
		write = write || given || mb.dirty
	}
	if write {
		if err := mb.writeImp(); err != nil {
			return err
		}
	}
	mb.dirQid = d.Qid
	return nil
}

// relist reads the upasfs mailbox directory: new numbers are new
// messages (their digests read concurrently), missing ones expunged.
func (mb *mailbox) relist() error {
	s := mb.s
	if len(mb.msgs) == 0 {
		// A fresh open of a file unchanged since a session cached its
		// digests: the messages are those, numbered 1..N.
		if digests := s.srv.digests.Cached(s.ns, mailfs.MboxPath(s.user, mb.file), mb.before); digests != nil {
			mb.addMsgs(oneToN(len(digests)), digests)
			return nil
		}
	}
	nums, err := s.fs.List(mb.box)
	if err != nil {
		return err
	}
	present := make(map[int]bool, len(nums))
	var fresh []int
	for _, n := range nums {
		present[n] = true
		if mb.byNum[n] == nil {
			fresh = append(fresh, n)
		}
	}
	for _, m := range mb.msgs {
		if !present[m.num] && !m.Expunged {
			m.Expunged = true
			// Its .imp line must go, or a copy of the message that
			// comes back would match it and get its old UID again.
			mb.dirty = true
		}
	}
	var digests []string
	if len(mb.msgs) == 0 {
		digests, err = s.srv.digests.Digests(s.ns, s.fs, mailfs.MboxPath(s.user, mb.file), mb.box, mb.before, fresh)
	} else {
		digests, err = s.fs.Digests(mb.box, fresh)
	}
	if err != nil {
		return err
	}
	mb.addMsgs(fresh, digests)
	return nil
}

// addMsgs adds the messages nums with their digests ("": gone
// already).
func (mb *mailbox) addMsgs(nums []int, digests []string) {
	for i, n := range nums {
		if digests[i] == "" {
			continue
		}
		m := &msg{num: n}
		m.Digest = digests[i]
		mb.msgs = append(mb.msgs, m)
		mb.byNum[n] = m
	}
}

// oneToN is 1, 2, ... n.
func oneToN(n int) []int {
	nums := make([]int, n)
	for i := range nums {
		nums[i] = i + 1
	}
	return nums
}

// validityFor is the UIDVALIDITY a new .imp gets: the mailbox's mtime
// (spec §2.5), but never one this server gave before, so a mailbox
// deleted and made again within a second cannot reuse it (RFC 3501
// §2.3.1.1; found by imaptest).
func (mb *mailbox) validityFor(mtime uint32, impExists bool) uint32 {
	if impExists && mb.validity != 0 {
		return mtime
	}
	return mb.s.srv.newValidity(mtime)
}

// live returns the imp view of the messages not expunged.
func (mb *mailbox) live() []*imp.Msg {
	l, _ := mb.liveMsgs()
	return l
}

// liveMsgs returns the messages not expunged, as imp sees them and as
// msgs, index for index.
func (mb *mailbox) liveMsgs() ([]*imp.Msg, []*msg) {
	var l []*imp.Msg
	var ms []*msg
	for _, m := range mb.msgs {
		if !m.Expunged {
			l = append(l, &m.Msg)
			ms = append(ms, m)
		}
	}
	return l, ms
}

// writeImp rewrites the .imp with the current state. The caller holds
// the lock. A SELECT session consumes \Recent, a STATUS look keeps it
// (spec §2.5).
func (mb *mailbox) writeImp() error {
	s := mb.s
	f := imp.Snapshot(mb.validity, mb.next, mb.live(), mb.status || mb.readOnly)
	if err := s.ns.WriteFile(mb.impName(), f.Marshal()); err != nil {
		return fmt.Errorf("write %s.imp: %w", mb.file, err)
	}
	if st, err := s.ns.Stat(mb.impName()); err == nil {
		mb.impQid = st.Qid
	}
	mb.impRead = true
	mb.dirty = false
	return nil
}

// vanish: the mailbox is gone (spec §2.5 last point): every message is
// expunged and the box becomes read-only.
func (mb *mailbox) vanish() {
	for _, m := range mb.msgs {
		m.Expunged = true
	}
	mb.readOnly = true
}
