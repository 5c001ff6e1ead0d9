package imap

import (
	"errors"
	"fmt"
	"io"
	"path"

	"p9mail/protocol/imap/wire"
	"p9mail/upasfs"
)

// copyMsgs runs COPY and UID COPY (RFC 3501 §6.4.7): each message's
// From line and stored bytes are appended to the destination, whose
// .imp gets a uid-0 line with the flags (spec §2.9).
func (s *session) copyMsgs(tag, cmd string, uid bool) error {
	_, code, err := s.copyTargets(cmd, uid, false)
	if err != nil {
		return err
	}
	s.update(true)
	s.tagged(tag, "OK", code, cmd+" completed")
	return nil
}

// copyTargets copies the messages a COPY or MOVE names to the mailbox
// it names, and returns them with their COPYUID code ("" when the UIDs
// are not known), or the command's failure. A MOVE (move) needs a
// read-write mailbox.
func (s *session) copyTargets(cmd string, uid, move bool) ([]target, string, error) {
	var set wire.SeqArg
	var name string
	if !s.dec.ExpectSP() || !s.dec.ExpectSeqArg(&set, uid) || !s.dec.ExpectSP() ||
		!s.dec.ExpectMailbox(&name) || !s.dec.ExpectCRLF() {
		return nil, "", s.parseError(cmd)
	}
	if move && s.sel.readOnly {
		return nil, "", no("READ-ONLY", cmd+" mailbox is read-only")
	}
	s.update(uid)
	targets, ok := s.resolveArg(set, uid)
	if !ok {
		return nil, "", bad("", cmd+" invalid message sequence number")
	}
	file, err := fileName(name, s.allowList(), false)
	if err != nil {
		return nil, "", no("CANNOT", cmd+" bad mailbox name")
	}
	if _, err := s.ns.Stat(path.Join(s.boxDir(), file)); err != nil {
		return nil, "", no("TRYCREATE", cmd+" mailbox does not exist")
	}
	for _, t := range targets {
		if t.m.Expunged {
			return nil, "", no("EXPUNGEISSUED", cmd+" some messages were expunged")
		}
	}
	// This server's turn at the destination's lock, from the copies to
	// their UIDs (RFC 4315 §3), as for APPEND; given back before a
	// MOVE expunges, which takes the source's.
	release, err := s.queue(file)
	if err != nil {
		return nil, "", no("", cmd+" cannot append: "+err.Error())
	}
	defer release()
	digests, err := s.copyAll(file, targets)
	if err != nil {
		return nil, "", no("", cmd+" failed: "+err.Error())
	}
	keywords := make([][]string, len(targets))
	for i, t := range targets {
		keywords[i] = t.m.keywords.names(s.sel.kwNames(), nil)
	}
	validity, uids := s.uidsOf(name, file, digests, keywords)
	if uids == nil || len(targets) == 0 {
		return targets, "", nil
	}
	src := make([]uint32, len(targets))
	for i, t := range targets {
		src[i] = t.m.UID
	}
	return targets, fmt.Sprintf("COPYUID %d %s %s", validity, wire.SeqSetOf(src), wire.SeqSetOf(uids)), nil
}

// copyAll appends the targets to file and returns their digests; on
// an error none is left there (commit, abort).
func (s *session) copyAll(file string, targets []target) ([]string, error) {
	w, err := s.openAppend(file)
	if err != nil {
		return nil, fmt.Errorf("cannot append: %w", err)
	}
	for _, t := range targets {
		if err := s.copyOne(w, t.m); err != nil {
			w.abort()
			return nil, err
		}
	}
	if err := w.commit(); err != nil {
		return nil, err
	}
	return w.digests, nil
}

// copyOne appends one message of the selected mailbox: rawunix, as
// stored, so its digest is unchanged.
func (s *session) copyOne(w *mboxWriter, m *msg) error {
	f, err := s.fs.OpenFile(s.sel.box, m.num, nil, upasfs.FileRawUnix)
	if err != nil {
		return err
	}
	defer f.Close()
	w.beginRaw()
	buf := make([]byte, 32<<10)
	var last byte = '\n'
	for {
		n, err := f.Read(buf)
		if n > 0 {
			w.write(buf[:n])
			last = buf[n-1]
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if w.msg.n == 0 {
		return errors.New("empty message")
	}
	return w.end(last, m.Flags)
}
