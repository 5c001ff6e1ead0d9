package imap

import (
	"fmt"
	"io"
	"path"
	"strings"

	"9fans.net/go/plan9"

	"p9mail/ninep"
	"p9mail/protocol/mailfs"
)

func init() {
	register("CREATE", (*session).create, authenticated, selected)
	register("DELETE", (*session).deleteCmd, authenticated, selected)
	register("RENAME", (*session).rename, authenticated, selected)
}

// create runs CREATE (RFC 3501 §6.3.3): a name ending in "/" is a
// directory, anything else an empty mailbox file; missing directories
// on the way are made (spec §2.10).
func (s *session) create(tag, cmd string) {
	var name string
	if !s.dec.ExpectSP() || !s.dec.ExpectMailbox(&name) || !s.dec.ExpectCRLF() {
		s.parseError(tag, cmd)
		return
	}
	if isInbox(strings.TrimSuffix(name, "/")) {
		s.tagged(tag, "NO", "ALREADYEXISTS", cmd+" INBOX always exists")
		return
	}
	dir := strings.HasSuffix(name, "/")
	file, err := fileName(name, s.allowList(), true)
	if err != nil {
		s.tagged(tag, "NO", "", cmd+" bad mailbox")
		return
	}
	full := path.Join(s.boxDir(), file)
	if _, err := s.ns.Stat(full); err == nil {
		s.tagged(tag, "NO", "ALREADYEXISTS", cmd+" mailbox already exists")
		return
	}
	if err := s.mkdirs(path.Dir(file)); err != nil {
		s.tagged(tag, "NO", "", cmd+" cannot create mailbox: "+err.Error())
		return
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
		s.tagged(tag, "NO", "", cmd+" cannot create mailbox: "+err.Error())
		return
	}
	s.tagged(tag, "OK", "", cmd+" completed")
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

// deleteCmd runs DELETE (RFC 3501 §6.3.4): a mailbox file and its
// .imp, or an empty directory; never INBOX.
func (s *session) deleteCmd(tag, cmd string) {
	var name string
	if !s.dec.ExpectSP() || !s.dec.ExpectMailbox(&name) || !s.dec.ExpectCRLF() {
		s.parseError(tag, cmd)
		return
	}
	if isInbox(name) {
		s.tagged(tag, "NO", "", cmd+" cannot delete INBOX")
		return
	}
	file, err := fileName(name, s.allowList(), true)
	if err != nil {
		s.tagged(tag, "NO", "", cmd+" bad mailbox")
		return
	}
	full := path.Join(s.boxDir(), file)
	d, err := s.ns.Stat(full)
	if err != nil {
		s.tagged(tag, "NO", "NONEXISTENT", cmd+" mailbox does not exist")
		return
	}
	if s.sel != nil && s.sel.file == file {
		s.tagged(tag, "NO", "INUSE", cmd+" mailbox is selected")
		return
	}
	if d.Qid.Type&plan9.QTDIR == 0 {
		s.ns.Remove(full + ".imp")
	} else {
		s.removeLockFiles(full)
	}
	if err := s.ns.Remove(full); err != nil {
		if d.Qid.Type&plan9.QTDIR != 0 {
			s.tagged(tag, "NO", "HASCHILDREN", cmd+" directory is not empty")
			return
		}
		s.tagged(tag, "NO", "", cmd+" cannot delete mailbox: "+err.Error())
		return
	}
	s.tagged(tag, "OK", "", cmd+" completed")
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

// rename runs RENAME (RFC 3501 §6.3.5). RENAME INBOX moves every
// message to the new mailbox and leaves INBOX empty (decision 13).
func (s *session) rename(tag, cmd string) {
	var from, to string
	if !s.dec.ExpectSP() || !s.dec.ExpectMailbox(&from) || !s.dec.ExpectSP() ||
		!s.dec.ExpectMailbox(&to) || !s.dec.ExpectCRLF() {
		s.parseError(tag, cmd)
		return
	}
	allow := s.allowList()
	src, err1 := fileName(from, allow, false)
	dst, err2 := fileName(to, allow, false)
	if err1 != nil || err2 != nil || isInbox(to) {
		s.tagged(tag, "NO", "", cmd+" bad mailbox name")
		return
	}
	srcFull, dstFull := path.Join(s.boxDir(), src), path.Join(s.boxDir(), dst)
	if _, err := s.ns.Stat(srcFull); err != nil {
		s.tagged(tag, "NO", "NONEXISTENT", cmd+" mailbox does not exist")
		return
	}
	if _, err := s.ns.Stat(dstFull); err == nil {
		s.tagged(tag, "NO", "ALREADYEXISTS", cmd+" mailbox already exists")
		return
	}
	if err := s.mkdirs(path.Dir(dst)); err != nil {
		s.tagged(tag, "NO", "", cmd+" failed: "+err.Error())
		return
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
		s.tagged(tag, "NO", "", cmd+" failed: "+err.Error())
		return
	}
	s.tagged(tag, "OK", "", cmd+" completed")
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
	return nil
}

// undoCopy removes what copyWithImp made of dst, and returns err with
// any failure to.
func (s *session) undoCopy(dst string, err error) error {
	for _, name := range []string{dst + ".imp", dst} {
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
	if err := s.ns.Remove(path.Join(s.boxDir(), file+".imp")); err != nil && !ninep.IsNotExist(err) {
		s.cfg.Log.Warn("imap rename", "user", s.user, "box", file, "err", err)
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
