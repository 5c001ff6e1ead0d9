package imap

import (
	"p9mail/protocol/imap/imp"
	"p9mail/protocol/imap/wire"
)

// expunge: EXPUNGE removes the \Deleted messages through upasfs's
// delete (spec §2.7) and reports each (RFC 3501 §6.4.3).
func (s *session) expunge(tag, cmd string) error {
	if !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	mb := s.sel
	if mb.readOnly {
		return no("READ-ONLY", "EXPUNGE mailbox is read-only")
	}
	if err := mb.expungeDeleted(nil); err != nil {
		return no("", "EXPUNGE failed: "+err.Error())
	}
	s.update(true)
	s.tagged(tag, "OK", "", "EXPUNGE completed")
	return nil
}

// uidExpunge runs UID EXPUNGE (RFC 4315 §2.1): only the \Deleted
// messages in the UID set go.
func (s *session) uidExpunge(tag, cmd string) error {
	var set wire.SeqArg
	if !s.dec.ExpectSP() || !s.dec.ExpectSeqArg(&set, true) || !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	mb := s.sel
	if mb.readOnly {
		return no("READ-ONLY", cmd+" mailbox is read-only")
	}
	only := map[uint32]bool{}
	targets, _ := s.resolveArg(set, true) // UIDs: never invalid
	for _, t := range targets {
		only[t.m.UID] = true
	}
	if err := mb.expungeDeleted(only); err != nil {
		return no("", cmd+" failed: "+err.Error())
	}
	s.update(true)
	return nil
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
