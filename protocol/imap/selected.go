package imap

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"sync"
	"time"

	"9fans.net/go/plan9"

	"p9mail/ninep"
	"p9mail/protocol/imap/imp"
	"p9mail/protocol/imap/statefile"
	"p9mail/protocol/index"
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
	st             *statefile.File // the state file as last read (statefile.go)
	stateQid       *plan9.Qid      // the state file's, as last read or written; nil: none
	before         *plan9.Dir      // the mailbox file's stat before the upasfs open
	idx            *index.File     // its index file (structures.go), once opened
	idxOnce        sync.Once
	sortIndexState // its sort index (sortkey.go)

	// What the client has been told (RFC 3501 §7.3, §7.4).
	toldExists   int
	toldRecent   int
	toldKeywords int // keywords named in the last FLAGS response

	search searchState // "$" and updating searches (searchres.go, context.go)
}

// A msg is one message of a mailbox.
type msg struct {
	imp.Msg
	num      int        // upasfs message number
	keywords keywordSet // numbers into st.Keywords (keywords.go)
	modseq   uint64     // RFC 7162 §3.1.1, from the state file
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

// commit is sync with a change: under the mailbox lock, with the
// message list current (lockCurrent), it reads the .imp, merges what
// other servers wrote into it, gives new messages UIDs, applies change
// (if any; what it returns is not needed, the .imp is compared) and
// rewrites the .imp when it no longer says exactly that, so a STORE
// never overwrites another session's flags with stale ones (spec §2.5,
// imap4d does the same in one lock hold) and the .imp lists exactly the mailbox's
// messages, expunged ones omitted (spec §2.5 "Writing").
//
// The .imp is read at every commit: its qid cannot tell whether
// another session rewrote it meanwhile (on Unix the qid version is the
// mtime, which two rewrites within a clock tick share), and a session
// that gives UIDs from a stale UIDNEXT gives the same UID twice.
//
// EXAMINE writes only to record UIDs it gave out and to drop the lines
// of messages gone, keeping \Recent for others: UIDs must never be
// given twice under one UIDVALIDITY (RFC 3501 §2.3.1.1), which
// decision 12's "writes nothing" would allow.
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
	if change == nil && d.Qid == mb.dirQid && mb.impRead {
		// Nothing to write, and nothing changed that a stat shows: a
		// change a stat misses is seen at the next commit that does
		// find one, or writes.
		if st, err := s.ns.Stat(mb.impName()); err == nil && st.Qid == mb.impQid && mb.stateUnchanged() {
			return nil
		}
	}
	release, err := s.queue(mb.file)
	if err != nil {
		return err
	}
	defer release()
	lock, d, err := mb.lockCurrent()
	if err != nil {
		if ninep.IsNotExist(err) {
			mb.vanish()
			return nil
		}
		return err
	}
	defer lock.Close()
	data, impSt, impErr, repair, err := mb.readImp()
	if err != nil {
		return err
	}
	live, msgs := mb.liveMsgs()
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
	mb.impRead = true
	if impErr == nil {
		mb.impQid = impSt.Qid
	}
	st, err := mb.readState()
	if err != nil {
		return err
	}
	mb.adoptState(st)
	if change != nil {
		change() // the flags it changes make the Snapshot differ
	}
	out := imp.Snapshot(mb.validity, mb.next, mb.live(), mb.status || mb.readOnly).Marshal()
	write := !bytes.Equal(out, data)
	if mb.readOnly {
		// Never for flags alone: its \Recent would put back the 'r'
		// that a SELECT session consumed.
		write = res.Given || impErr == nil && !imp.SameMessages(out, data)
	}
	write = write || repair
	if write {
		if err := mb.writeImp(out); err != nil {
			return err
		}
	}
	return mb.recordState()
}

// lockCurrent takes the mailbox's lock with its message list current.
// The caller holds this server's turn at the lock (queue), so no other
// session of this server changes the file meanwhile. It stats the
// mailbox file, has upasfs look at it (a stat syncs it, spec §1.7),
// lists it again if upasfs's directory changed, takes the lock file,
// and checks that the mailbox file is still as before upasfs looked.
// Everything that changes a mailbox file (APPEND, COPY, upasfs's
// rewrites, spec §1.8) does so under that lock, so the list is then
// the file's until the lock goes. If another process changed the file
// in between, it lets the lock file go and looks again.
//
// The listing cannot be made under the lock file: upasfs takes it
// itself to read a changed file (spec §1.8). It returns the upasfs
// directory's stat, and an error satisfying ninep.IsNotExist when
// upasfs no longer has the mailbox.
func (mb *mailbox) lockCurrent() (ninep.File, *plan9.Dir, error) {
	s := mb.s
	name := mailfs.MboxPath(s.user, mb.file)
	deadline := time.Now().Add(s.cfg.LockTimeout)
	for {
		before, berr := s.ns.Stat(name)
		d, err := s.fs.Stat(mb.box)
		if err != nil {
			return nil, nil, err
		}
		if d.Qid != mb.dirQid {
			if err := mb.relist(); err != nil {
				return nil, nil, err
			}
			mb.dirQid = d.Qid
		}
		lock, err := lockFile(s.ns, s.boxDir(), mb.file, time.Until(deadline))
		if err != nil {
			return nil, nil, err
		}
		after, aerr := s.ns.Stat(name)
		if berr == nil && aerr == nil && mailfs.SameFile(before, after) ||
			ninep.IsNotExist(berr) && ninep.IsNotExist(aerr) {
			return lock, d, nil
		}
		if err := lock.Close(); err != nil {
			return nil, nil, err
		}
		if time.Now().After(deadline) {
			return nil, nil, errLockTimeout
		}
	}
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
			// Its .imp line goes at the next commit, or a copy of
			// the message that comes back would match it and get
			// its old UID again.
			m.Expunged = true
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

// impTemp is where a new .imp is written before it replaces the old
// one: a name the stop-list hides (spec §2.4, "imap-tmp.").
func (mb *mailbox) impTemp() string { return impTempOf(path.Join(mailfs.BoxDir, mb.s.user), mb.file) }

// impTempOf is impTemp of the mailbox file of the mail directory dir.
func impTempOf(dir, file string) string {
	return path.Join(dir, path.Dir(file), "imap-tmp."+path.Base(file)+".imp")
}

// readImp reads the .imp under the lock: its bytes, its stat and the
// stat's error (satisfying ninep.IsNotExist when there is none). A
// .imp missing while a replacement waits under impTemp (a server died
// between removing the old one and renaming the new one, writeImp) is
// that replacement; one whose last line was cut by a crash during an
// append (addLines) loses that line. Either way repair is set: the
// commit must write the .imp back whole. A .imp that exists but cannot
// be read is an error: it is never rewritten from nothing.
func (mb *mailbox) readImp() (data []byte, st *plan9.Dir, stErr error, repair bool, err error) {
	s := mb.s
	st, stErr = s.ns.Stat(mb.impName())
	switch {
	case stErr == nil:
		if data, err = s.ns.ReadFile(mb.impName()); err != nil {
			return nil, nil, nil, false, err
		}
	case !ninep.IsNotExist(stErr):
		return nil, nil, nil, false, stErr
	default:
		tmp, terr := s.ns.ReadFile(mb.impTemp())
		if terr != nil {
			return nil, st, stErr, false, nil // no .imp: a fresh mailbox
		}
		s.cfg.Log.Warn("imap .imp recovered from its replacement", "user", s.user, "box", mb.name)
		data, stErr, repair = tmp, nil, true
		st = &plan9.Dir{}
	}
	if i := bytes.LastIndexByte(data, '\n'); len(data) > 0 && i != len(data)-1 {
		s.cfg.Log.Warn("imap .imp torn", "user", s.user, "box", mb.name, "cut", len(data)-i-1)
		data, repair = data[:i+1], true
	}
	return data, st, stErr, repair, nil
}

// writeImp replaces the .imp with data, the Snapshot of the current
// state. The caller holds the lock. The new file is written whole under
// impTemp, the old one removed and the new one renamed into place (9P's
// wstat cannot rename over a file): a crash leaves either the old .imp,
// or the new one under impTemp, which readImp takes; never a cut one
// (a kill during a rewrite in place used to leave an empty or torn
// .imp, and every message a new UID).
func (mb *mailbox) writeImp(data []byte) error {
	s := mb.s
	// A new .imp gets its mailbox's permission bits (spec §2.5).
	perm := mailfs.ModeOf(s.ns, mailfs.MboxPath(s.user, mb.file))
	if err := mailfs.WriteFile(s.ns, mb.impTemp(), data, perm); err != nil {
		return fmt.Errorf("write %s.imp: %w", mb.file, err)
	}
	if err := s.ns.Remove(mb.impName()); err != nil && !ninep.IsNotExist(err) {
		return fmt.Errorf("replace %s.imp: %w", mb.file, err)
	}
	d := plan9.Dir{}
	d.Null()
	d.Name = path.Base(mb.impName())
	if err := s.ns.Wstat(mb.impTemp(), &d); err != nil {
		return fmt.Errorf("rename %s.imp: %w", mb.file, err)
	}
	st, err := s.ns.Stat(mb.impName())
	if err != nil {
		return fmt.Errorf("stat %s.imp: %w", mb.file, err)
	}
	mb.impQid = st.Qid
	mb.impRead = true
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

// update syncs the selected mailbox and tells the client what changed
// (RFC 3501 §7.3, §7.4.1): EXPUNGE only when expungeOK (never during
// FETCH, STORE or SEARCH, RFC 3501 §7.4.1), then EXISTS and RECENT,
// then FLAGS of messages another session changed.
func (s *session) update(expungeOK bool) {
	mb := s.sel
	if mb == nil {
		return
	}
	if err := mb.sync(); err != nil {
		if err == errInconsistent {
			s.untagged("BYE", "", "inconsistent uid")
			s.state = logout
			return
		}
		s.cfg.Log.Warn("imap sync", "user", s.user, "box", mb.name, "err", err)
		return
	}
	if expungeOK {
		s.tellSearchExpunges()
		kept := mb.msgs[:0]
		for _, m := range mb.msgs {
			if m.Expunged {
				delete(mb.byNum, m.num)
				if !m.told {
					// Came and went unannounced: the client never had
					// its number (RFC 3501 §7.4.1).
					continue
				}
				s.enc.Atom("*").SP().Number(uint32(len(kept) + 1)).Atom(" EXPUNGE").CRLF()
				mb.toldExists--
				continue
			}
			kept = append(kept, m)
		}
		clear(mb.msgs[len(kept):])
		mb.msgs = kept
	}
	mb.tellFlags(false)
	mb.tellCounts(false)
	for i, m := range mb.msgs {
		if m.flagNews && !m.Expunged {
			m.flagNews = false
			s.enc.Atom("*").SP().Number(uint32(i + 1)).Atom(" FETCH (UID ").Number(m.UID).
				Atom(" FLAGS ").Flags(m.flagList(mb.kwNames()))
			if s.isEnabled(condstore) {
				s.enc.SP()
				writeModSeq(s.enc, m)
			}
			s.enc.Atom(")").CRLF()
		}
	}
	s.tellSearchUpdates()
}

// tellFlags sends FLAGS (RFC 3501 §7.2.6) when the mailbox's keywords
// grew since the client was told (always when force, as SELECT must):
// another session may have added one.
func (mb *mailbox) tellFlags(force bool) {
	if n := len(mb.kwNames()); force || n != mb.toldKeywords {
		mb.s.enc.Atom("* FLAGS ").Flags(mb.flagNames()).CRLF()
		mb.toldKeywords = n
	}
}

// tellCounts sends EXISTS and RECENT when they changed (always when
// force, as SELECT must).
func (mb *mailbox) tellCounts(force bool) {
	s := mb.s
	recent := 0
	for _, m := range mb.msgs {
		m.told = true
		if m.Recent { // expunged but unreported ones still count: they keep their numbers
			recent++
		}
	}
	if force || len(mb.msgs) != mb.toldExists {
		s.enc.Atom("*").SP().Number(uint32(len(mb.msgs))).Atom(" EXISTS").CRLF()
		mb.toldExists = len(mb.msgs)
	}
	if force || recent != mb.toldRecent {
		s.enc.Atom("*").SP().Number(uint32(recent)).Atom(" RECENT").CRLF()
		mb.toldRecent = recent
	}
}
