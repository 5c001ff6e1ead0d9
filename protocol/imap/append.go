package imap

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"path"
	"time"

	"9fans.net/go/plan9"

	"p9mail/ninep"
	"p9mail/protocol/imap/imp"
	"p9mail/protocol/imap/wire"
	"p9mail/upasfs"
	"p9mail/upasfs/mbox"
)

func init() {
	register("APPEND", (*session).appendCmd, authenticated, selected)
	register("COPY", func(s *session, tag, cmd string) { s.copyMsgs(tag, cmd, false) }, selected)
	register("MOVE", func(s *session, tag, cmd string) { s.moveMsgs(tag, cmd, false) }, selected)
}

// An mboxWriter appends messages to a mailbox file through the name
// space (spec §2.9): under the lock of the mailbox's directory, at the
// file's end, each as a From line, the message and one empty line,
// with the digest upasfs will compute (spec §1.4) for the .imp line.
type mboxWriter struct {
	s       *session
	file    string
	f       ninep.File
	lock    io.Closer
	start   int64 // where this append began, to undo a failed one
	off     int64
	buf     *bufio.Writer
	sum     hash.Hash
	lines   [][]byte // .imp uid-0 lines to add
	digests []string // of the messages appended, in order
}

func (s *session) openAppend(file string) (*mboxWriter, error) {
	lock, err := s.lock(file)
	if err != nil {
		return nil, err
	}
	f, err := s.ns.Open(path.Join(s.boxDir(), file), plan9.ORDWR)
	if err != nil {
		lock.Close()
		return nil, err
	}
	d, err := f.Stat()
	if err != nil {
		f.Close()
		lock.Close()
		return nil, err
	}
	w := &mboxWriter{s: s, file: file, f: f, lock: lock, start: int64(d.Length), off: int64(d.Length)}
	w.buf = bufio.NewWriterSize(writerAt{w}, 64<<10)
	// The file's last message must end with its empty line (spec §1.8).
	if d.Length > 0 {
		var tail [2]byte
		n, _ := f.ReadAt(tail[:min(2, int(d.Length))], int64(d.Length)-int64(min(2, int(d.Length))))
		switch {
		case n == 2 && tail[0] == '\n' && tail[1] == '\n', n == 1 && tail[0] == '\n':
		case n > 0 && tail[n-1] == '\n':
			w.buf.WriteString("\n")
		default:
			w.buf.WriteString("\n\n")
		}
	}
	return w, nil
}

// writerAt writes at the running offset (one Twrite per buffer).
type writerAt struct{ w *mboxWriter }

func (x writerAt) Write(p []byte) (int, error) {
	n, err := x.w.f.WriteAt(p, x.w.off)
	x.w.off += int64(n)
	return n, err
}

// begin starts a message with its From line (ending in "\n").
func (w *mboxWriter) begin(fromLine string) {
	w.sum = sha1.New()
	w.write([]byte(fromLine))
}

func (w *mboxWriter) write(p []byte) {
	w.sum.Write(p)
	w.buf.Write(p)
}

// end finishes a message: its last line ended, the empty line after
// it, and a uid-0 .imp line with its digest and flags.
func (w *mboxWriter) end(last byte, flags imp.Flags) error {
	if last != '\n' {
		w.write([]byte{'\n'})
	}
	digest := hex.EncodeToString(w.sum.Sum(nil))
	w.buf.WriteString("\n")
	line, err := imp.NewLine(digest, 0, flags&imp.System)
	if err != nil {
		return err
	}
	w.lines = append(w.lines, line)
	w.digests = append(w.digests, digest)
	return nil
}

// commit flushes the messages and adds their .imp lines (creating the
// .imp as imap4d does, spec §2.9); abort undoes everything.
func (w *mboxWriter) commit() error {
	defer w.close()
	if err := w.buf.Flush(); err != nil {
		w.truncate()
		return err
	}
	impName := path.Join(w.s.boxDir(), w.file+".imp")
	f, err := w.s.ns.Open(impName, plan9.ORDWR)
	var off int64
	if ninep.IsNotExist(err) {
		d, serr := w.f.Stat()
		if serr != nil {
			return nil // the mail is in; the flags are lost
		}
		if f, err = w.s.ns.Create(impName, plan9.ORDWR, 0600); err == nil {
			hdr := imp.Header(w.s.srv.newValidity(d.Mtime), 1)
			f.WriteAt(hdr, 0)
			off = int64(len(hdr))
		}
	} else if err == nil {
		if d, serr := f.Stat(); serr == nil {
			off = int64(d.Length)
		}
	}
	if err != nil {
		return nil
	}
	defer f.Close()
	f.WriteAt(bytes.Join(w.lines, nil), off)
	return nil
}

func (w *mboxWriter) abort() {
	w.truncate()
	w.close()
}

// truncate cuts the file back to where this append began.
func (w *mboxWriter) truncate() {
	d := plan9.Dir{}
	d.Null()
	d.Length = uint64(w.start)
	w.f.Close()
	w.f = nil
	w.s.ns.Wstat(path.Join(w.s.boxDir(), w.file), &d)
}

func (w *mboxWriter) close() {
	if w.f != nil {
		w.f.Close()
	}
	w.lock.Close()
}

// appendCmd runs APPEND (RFC 3501 §6.3.11). The mailbox is checked
// before the message is asked for, and a refused literal is never
// read as commands (spec §5.2); INBOX is mbox.
func (s *session) appendCmd(tag, cmd string) {
	var a wire.Append
	if !s.dec.ExpectSP() || !s.dec.ExpectAppend(&a) {
		if wire.IsTooBig(s.dec.Err()) {
			s.tagged(tag, "NO", "TOOBIG", cmd+" message too big")
			return
		}
		s.parseError(tag, cmd)
		return
	}
	file, err := fileName(a.Mailbox, s.allowList(), false)
	if err != nil {
		s.tagged(tag, "NO", "", cmd+" bad mailbox")
		return
	}
	if _, err := s.ns.Stat(path.Join(s.boxDir(), file)); err != nil {
		if ninep.IsNotExist(err) && file != inboxFile {
			s.tagged(tag, "NO", "TRYCREATE", cmd+" mailbox does not exist")
			return
		}
		if file != inboxFile {
			s.tagged(tag, "NO", "", cmd+" "+err.Error())
			return
		}
		// INBOX may not exist yet: create it.
		if f, err := s.ns.Create(path.Join(s.boxDir(), file), plan9.OREAD, 0600); err == nil {
			f.Close()
		}
	}
	var flags imp.Flags
	for _, f := range a.Flags {
		flags |= flagBits[f]
	}
	date := a.Date
	if date.IsZero() || date.After(time.Now()) {
		date = time.Now()
	}
	w, err := s.openAppend(file)
	if err != nil {
		s.tagged(tag, "NO", "", cmd+" cannot append: "+err.Error())
		return
	}
	var r io.Reader
	if !s.dec.ExpectLiteralData(&r) {
		w.abort()
		s.parseError(tag, cmd)
		return
	}
	w.begin(mbox.FromLine(s.user, date.UTC()))
	last, err := copyMessage(w, r)
	if err == nil && !s.dec.ExpectCRLF() {
		err = s.dec.Err()
	}
	if err == nil {
		err = w.end(last, flags)
	}
	if err != nil {
		w.abort()
		if s.ioErr() {
			return
		}
		s.tagged(tag, "NO", "", cmd+" message save failed: "+err.Error())
		return
	}
	if err := w.commit(); err != nil {
		s.tagged(tag, "NO", "", cmd+" message save failed: "+err.Error())
		return
	}
	s.update(true)
	code := ""
	if validity, uids := s.uidsOf(a.Mailbox, file, w.digests); uids != nil {
		code = fmt.Sprintf("APPENDUID %d %d", validity, uids[0])
	}
	s.tagged(tag, "OK", code, cmd+" completed")
}

// uidsOf gives the messages just appended to file UIDs, by bringing
// that mailbox up to date as STATUS does, and returns the UIDVALIDITY
// and the UIDs of the last messages with these digests, in order, for
// UIDPLUS (RFC 4315 §3); nil if they cannot be told.
func (s *session) uidsOf(name, file string, digests []string) (uint32, []uint32) {
	mb := s.sel
	if mb == nil || mb.file != file {
		var err error
		if mb, err = s.openMailbox(name, file, false, true); err != nil {
			return 0, nil
		}
		defer mb.close()
	} else if err := mb.sync(); err != nil {
		return 0, nil
	}
	uids := make([]uint32, len(digests))
	j := len(digests) - 1
	for i := len(mb.msgs) - 1; i >= 0 && j >= 0; i-- {
		m := mb.msgs[i]
		if m.Expunged || m.Digest != digests[j] {
			continue
		}
		if m.UID == 0 {
			return 0, nil
		}
		uids[j] = m.UID
		j--
	}
	if j >= 0 {
		return 0, nil
	}
	return mb.validity, uids
}

// copyMessage copies a message from an IMAP client into mbox form:
// CRLF becomes LF and every line beginning "From " gets a space (spec
// §2.9, §1.8). It returns the last byte written.
func copyMessage(w *mboxWriter, r io.Reader) (byte, error) {
	br := bufio.NewReaderSize(r, 32<<10)
	var last byte = '\n'
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			if last == '\n' && bytes.HasPrefix(line, []byte("From ")) {
				w.write([]byte{' '})
			}
			if bytes.HasSuffix(line, []byte("\r\n")) {
				line = append(line[:len(line)-2], '\n')
			}
			w.write(line)
			last = line[len(line)-1]
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			return last, nil
		}
		if err != nil {
			return last, err
		}
	}
}

// copyMsgs runs COPY and UID COPY (RFC 3501 §6.4.7): each message's
// From line and stored bytes are appended to the destination, whose
// .imp gets a uid-0 line with the flags (spec §2.9).
func (s *session) copyMsgs(tag, cmd string, uid bool) {
	if targets, code, ok := s.copyTargets(tag, cmd, uid, false); ok {
		s.update(true)
		s.tagged(tag, "OK", code(targets), cmd+" completed")
	}
}

// moveMsgs runs MOVE and UID MOVE (RFC 6851): a COPY, then the
// messages copied are expunged from the selected mailbox, the COPYUID
// in an untagged OK before the EXPUNGE responses (§4.3). Each message
// is moved or left alone: the copies are committed before any original
// is deleted (§3.3).
func (s *session) moveMsgs(tag, cmd string, uid bool) {
	targets, code, ok := s.copyTargets(tag, cmd, uid, true)
	if !ok {
		return
	}
	if c := code(targets); c != "" {
		s.untagged("OK", c, "moved")
	}
	var nums []int
	for _, t := range targets {
		nums = append(nums, t.m.num)
	}
	if err := s.sel.expunge(nums); err != nil {
		s.tagged(tag, "NO", "", cmd+" copied but could not expunge: "+err.Error())
		return
	}
	s.update(true)
	s.tagged(tag, "OK", "", cmd+" completed")
}

// copyTargets copies the messages a COPY or MOVE names to the mailbox
// it names, and returns them with a function that makes the COPYUID
// code for them ("" when the UIDs are not known); on failure it has
// answered the command. A MOVE (move) needs a read-write mailbox.
func (s *session) copyTargets(tag, cmd string, uid, move bool) ([]target, func([]target) string, bool) {
	var set wire.SeqSet
	var name string
	if !s.dec.ExpectSP() || !s.dec.ExpectSeqSet(&set) || !s.dec.ExpectSP() ||
		!s.dec.ExpectMailbox(&name) || !s.dec.ExpectCRLF() {
		s.parseError(tag, cmd)
		return nil, nil, false
	}
	if move && s.sel.readOnly {
		s.tagged(tag, "NO", "READ-ONLY", cmd+" mailbox is read-only")
		return nil, nil, false
	}
	s.update(uid)
	targets, ok := s.resolve(set, uid)
	if !ok {
		s.tagged(tag, "BAD", "", cmd+" invalid message sequence number")
		return nil, nil, false
	}
	file, err := fileName(name, s.allowList(), false)
	if err != nil {
		s.tagged(tag, "NO", "", cmd+" bad mailbox")
		return nil, nil, false
	}
	if _, err := s.ns.Stat(path.Join(s.boxDir(), file)); err != nil {
		s.tagged(tag, "NO", "TRYCREATE", cmd+" mailbox does not exist")
		return nil, nil, false
	}
	for _, t := range targets {
		if t.m.Expunged {
			s.tagged(tag, "NO", "EXPUNGEISSUED", cmd+" some messages were expunged")
			return nil, nil, false
		}
	}
	w, err := s.openAppend(file)
	if err != nil {
		s.tagged(tag, "NO", "", cmd+" cannot append: "+err.Error())
		return nil, nil, false
	}
	for _, t := range targets {
		if err := s.copyOne(w, t.m); err != nil {
			w.abort()
			s.tagged(tag, "NO", "", cmd+" failed: "+err.Error())
			return nil, nil, false
		}
	}
	if err := w.commit(); err != nil {
		s.tagged(tag, "NO", "", cmd+" failed: "+err.Error())
		return nil, nil, false
	}
	code := func(targets []target) string {
		validity, uids := s.uidsOf(name, file, w.digests)
		if uids == nil || len(targets) == 0 {
			return ""
		}
		src := make([]uint32, len(targets))
		for i, t := range targets {
			src[i] = t.m.UID
		}
		return fmt.Sprintf("COPYUID %d %s %s", validity, wire.SeqSetOf(src), wire.SeqSetOf(uids))
	}
	return targets, code, true
}

// copyOne appends one message of the selected mailbox: rawunix, as
// stored, so its digest is unchanged.
func (s *session) copyOne(w *mboxWriter, m *msg) error {
	f, err := s.fs.OpenFile(s.sel.box, m.num, nil, upasfs.FileRawUnix)
	if err != nil {
		return err
	}
	defer f.Close()
	w.sum = sha1.New()
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
	if w.sum == nil {
		return errors.New("empty message")
	}
	return w.end(last, m.Flags)
}
