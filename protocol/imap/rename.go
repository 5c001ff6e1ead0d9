package imap

import (
	"fmt"
	"io"
	"path"

	"9fans.net/go/plan9"

	"p9mail/ninep"
	"p9mail/protocol/mailfs"
)

// rename runs RENAME (RFC 3501 §6.3.5). RENAME INBOX moves every
// message to the new mailbox and leaves INBOX empty (decision 13).
func (s *session) rename(tag, cmd string) error {
	var from, to string
	if !s.dec.ExpectSP() || !s.dec.ExpectMailbox(&from) || !s.dec.ExpectSP() ||
		!s.dec.ExpectMailbox(&to) || !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	allow := s.allowList()
	src, err1 := fileName(from, allow, false)
	dst, err2 := fileName(to, allow, false)
	if err1 != nil || err2 != nil || isInbox(to) {
		return no("CANNOT", cmd+" bad mailbox name")
	}
	srcFull, dstFull := path.Join(s.boxDir(), src), path.Join(s.boxDir(), dst)
	if _, err := s.ns.Stat(srcFull); err != nil {
		return no("NONEXISTENT", cmd+" mailbox does not exist")
	}
	if _, err := s.ns.Stat(dstFull); err == nil {
		return no("ALREADYEXISTS", cmd+" mailbox already exists")
	}
	if err := s.mkdirs(path.Dir(dst)); err != nil {
		return storeError(cmd, "failed", err)
	}
	var err error
	switch {
	case src == inboxFile:
		err = s.moveInbox(dst)
	case path.Dir(src) == path.Dir(dst):
		err = s.renameInDir(src, dst)
	default:
		err = s.copyThenRemove(src, dst)
	}
	if err != nil {
		return storeError(cmd, "failed", err)
	}
	if src != inboxFile {
		s.specialUseMoved(from, to) // specialuse.go
	}
	return nil
}

// renameInDir renames a mailbox and its .imp within one directory;
// if the .imp cannot follow, the mailbox is renamed back.
func (s *session) renameInDir(src, dst string) error {
	lock, err := s.lock(src)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := s.renameFile(src, path.Base(dst)); err != nil {
		return err
	}
	if err := s.renameFile(src+".imp", path.Base(dst)+".imp"); err != nil && !ninep.IsNotExist(err) {
		if berr := s.renameFile(dst, path.Base(src)); berr != nil {
			return fmt.Errorf("%w; renaming %s back: %v", err, dst, berr)
		}
		return err
	}
	// The state file follows; if it cannot, the keywords are lost but
	// nothing else (the next session starts a fresh state).
	if err := s.renameFile(src+".imp.imp", path.Base(dst)+".imp.imp"); err != nil && !ninep.IsNotExist(err) {
		s.cfg.Log.Warn("imap rename state", "user", s.user, "box", src, "err", err)
	}
	return nil
}

// renameFile renames the file rel of the mail directory to name, in
// its directory (wstat(5)).
func (s *session) renameFile(rel, name string) error {
	d := plan9.Dir{}
	d.Null()
	d.Name = name
	return s.ns.Wstat(path.Join(s.boxDir(), rel), &d)
}

// copyThenRemove moves a mailbox and its .imp to another directory,
// under the source's lock so that nothing is appended to it or
// deleted from it meanwhile. The copies go if the original cannot be
// removed: the mail is in one place or the other, never both.
func (s *session) copyThenRemove(src, dst string) error {
	lock, err := s.lock(src)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := s.copyWithImp(src, dst); err != nil {
		return err
	}
	if err := s.ns.Remove(path.Join(s.boxDir(), src)); err != nil {
		return s.undoCopy(dst, err)
	}
	s.removeImp(src)
	return nil
}

// moveInbox copies INBOX and its .imp to dst, then empties INBOX, all
// under INBOX's lock so no delivery or deletion falls in between. The
// copies go if INBOX cannot be emptied.
func (s *session) moveInbox(dst string) error {
	lock, err := s.lock(inboxFile)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := s.copyWithImp(inboxFile, dst); err != nil {
		return err
	}
	f, err := s.ns.Open(path.Join(s.boxDir(), inboxFile), plan9.OWRITE|plan9.OTRUNC)
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		return s.undoCopy(dst, err)
	}
	s.removeImp(inboxFile)
	return nil
}

// copyWithImp copies the mailbox src to dst, and its .imp if it has
// one; on failure nothing of dst is left.
func (s *session) copyWithImp(src, dst string) error {
	if err := s.copyFile(src, dst); err != nil {
		return s.undoCopy(dst, err)
	}
	if err := s.copyFile(src+".imp", dst+".imp"); err != nil && !ninep.IsNotExist(err) {
		return s.undoCopy(dst, err)
	}
	if err := s.copyFile(src+".imp.imp", dst+".imp.imp"); err != nil && !ninep.IsNotExist(err) {
		return s.undoCopy(dst, err)
	}
	return nil
}

// undoCopy removes what copyWithImp made of dst, and returns err with
// any failure to.
func (s *session) undoCopy(dst string, err error) error {
	for _, name := range []string{dst + ".imp.imp", dst + ".imp", dst} {
		if rerr := s.ns.Remove(path.Join(s.boxDir(), name)); rerr != nil && !ninep.IsNotExist(rerr) {
			err = fmt.Errorf("%w; remove %s: %v", err, name, rerr)
		}
	}
	return err
}

// removeImp removes the .imp of a mailbox whose messages went
// elsewhere. One left behind only lists messages that are gone, whose
// lines the next session drops (commit), so a failure is logged.
func (s *session) removeImp(file string) {
	for _, f := range []string{file + ".imp", file + ".imp.imp"} {
		if err := s.ns.Remove(path.Join(s.boxDir(), f)); err != nil && !ninep.IsNotExist(err) {
			s.cfg.Log.Warn("imap rename", "user", s.user, "box", file, "err", err)
		}
	}
}

// copyFile copies a file of the mail directory, streaming; the copy
// has the permission bits of the original (a mailbox moved, its .imp).
func (s *session) copyFile(src, dst string) error {
	in, err := s.ns.Open(path.Join(s.boxDir(), src), plan9.OREAD)
	if err != nil {
		return err
	}
	defer in.Close()
	d, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := mailfs.CreateExact(s.ns, path.Join(s.boxDir(), dst), plan9.OWRITE, d.Mode&0777)
	if err != nil {
		return err
	}
	if _, err := io.Copy(struct{ io.Writer }{out}, struct{ io.Reader }{in}); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
