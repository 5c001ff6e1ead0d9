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
	"slices"
	"time"

	"9fans.net/go/plan9"

	"p9mail/ninep"
	"p9mail/protocol/imap/imp"
	"p9mail/protocol/imap/wire"
	"p9mail/protocol/mailfs"
	"p9mail/upasfs/mbox"
)

// An mboxWriter appends messages to a mailbox file through the name
// space (spec §2.9): under the lock of the mailbox's directory, at the
// file's end, each as a From line, the message and one empty line,
// with the digest upasfs will compute (spec §1.4) for the .imp line.
//
// Each message is spooled whole (appendspool.go) before its first
// byte goes to the file, and an append record (mbox.Intent, in
// appendrecord.go) naming it is written before it: if this process or
// the upasfs serving the file dies half-way, the next writer under the
// lock (or upasfs, before it parses the file again) cuts the torn
// batch back (docs/campaign.md, bug 3).
type mboxWriter struct {
	s     *session
	file  string // relative to the mail directory
	name  string // in the name space
	f     ninep.File
	lock  io.Closer
	start int64     // where this append began, to undo a failed one
	off   int64     // the file's end: what is before it was written whole
	sep   []byte    // the separator the first message needs before it
	whole hash.Hash // SHA-1 of the message with its separator, for the record

	msg  spool     // the message being written
	sum  hash.Hash // its digest
	head []byte    // its first bytes: the From line, for the record
	err  error     // the first failure writing it

	rec     ninep.File // the append record, from the first message on
	recLen  int        // its length
	lines   [][]byte   // .imp uid-0 lines to add
	digests []string   // of the messages appended, in order
}

// openAppend locks file's directory and opens file to append to it.
// The caller holds this server's turn at that lock (queue) until it has
// the UIDs of what it appended (uidsOf), so that no session of this
// server changes the mailbox in between. An append left torn by a
// writer that died is repaired first (mailfs.RecoverAppend).
func (s *session) openAppend(file string) (*mboxWriter, error) {
	lock, err := s.lock(file)
	if err != nil {
		return nil, err
	}
	name := path.Join(s.boxDir(), file)
	if err := mailfs.RecoverAppend(s.ns, name); err != nil {
		lock.Close()
		return nil, err
	}
	f, err := s.ns.Open(name, plan9.ORDWR)
	if err != nil {
		lock.Close()
		return nil, err
	}
	w := &mboxWriter{s: s, file: file, name: name, f: f, lock: lock, msg: spool{max: appendSpoolMem}}
	d, err := f.Stat()
	if err == nil {
		w.start, w.off = int64(d.Length), int64(d.Length)
		err = w.endLastMessage()
	}
	if err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

// endLastMessage makes the file's last message end with its empty
// line (spec §1.8): the separator written before the first message.
func (w *mboxWriter) endLastMessage() error {
	if w.start == 0 {
		return nil
	}
	var tail [2]byte
	k := min(2, w.start)
	n, err := w.f.ReadAt(tail[:k], w.start-k)
	if n < int(k) {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("read the end of %s: %w", w.file, err)
	}
	switch {
	case k == 2 && tail[0] == '\n' && tail[1] == '\n', k == 1 && tail[0] == '\n':
	case tail[k-1] == '\n':
		w.sep = []byte("\n")
	default:
		w.sep = []byte("\n\n")
	}
	return nil
}

// begin starts a message with its From line (ending in "\n").
func (w *mboxWriter) begin(fromLine string) {
	w.beginRaw()
	w.write([]byte(fromLine))
}

// beginRaw starts a message whose data begins with its From line.
func (w *mboxWriter) beginRaw() {
	w.sum, w.whole = sha1.New(), sha1.New()
	w.whole.Write(w.sep)
	w.head = w.head[:0]
	w.err = w.msg.reset()
}

// write adds p to the message and its digest; a failure is kept for
// end.
func (w *mboxWriter) write(p []byte) {
	w.sum.Write(p)
	w.spoolWrite(p)
}

func (w *mboxWriter) spoolWrite(p []byte) {
	if w.err != nil {
		return
	}
	if k := min(len(p), maxRecordFrom-len(w.head)); k > 0 {
		w.head = append(w.head, p[:k]...)
	}
	w.whole.Write(p)
	w.err = w.msg.write(p)
}

// end finishes a message: its last line ended, the empty line after
// it, and a uid-0 .imp line with its digest and flags. The message is
// written to the file here, after its append record.
func (w *mboxWriter) end(last byte, flags imp.Flags) error {
	if last != '\n' {
		w.write([]byte{'\n'})
	}
	digest := hex.EncodeToString(w.sum.Sum(nil))
	w.spoolWrite([]byte("\n"))
	if w.err != nil {
		return fmt.Errorf("spool the message: %w", w.err)
	}
	line, err := imp.NewLine(digest, 0, flags&imp.System)
	if err != nil {
		return err
	}
	if err := w.writeMessage(); err != nil {
		return err
	}
	w.lines = append(w.lines, line)
	w.digests = append(w.digests, digest)
	return nil
}

// writeMessage writes the record of the spooled message, then the
// message (after the separator, before the first one).
func (w *mboxWriter) writeMessage() error {
	if !bytes.HasPrefix(w.head, []byte("From ")) {
		return errors.New("a message without a From line")
	}
	from := w.off + int64(len(w.sep))
	end := from + w.msg.n
	if err := w.writeRecord(from, end); err != nil {
		return err
	}
	if len(w.sep) > 0 {
		if err := writeAllAt(w.f, w.sep, w.off); err != nil {
			return fmt.Errorf("write %s: %w", w.file, err)
		}
		w.sep = nil
	}
	if err := w.msg.writeTo(w.f, from); err != nil {
		return fmt.Errorf("write %s: %w", w.file, err)
	}
	w.off = end
	return nil
}

// commit adds the messages' .imp lines (creating the .imp as imap4d
// does, spec §2.9) and removes the append record. When a step fails,
// the mailbox is cut back to where the append began, so the client's
// NO means the messages are not there: a retry duplicates nothing.
func (w *mboxWriter) commit() error {
	defer w.close()
	err := w.f.Close()
	w.f = nil
	if err != nil {
		return w.undo(fmt.Errorf("close %s: %w", w.file, err))
	}
	if err := w.addLines(); err != nil {
		return w.undo(err)
	}
	if err := w.removeRecord(); err != nil {
		// The messages are whole and listed: the record left behind
		// says so to the next writer (mbox.Intent.Damage), which
		// removes it.
		w.s.cfg.Log.Warn("imap append record", "user", w.s.user, "box", w.file, "err", err)
	}
	return nil
}

// cutTornLine returns where lines may be appended to the .imp f of
// size off: off itself, or, when a crash cut its last line short, the
// end of the last whole line, to which the file is cut back (a line
// glued to the torn one would make the whole file bad).
func (w *mboxWriter) cutTornLine(f ninep.File, name string, off int64) (int64, error) {
	if off == 0 {
		return 0, nil
	}
	tail := make([]byte, min(off, 2*imp.LineLen))
	if _, err := f.ReadAt(tail, off-int64(len(tail))); err != nil && err != io.EOF {
		return 0, fmt.Errorf("read %s: %w", name, err)
	}
	i := bytes.LastIndexByte(tail, '\n')
	if i == len(tail)-1 || i < 0 {
		return off, nil // whole, or no .imp at all: the commit judges it
	}
	cut := off - int64(len(tail)-1-i)
	if err := truncate(w.s.ns, name, cut); err != nil {
		return 0, fmt.Errorf("cut %s back to its last line: %w", name, err)
	}
	w.s.cfg.Log.Warn("imap .imp torn", "user", w.s.user, "box", w.file, "cut", off-cut)
	return cut, nil
}

// addLines appends the uid-0 lines to the .imp, creating it when
// missing with the mailbox's mtime as UIDVALIDITY and UIDNEXT 1 (spec
// §2.5). A failed write is cut back off: a part of a line would make
// the whole file bad, and every message get a new UID.
func (w *mboxWriter) addLines() error {
	impName := path.Join(w.s.boxDir(), w.file+".imp")
	f, err := w.s.ns.Open(impName, plan9.ORDWR)
	if ninep.IsNotExist(err) {
		// A replacement left by a crash in writeImp is the .imp: put
		// it in place rather than start a new one (new UIDs for all).
		tmp := impTempOf(w.s.boxDir(), w.file)
		if _, serr := w.s.ns.Stat(tmp); serr == nil {
			d := plan9.Dir{}
			d.Null()
			d.Name = path.Base(impName)
			if err := w.s.ns.Wstat(tmp, &d); err != nil {
				return fmt.Errorf("rename %s: %w", tmp, err)
			}
			f, err = w.s.ns.Open(impName, plan9.ORDWR)
		}
	}
	var off int64
	switch {
	case ninep.IsNotExist(err):
		var d *plan9.Dir
		if d, err = w.s.ns.Stat(path.Join(w.s.boxDir(), w.file)); err != nil {
			return err
		}
		// It gets its mailbox's permission bits (spec §2.5).
		if f, err = mailfs.CreateExact(w.s.ns, impName, plan9.ORDWR, plan9.Perm(d.Mode&0777)); err != nil {
			return err
		}
		hdr := imp.Header(w.s.srv.newValidity(d.Mtime), 1)
		if _, err := f.WriteAt(hdr, 0); err != nil {
			f.Close()
			if rerr := w.s.ns.Remove(impName); rerr != nil {
				return fmt.Errorf("write %s: %w; remove it: %v", impName, err, rerr)
			}
			return fmt.Errorf("write %s: %w", impName, err)
		}
		off = int64(len(hdr))
	case err != nil:
		return err
	default:
		d, err := f.Stat()
		if err != nil {
			f.Close()
			return err
		}
		off = int64(d.Length)
		if off, err = w.cutTornLine(f, impName, off); err != nil {
			f.Close()
			return err
		}
	}
	if _, err := f.WriteAt(bytes.Join(w.lines, nil), off); err != nil {
		f.Close()
		if terr := truncate(w.s.ns, impName, off); terr != nil {
			return fmt.Errorf("write %s: %w; cut it back: %v", impName, err, terr)
		}
		return fmt.Errorf("write %s: %w", impName, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", impName, err)
	}
	return nil
}

// abort undoes the append (a failed undo is logged, see undo); the
// caller answers NO.
func (w *mboxWriter) abort() {
	_ = w.undo(nil)
	w.close()
}

// undo cuts the mailbox back to where this append began and removes
// the record, and returns err (why it is undone) with the undo's own
// failure, if any, which is logged too: the messages then stay in the
// mailbox although the client is told NO, and the record stays for the
// next writer to cut them back.
func (w *mboxWriter) undo(err error) error {
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
	terr := mailfs.Truncate(w.s.ns, w.name, w.start)
	if terr == nil {
		terr = w.removeRecord()
	} else {
		terr = fmt.Errorf("cut %s back to %d bytes: %w", w.file, w.start, terr)
	}
	if terr == nil {
		return err
	}
	w.s.cfg.Log.Error("imap append undo", "user", w.s.user, "box", w.file, "err", terr)
	if err == nil {
		return terr
	}
	return fmt.Errorf("%w; %v", err, terr)
}

// truncate cuts the file name of ns to length bytes.
func truncate(ns ninep.FS, name string, length int64) error {
	return mailfs.Truncate(ns, name, length)
}

// close closes the mailbox file and the record, drops the spool and
// unlocks. What was to be written has been (commit) or undone (undo),
// so a failure here only logs.
func (w *mboxWriter) close() {
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
	if w.rec != nil {
		w.rec.Close()
		w.rec = nil
	}
	if err := w.msg.close(); err != nil {
		w.s.cfg.Log.Warn("imap append spool", "user", w.s.user, "box", w.file, "err", err)
	}
	if err := w.lock.Close(); err != nil {
		w.s.cfg.Log.Warn("imap unlock", "user", w.s.user, "box", w.file, "err", err)
	}
}

// appendCmd runs APPEND (RFC 3501 §6.3.11). The mailbox is checked
// before the message is asked for, and a refused literal is never
// read as commands (spec §5.2); INBOX is mbox.
func (s *session) appendCmd(tag, cmd string) error {
	var a wire.Append
	if !s.dec.ExpectSP() || !s.dec.ExpectAppend(&a) {
		if wire.IsTooBig(s.dec.Err()) {
			return no("TOOBIG", cmd+" message too big")
		}
		return s.parseError(cmd)
	}
	file, err := fileName(a.Mailbox, s.allowList(), false)
	if err != nil {
		return no("CANNOT", cmd+" bad mailbox name")
	}
	if _, err := s.ns.Stat(path.Join(s.boxDir(), file)); err != nil {
		if ninep.IsNotExist(err) && file != inboxFile {
			return no("TRYCREATE", cmd+" mailbox does not exist")
		}
		if file != inboxFile {
			return no("", cmd+" "+err.Error())
		}
		// INBOX may not exist yet: create it, private (Plan 9's APPEND
		// never did; spec §2.9).
		f, err := mailfs.Create(s.ns, path.Join(s.boxDir(), file), plan9.OREAD, 0600)
		if err == nil {
			err = f.Close()
		}
		if err != nil {
			return no("", cmd+" cannot create INBOX: "+err.Error())
		}
	}
	// This server's turn at the lock, from the append to its UID
	// (RFC 4315 §3): no other session comes in between.
	release, err := s.queue(file)
	if err != nil {
		return no("", cmd+" cannot append: "+err.Error())
	}
	code, err := s.appendAll(file, a)
	release()
	if err != nil {
		if s.ioErr() {
			return nil
		}
		if errors.Is(err, errParse) {
			if wire.IsTooBig(s.dec.Err()) {
				return no("TOOBIG", cmd+" message too big")
			}
			return s.parseError(cmd)
		}
		if errors.Is(err, errBinary) {
			return no("UNKNOWN-CTE", cmd+" "+err.Error())
		}
		var re *replyError
		if errors.As(err, &re) {
			return err // TOOBIG, BADURL: said already
		}
		return no("", cmd+" message save failed: "+err.Error())
	}
	s.update(true)
	s.tagged(tag, "OK", code, cmd+" completed")
	return nil
}

var errParse = errors.New("parse error")

// appendFlags splits APPEND's flag list into the .imp's flags and the
// keywords carried into the state file with the UID.
func appendFlags(list []string) (imp.Flags, []string) {
	var flags imp.Flags
	var keywords []string
	for _, f := range list {
		if b, ok := flagBits[f]; ok {
			flags |= b
		} else if f != `\Recent` && !slices.Contains(keywords, f) {
			keywords = append(keywords, f)
		}
	}
	return flags, keywords
}

// appendAll appends the message of APPEND's literal to file, and, for
// MULTIAPPEND (RFC 3502), every message after it, in one go: all of
// them or, when one fails (its data, its arguments, a limit), none
// (abort cuts the mailbox back to where the first began). It returns
// the APPENDUID code ("" when the UIDs cannot be told). On an error
// nothing of it is left in the mailbox, unless the undo failed too,
// which the error says. The caller holds this server's turn at file's
// lock. errParse: the command's syntax failed (s.dec.Err says how).
func (s *session) appendAll(file string, a wire.Append) (string, error) {
	// The writer, and with it the lock, comes with the first message
	// to write: a CATENATE message's URLs are read before (catenate.go).
	var w *mboxWriter
	name := a.Mailbox
	var keywords [][]string
	for more := true; more; {
		flags, kw := appendFlags(a.Flags)
		keywords = append(keywords, kw)
		date := a.Date
		if date.IsZero() || date.After(time.Now()) {
			date = time.Now()
		}
		var r io.Reader
		if a.Catenate {
			b, err := s.catenate(w != nil)
			if err != nil {
				if w != nil {
					w.abort()
				}
				return "", err
			}
			r = bytes.NewReader(b)
		}
		if w == nil {
			var err error
			if w, err = s.openAppend(file); err != nil {
				return "", err
			}
		}
		if !a.Catenate && !s.dec.ExpectLiteralData(&r) {
			w.abort()
			return "", errParse
		}
		if a.Literal.Binary {
			if a.Literal.Size > s.cfg.MaxBinaryAppend {
				w.abort()
				return "", no("TOOBIG", fmt.Sprintf("APPEND literal8 of %d octets over the limit of %d", a.Literal.Size, s.cfg.MaxBinaryAppend))
			}
			b, err := readBinary(r, a.Literal.Size)
			if err == nil {
				b, err = reencode(b, 0)
			}
			if err != nil {
				w.abort()
				return "", err
			}
			r = bytes.NewReader(b)
		}
		w.begin(mbox.FromLine(s.user, date.UTC()))
		last, err := copyMessage(w, r)
		if err == nil {
			err = w.end(last, flags)
		}
		if err != nil {
			w.abort()
			return "", err
		}
		// The literals' count and sizes are bounded by the decoder's
		// Limits (MaxLiterals, MaxLiteral), checked at each header.
		if !s.dec.ExpectAppendNext(&a, &more) {
			w.abort()
			return "", errParse
		}
	}
	if err := w.commit(); err != nil {
		return "", err
	}
	validity, uids := s.uidsOf(name, file, w.digests, keywords)
	if uids == nil {
		return "", nil
	}
	return fmt.Sprintf("APPENDUID %d %s", validity, wire.SeqSetOf(uids)), nil
}

// errBinary refuses a literal8 message that the mailbox cannot give
// back as it came, even base64-encoded (appendbinary.go; RFC 3516
// §4.4: NO [UNKNOWN-CTE]).
var errBinary = errors.New("binary content that cannot be stored in an mbox")

// uidsOf gives the messages just appended to file UIDs, by bringing
// that mailbox up to date as STATUS does, and returns the UIDVALIDITY
// and the UIDs of the last messages with these digests, in order, for
// UIDPLUS (RFC 4315 §3); nil if they cannot be told (one was expunged
// by another process meanwhile). The caller has held this server's
// turn at file's lock since it appended them, so they are the last
// messages with these digests, and the UIDs, written to the .imp under
// the lock, are theirs for good.
//
// keywords, if not nil, are the keywords of each message (index for
// index with digests), recorded in the mailbox's state file once the
// messages have their UIDs (as far as the keyword limits allow; past
// them a message keeps its flags and loses the keywords, logged).
func (s *session) uidsOf(name, file string, digests []string, keywords [][]string) (uint32, []uint32) {
	mb := s.sel
	var err error
	if mb == nil || mb.file != file {
		if mb, err = s.openMailbox(name, file, false, true); err == nil {
			defer mb.close()
		}
	} else {
		err = mb.sync()
	}
	if err != nil {
		s.cfg.Log.Warn("imap uidplus", "user", s.user, "box", name, "err", err)
		return 0, nil
	}
	uids := make([]uint32, len(digests))
	found := make([]*msg, len(digests))
	j := len(digests) - 1
	for i := len(mb.msgs) - 1; i >= 0 && j >= 0; i-- {
		m := mb.msgs[i]
		if m.Expunged || m.Digest != digests[j] {
			continue
		}
		if m.UID == 0 {
			return 0, nil
		}
		uids[j], found[j] = m.UID, m
		j--
	}
	if j >= 0 {
		return 0, nil
	}
	if err := mb.carryKeywords(found, keywords); err != nil {
		s.cfg.Log.Warn("imap keywords", "user", s.user, "box", name, "err", err)
	}
	return mb.validity, uids
}

// carryKeywords gives msgs (just appended or copied) their keywords in
// the state file.
func (mb *mailbox) carryKeywords(msgs []*msg, keywords [][]string) error {
	if !slices.ContainsFunc(keywords, func(k []string) bool { return len(k) > 0 }) {
		return nil
	}
	cfg := mb.s.cfg
	var limit error
	err := mb.commit(func() bool {
		for i, m := range msgs {
			kw := keywords[min(i, len(keywords)-1)]
			if len(kw) > cfg.MaxMessageKeywords {
				kw, limit = kw[:cfg.MaxMessageKeywords], fmt.Errorf("message with %d keywords (limit %d)", len(kw), cfg.MaxMessageKeywords)
			}
			if _, err := mb.addKeywords(kw, cfg.MaxKeywords); err != nil {
				limit = err
				continue
			}
			for _, k := range kw {
				if n, ok := mb.keyword(k); ok {
					m.keywords.set(n)
				}
			}
		}
		return true
	})
	return errors.Join(err, limit)
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
