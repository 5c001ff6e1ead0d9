package mailfs

import (
	"errors"
	"fmt"
	"io"
	"path"

	"9fans.net/go/plan9"

	"p9mail/ninep"
	"p9mail/upasfs/mbox"
)

// ErrSpliceNeeded is a torn append with another agent's mail after it,
// which only a rewrite on the mail host can take out (mbox.Recover, by
// upasfs or the next writer there): a writer through a name space
// waits for that and fails meanwhile.
var ErrSpliceNeeded = errors.New("a torn append is followed by other mail: waiting for the mail host to repair it")

// IntentOf is the append record's name (mbox.IntentName) of the
// mailbox file name in a name space.
func IntentOf(name string) string {
	return path.Join(path.Dir(name), mbox.IntentName(path.Base(name)))
}

// RecoverAppend honours the append record of the mailbox file name, if
// one is left by a writer that died (mbox.Intent): the torn tail it
// finds is cut off and the record removed. The caller holds the
// directory's L.mbox. A torn tail followed by another agent's mail is
// ErrSpliceNeeded and the record stays.
func RecoverAppend(ns ninep.FS, name string) error {
	rec := IntentOf(name)
	b, err := readRecord(ns, rec)
	if ninep.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read append record: %w", err)
	}
	// A record that does not parse was torn before anything was
	// appended: it is only removed.
	if in, perr := mbox.ParseIntent(b); perr == nil {
		f, err := ns.Open(name, plan9.OREAD)
		if err != nil && !ninep.IsNotExist(err) {
			return err
		}
		if err == nil {
			d, err := f.Stat()
			var from, to int64
			if err == nil {
				from, to, err = in.Damage(f, int64(d.Length))
			}
			f.Close()
			switch {
			case err != nil:
				return err
			case from != to && to != int64(d.Length):
				return ErrSpliceNeeded
			case from != to:
				if err := Truncate(ns, name, from); err != nil {
					return fmt.Errorf("cut torn append: %w", err)
				}
			}
		}
	}
	if err := ns.Remove(rec); err != nil {
		return fmt.Errorf("remove append record: %w", err)
	}
	return nil
}

// readRecord reads at most one byte more of an append record than a
// record may have (ParseIntent refuses a longer one).
func readRecord(ns ninep.FS, rec string) ([]byte, error) {
	f, err := ns.Open(rec, plan9.OREAD)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, mbox.MaxIntent+1)
	n := 0
	for n < len(b) {
		k, err := f.ReadAt(b[n:], int64(n))
		n += k
		if err == io.EOF || k == 0 && err == nil {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return b[:n], nil
}

// Truncate cuts the file name of ns to length bytes.
func Truncate(ns ninep.FS, name string, length int64) error {
	d := plan9.Dir{}
	d.Null()
	d.Length = uint64(length)
	return ns.Wstat(name, &d)
}
