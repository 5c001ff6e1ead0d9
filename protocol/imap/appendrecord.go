package imap

import (
	"bytes"
	"fmt"

	"9fans.net/go/plan9"

	"p9mail/protocol/mailfs"
	"p9mail/upasfs/mbox"
)

// maxRecordFrom is how much of a message's From line its append record
// keeps: a copied message's From line may be long, the record may not
// (mbox.MaxIntent), and a prefix identifies the message as well.
const maxRecordFrom = 1024

// writeRecord writes the append record (mbox.Intent) of the message
// about to be written at from (after the separator, if any, at w.off),
// ending at end, with its SHA-1 (w.whole) and its From line. One record
// file serves the whole batch, rewritten in place before each message
// in one Twrite, padded with spaces to the length of the one before, so
// that it is never a mixture of two records. A message torn by a crash
// is cut back to its start by the next writer; the messages before it
// in the batch, written whole, stay (mbox.Intent.Damage): whole copies
// of an unacknowledged COPY or APPEND may be left by a crash, torn ones
// never are.
func (w *mboxWriter) writeRecord(from, end int64) error {
	fl := w.head
	if i := bytes.IndexByte(fl, '\n'); i >= 0 {
		fl = fl[:i+1]
	}
	in := mbox.Intent{Start: w.off, From: from, Len: end - w.off, FromLine: string(fl)}
	copy(in.Sum[:], w.whole.Sum(nil))
	b := in.Marshal()
	if pad := w.recLen - len(b); pad > 0 {
		b = append(append(b[:len(b)-1:len(b)-1], bytes.Repeat([]byte{' '}, pad)...), '\n')
	}
	if len(b) > mbox.MaxIntent {
		return fmt.Errorf("append record of %d bytes", len(b))
	}
	if w.rec == nil {
		perm, err := mailfs.ModeOf(w.s.ns, w.name)()
		if err != nil {
			return err
		}
		f, err := mailfs.CreateExact(w.s.ns, mailfs.IntentOf(w.name), plan9.OWRITE, perm)
		if err != nil {
			return fmt.Errorf("append record: %w", err)
		}
		w.rec = f
	}
	n, err := w.rec.WriteAt(b, 0)
	if err == nil && n != len(b) {
		err = fmt.Errorf("short write")
	}
	if err != nil {
		return fmt.Errorf("write append record: %w", err)
	}
	w.recLen = len(b)
	return nil
}

// removeRecord removes the append record, if one was written.
func (w *mboxWriter) removeRecord() error {
	if w.rec == nil {
		return nil
	}
	w.rec.Close()
	w.rec = nil
	if err := w.s.ns.Remove(mailfs.IntentOf(w.name)); err != nil {
		return fmt.Errorf("remove append record: %w", err)
	}
	return nil
}
