package imap

import (
	"p9mail/ninep"
	"p9mail/protocol/imap/imp"
	"p9mail/protocol/imap/wire"
)

// status runs STATUS (RFC 3501 §6.3.10). It gives new messages UIDs and
// writes the .imp as a SELECT would, but leaves \Recent for the next
// SELECT (spec §2.10).
func (s *session) status(tag, cmd string) error {
	var name string
	var items []wire.StatusItem
	if !s.dec.ExpectSP() || !s.dec.ExpectMailbox(&name) || !s.dec.ExpectSP() ||
		!s.dec.ExpectStatusItems(&items) || !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	file, err := fileName(name, s.allowList(), false)
	if err != nil {
		return no("CANNOT", cmd+" bad mailbox name")
	}
	mb := s.sel
	if mb == nil || mb.file != file {
		if mb, err = s.openMailbox(name, file, false, true); err != nil {
			if ninep.IsNotExist(err) {
				return no("NONEXISTENT", cmd+" mailbox does not exist")
			}
			return no("", cmd+" can't open mailbox: "+err.Error())
		}
		defer mb.close()
	} else {
		s.update(true)
	}
	var n, recent, unseen uint32
	for _, m := range mb.msgs {
		if m.Expunged {
			continue
		}
		n++
		if m.Recent {
			recent++
		}
		if m.Flags&imp.Seen == 0 {
			unseen++
		}
	}
	s.enc.Atom("* STATUS ").Mailbox(name).Atom(" (")
	for i, it := range items {
		if i > 0 {
			s.enc.SP()
		}
		s.enc.Atom(string(it)).SP()
		switch it {
		case wire.StatusMessages:
			s.enc.Number(n)
		case wire.StatusRecent:
			s.enc.Number(recent)
		case wire.StatusUIDNext:
			s.enc.Number(mb.next)
		case wire.StatusUIDValidity:
			s.enc.Number(mb.validity)
		case wire.StatusUnseen:
			s.enc.Number(unseen)
		}
	}
	s.enc.Atom(")").CRLF()
	return nil
}
