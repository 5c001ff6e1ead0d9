package imap

import (
	"p9mail/protocol/mailfs"
	"path"
	"strings"

	"9fans.net/go/plan9"
)

// create runs CREATE (RFC 3501 §6.3.3): a name ending in "/" is a
// directory, anything else an empty mailbox file; missing directories
// on the way are made (spec §2.10).
func (s *session) create(tag, cmd string) error {
	var name string
	var use []string
	if !s.dec.ExpectSP() || !s.dec.ExpectMailbox(&name) || !s.dec.ExpectCreateParams(&use) || !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	if isInbox(strings.TrimSuffix(name, "/")) {
		return no("ALREADYEXISTS", cmd+" INBOX always exists")
	}
	if len(use) > 0 { // CREATE-SPECIAL-USE (RFC 6154 §3), specialuse.go
		var err error
		if use, err = s.useAttrs(cmd, name, use); err != nil {
			return err
		}
	}
	dir := strings.HasSuffix(name, "/")
	file, err := fileName(name, s.allowList(), true)
	if err != nil {
		return no("CANNOT", cmd+" bad mailbox name")
	}
	full := path.Join(s.boxDir(), file)
	if _, err := s.ns.Stat(full); err == nil {
		return no("ALREADYEXISTS", cmd+" mailbox already exists")
	}
	if err := s.mkdirs(path.Dir(file)); err != nil {
		return storeError(cmd, "cannot create mailbox", err)
	}
	// imap4d's perms, masked by the directory's bits as create(5)
	// does (spec §2.10).
	perm := plan9.Perm(0664)
	if dir {
		perm = plan9.DMDIR | 0775
	}
	f, err := mailfs.Create(s.ns, full, plan9.OREAD, perm)
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		return storeError(cmd, "cannot create mailbox", err)
	}
	if err := s.setSpecialUse(name, use); err != nil {
		// The mailbox is new and empty: take it back.
		if rerr := s.ns.Remove(full); rerr != nil {
			s.cfg.Log.Warn("imap create undo", "user", s.user, "err", rerr)
		}
		return no("", cmd+" cannot record special use: "+err.Error())
	}
	return nil
}

// mkdirs makes the directories of rel (relative to the mail
// directory) that are missing.
func (s *session) mkdirs(rel string) error {
	if rel == "." || rel == "" {
		return nil
	}
	full := path.Join(s.boxDir(), rel)
	if d, err := s.ns.Stat(full); err == nil {
		if d.Qid.Type&plan9.QTDIR == 0 {
			return errBadName
		}
		return nil
	}
	if err := s.mkdirs(path.Dir(rel)); err != nil {
		return err
	}
	f, err := mailfs.Create(s.ns, full, plan9.OREAD, plan9.DMDIR|0775) // spec §2.10
	if err != nil {
		return err
	}
	return f.Close()
}
