package imap

import (
	"p9mail/ninep"
	"path"

	"9fans.net/go/plan9"
)

// deleteCmd runs DELETE (RFC 3501 §6.3.4): a mailbox file and its
// .imp, or an empty directory; never INBOX.
func (s *session) deleteCmd(tag, cmd string) error {
	var name string
	if !s.dec.ExpectSP() || !s.dec.ExpectMailbox(&name) || !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	if isInbox(name) {
		return no("CANNOT", cmd+" cannot delete INBOX")
	}
	file, err := fileName(name, s.allowList(), true)
	if err != nil {
		return no("CANNOT", cmd+" bad mailbox name")
	}
	full := path.Join(s.boxDir(), file)
	d, err := s.ns.Stat(full)
	if err != nil {
		return no("NONEXISTENT", cmd+" mailbox does not exist")
	}
	if s.sel != nil && s.sel.file == file {
		return no("INUSE", cmd+" mailbox is selected")
	}
	if d.Qid.Type&plan9.QTDIR == 0 {
		// The shadow files first: one left behind would give a new
		// mailbox of this name the old UIDs and keywords.
		for _, f := range []string{full + ".imp", full + ".imp.imp"} {
			if err := s.ns.Remove(f); err != nil && !ninep.IsNotExist(err) {
				return storeError(cmd, "cannot delete mailbox", err)
			}
		}
	} else {
		s.removeLockFiles(full)
	}
	if err := s.ns.Remove(full); err != nil {
		if d.Qid.Type&plan9.QTDIR != 0 {
			return no("HASCHILDREN", cmd+" directory is not empty")
		}
		return storeError(cmd, "cannot delete mailbox", err)
	}
	s.specialUseMoved(name, "") // specialuse.go
	return nil
}

// removeLockFiles removes the L.mbox that appends and deletions leave
// in a directory (spec §1.8), when it is all that is left and no one
// holds it, so that an otherwise empty directory can be deleted.
func (s *session) removeLockFiles(dir string) {
	ents, err := s.ns.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if e.Name != "L.mbox" {
			return
		}
	}
	for _, e := range ents {
		if f, err := s.ns.Open(path.Join(dir, e.Name), plan9.OREAD); err == nil {
			s.ns.Remove(path.Join(dir, e.Name))
			f.Close()
		}
	}
}
