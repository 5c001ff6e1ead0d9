package imap

import (
	"fmt"

	"p9mail/ninep"
	"p9mail/protocol/imap/imp"
)

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
func (s *session) selectCmd(tag, cmd string) error {
	var name string
	var cs bool // the CONDSTORE parameter (condstore.go)
	if !s.dec.ExpectSP() || !s.dec.ExpectMailbox(&name) || s.dec.SP() && !s.dec.ExpectSelectParams(&cs) || !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	if s.sel != nil {
		s.sel.close()
		s.sel = nil
		s.state = authenticated
		s.enc.Atom("* OK ").Code("CLOSED").SP().Text("previous mailbox closed").CRLF()
	}
	file, err := fileName(name, s.allowList(), false)
	if err != nil {
		return no("CANNOT", cmd+" bad mailbox name")
	}
	mb, err := s.openMailbox(name, file, cmd == "EXAMINE", false)
	if err != nil {
		if ninep.IsNotExist(err) {
			return no("NONEXISTENT", cmd+" mailbox does not exist")
		}
		return no("", fmt.Sprintf("%s can't open mailbox %s: %v", cmd, name, err))
	}
	if cs {
		s.enableCondstore() // before s.sel: SELECT tells HIGHESTMODSEQ below
	}
	s.sel, s.state = mb, selected
	mb.compactIndex()
	mb.tellFlags(true)
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
		s.enc.Atom("* OK ").BeginCode("PERMANENTFLAGS").SP().Flags(append(systemFlags[:len(systemFlags):len(systemFlags)], `\*`)).EndCode().SP().Text("flags and keywords kept").CRLF()
	}
	s.enc.Atom("* OK ").BeginCode("UIDNEXT").SP().Number(mb.next).EndCode().SP().Text("predicted next UID").CRLF()
	s.enc.Atom("* OK ").BeginCode("UIDVALIDITY").SP().Number(mb.validity).EndCode().SP().Text("UIDs valid").CRLF()
	s.tellHighestModSeq() // every SELECT and EXAMINE (RFC 7162 §3.1.2.1), condstore.go
	code := "READ-WRITE"
	if mb.readOnly {
		code = "READ-ONLY"
	}
	s.tagged(tag, "OK", code, cmd+" completed")
	return nil
}
