package imap

import (
	"fmt"
	"strings"

	"p9mail/ninep"
	"p9mail/protocol/imap/imp"
	"p9mail/protocol/imap/wire"
)

func init() {
	register("SELECT", (*session).selectCmd, authenticated, selected)
	register("EXAMINE", (*session).selectCmd, authenticated, selected)
	register("CLOSE", (*session).closeCmd, selected)
	register("UNSELECT", (*session).closeCmd, selected)
	register("EXPUNGE", (*session).expunge, selected)
	register("CHECK", (*session).noop, selected)
}

// systemFlags are the flags that persist (decision 8).
var systemFlags = []string{`\Seen`, `\Answered`, `\Flagged`, `\Deleted`, `\Draft`}

var flagBits = map[string]imp.Flags{
	`\Seen`: imp.Seen, `\Answered`: imp.Answered, `\Flagged`: imp.Flagged,
	`\Deleted`: imp.Deleted, `\Draft`: imp.Draft,
}

// flagList returns m's flags for FETCH FLAGS; kwNames are its
// mailbox's keywords.
func (m *msg) flagList(kwNames []string) []string {
	var fl []string
	for _, f := range systemFlags {
		if m.Flags&flagBits[f] != 0 {
			fl = append(fl, f)
		}
	}
	if m.Recent {
		fl = append(fl, `\Recent`)
	}
	return m.keywords.names(kwNames, fl)
}

// selectCmd: SELECT and EXAMINE (RFC 3501 §6.3.1, §6.3.2). The mailbox
// selected before is left without expunging (decision 12).
func (s *session) selectCmd(tag, cmd string) {
	var name string
	if !s.dec.ExpectSP() || !s.dec.ExpectMailbox(&name) || !s.dec.ExpectCRLF() {
		s.parseError(tag, cmd)
		return
	}
	if s.sel != nil {
		s.sel.close()
		s.sel = nil
		s.state = authenticated
		s.enc.Atom("* OK ").Code("CLOSED").SP().Text("previous mailbox closed").CRLF()
	}
	file, err := fileName(name, s.allowList(), false)
	if err != nil {
		s.tagged(tag, "NO", "", cmd+" bad mailbox")
		return
	}
	mb, err := s.openMailbox(name, file, cmd == "EXAMINE", false)
	if err != nil {
		if ninep.IsNotExist(err) {
			s.tagged(tag, "NO", "NONEXISTENT", cmd+" mailbox does not exist")
			return
		}
		s.tagged(tag, "NO", "", fmt.Sprintf("%s can't open mailbox %s: %v", cmd, name, err))
		return
	}
	s.sel, s.state = mb, selected
	s.enc.Atom("* FLAGS ").Flags(systemFlags).CRLF()
	mb.tellCounts(true)
	for i, m := range mb.msgs {
		if m.Flags&imp.Seen == 0 {
			s.enc.Atom("* OK ").BeginCode("UNSEEN").SP().Number(uint32(i + 1)).EndCode().SP().Text("first unseen").CRLF()
			break
		}
	}
	if mb.readOnly {
		s.enc.Atom("* OK ").BeginCode("PERMANENTFLAGS").SP().Flags(nil).EndCode().SP().Text("read-only mailbox").CRLF()
	} else {
		s.enc.Atom("* OK ").BeginCode("PERMANENTFLAGS").SP().Flags(systemFlags).EndCode().SP().Text("flags kept").CRLF()
	}
	s.enc.Atom("* OK ").BeginCode("UIDNEXT").SP().Number(mb.next).EndCode().SP().Text("predicted next UID").CRLF()
	s.enc.Atom("* OK ").BeginCode("UIDVALIDITY").SP().Number(mb.validity).EndCode().SP().Text("UIDs valid").CRLF()
	code := "READ-WRITE"
	if mb.readOnly {
		code = "READ-ONLY"
	}
	s.tagged(tag, "OK", code, cmd+" completed")
}

// closeCmd: CLOSE expunges (unless read-only) and deselects (RFC 3501
// §6.4.2); UNSELECT only deselects (RFC 3691).
func (s *session) closeCmd(tag, cmd string) {
	if !s.dec.ExpectCRLF() {
		s.parseError(tag, cmd)
		return
	}
	mb := s.sel
	if cmd == "CLOSE" && !mb.readOnly {
		if err := mb.expungeDeleted(nil); err != nil {
			s.cfg.Log.Warn("imap close expunge", "user", s.user, "err", err)
		}
	}
	mb.close()
	s.sel, s.state = nil, authenticated
	s.tagged(tag, "OK", "", cmd+" completed")
}

// expunge: EXPUNGE removes the \Deleted messages through upasfs's
// delete (spec §2.7) and reports each (RFC 3501 §6.4.3).
func (s *session) expunge(tag, cmd string) {
	if !s.dec.ExpectCRLF() {
		s.parseError(tag, cmd)
		return
	}
	mb := s.sel
	if mb.readOnly {
		s.tagged(tag, "NO", "READ-ONLY", "EXPUNGE mailbox is read-only")
		return
	}
	if err := mb.expungeDeleted(nil); err != nil {
		s.tagged(tag, "NO", "", "EXPUNGE failed: "+err.Error())
		return
	}
	s.update(true)
	s.tagged(tag, "OK", "", "EXPUNGE completed")
}

// uidExpunge runs UID EXPUNGE (RFC 4315 §2.1): only the \Deleted
// messages in the UID set go.
func (s *session) uidExpunge(tag, cmd string) {
	var set wire.SeqSet
	if !s.dec.ExpectSP() || !s.dec.ExpectUIDSet(&set) || !s.dec.ExpectCRLF() {
		s.parseError(tag, cmd)
		return
	}
	mb := s.sel
	if mb.readOnly {
		s.tagged(tag, "NO", "READ-ONLY", cmd+" mailbox is read-only")
		return
	}
	only := map[uint32]bool{}
	var largest uint32
	if n := len(mb.msgs); n > 0 {
		largest = mb.msgs[n-1].UID
	}
	for _, m := range mb.msgs {
		if m.UID != 0 && set.Contains(m.UID, largest) {
			only[m.UID] = true
		}
	}
	if err := mb.expungeDeleted(only); err != nil {
		s.tagged(tag, "NO", "", cmd+" failed: "+err.Error())
		return
	}
	s.update(true)
	s.tagged(tag, "OK", "", cmd+" completed")
}

// expungeDeleted deletes the messages flagged \Deleted (those in only,
// when only is not nil, for UID EXPUNGE) in one batch of ctl writes,
// then syncs, which marks them expunged.
func (mb *mailbox) expungeDeleted(only map[uint32]bool) error {
	if err := mb.sync(); err != nil {
		return err
	}
	var nums []int
	for _, m := range mb.msgs {
		if !m.Expunged && m.Flags&imp.Deleted != 0 && (only == nil || only[m.UID]) {
			nums = append(nums, m.num)
		}
	}
	return mb.expunge(nums)
}

// expunge deletes the messages numbered nums (upasfs numbers) and
// syncs, which marks them expunged.
func (mb *mailbox) expunge(nums []int) error {
	if len(nums) == 0 {
		return nil
	}
	release, err := mb.s.queue(mb.file)
	if err != nil {
		return err
	}
	err = mb.s.fs.Delete(mb.box, nums...)
	release()
	if err != nil {
		return err
	}
	return mb.sync()
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
	mb.tellCounts(false)
	for i, m := range mb.msgs {
		if m.flagNews && !m.Expunged {
			m.flagNews = false
			s.enc.Atom("*").SP().Number(uint32(i + 1)).Atom(" FETCH (UID ").Number(m.UID).
				Atom(" FLAGS ").Flags(m.flagList(mb.kwNames)).Atom(")").CRLF()
		}
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

// allowList reads imap.ok, the allow-list that replaces the stop-list
// when present (spec §2.4); nil when there is none.
func (s *session) allowList() map[string]bool {
	data, err := s.ns.ReadFile(s.boxDir() + "/imap.ok")
	if err != nil || len(data) > 4096 {
		return nil
	}
	allow := map[string]bool{}
	for _, w := range strings.Fields(string(data)) {
		allow[strings.ToLower(w)] = true
	}
	return allow
}

// boxDir is the user's mail directory in the session's name space.
func (s *session) boxDir() string { return "/mail/box/" + s.user }
