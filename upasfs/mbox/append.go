package mbox

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Append adds formatted, one or more messages already in mbox form (as
// Format writes them), to the mailbox file path (spec §1.8, §2.9). It
// takes the Lock (waiting up to timeout), finishes an interrupted
// Rewrite (Recover), makes sure the file's existing content, if any,
// ends with the "\n\n" that separates messages (adding what is
// missing) and appends in one write, then fsyncs. The file is created
// mode 0600 if absent. If the write fails the file is cut back to its
// old length, so that no partial message is left; if the process dies
// during the write, the append record written first (Intent, synced)
// lets the next writer's Recover cut the torn tail off.
func Append(path string, formatted []byte, timeout time.Duration) (err error) {
	if !bytes.HasPrefix(formatted, []byte(fromLine)) {
		return fmt.Errorf("mbox: append to %s: data does not begin with %q", path, fromLine)
	}
	l, err := Lock(path, timeout)
	if err != nil {
		return err
	}
	defer func() {
		if uerr := l.Unlock(); err == nil {
			err = uerr
		}
	}()
	if err := Recover(path); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0600)
	if err != nil {
		return fmt.Errorf("mbox: append: %w", err)
	}
	err = appendFile(f, path, formatted)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("mbox: append: %w", cerr)
	}
	return err
}

// appendFile writes the missing separator and data at the end of f,
// opened O_APPEND, and fsyncs it, under an append record (Intent)
// removed once the data is synced.
func appendFile(f *os.File, path string, data []byte) error {
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("mbox: append: %w", err)
	}
	sep, err := missingSeparator(f, st.Size())
	if err != nil {
		return err
	}
	if len(sep) > 0 {
		data = append([]byte(sep), data...)
	}
	rec := IntentPath(path)
	if err := writeIntent(rec, NewIntent(st.Size(), len(sep), data), st.Mode().Perm()); err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		// Cut back; the record stays if that fails, for Recover.
		if terr := f.Truncate(st.Size()); terr != nil {
			return fmt.Errorf("mbox: append: %w", errors.Join(err, terr))
		}
		if rerr := os.Remove(rec); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return fmt.Errorf("mbox: append: %w", err)
	}
	if err := os.Remove(rec); err != nil {
		return fmt.Errorf("mbox: append: %w", err)
	}
	return nil
}

// writeIntent writes the append record rec and syncs it and its
// directory, so that it is there whatever happens to the append.
func writeIntent(rec string, in Intent, perm os.FileMode) error {
	t, err := os.OpenFile(rec, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm|0600)
	if err != nil {
		return fmt.Errorf("mbox: append record: %w", err)
	}
	_, err = t.Write(in.Marshal())
	if err == nil {
		err = t.Sync()
	}
	if cerr := t.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncDir(filepath.Dir(rec))
	}
	if err != nil {
		os.Remove(rec)
		return fmt.Errorf("mbox: append record: %w", err)
	}
	return nil
}

// missingSeparator returns what must follow the size bytes of r so
// that they end with "\n\n": nothing for an empty file.
func missingSeparator(r io.ReaderAt, size int64) (string, error) {
	if size == 0 {
		return "", nil
	}
	var b [2]byte
	n := min(size, 2)
	if _, err := r.ReadAt(b[2-n:], size-n); err != nil {
		return "", fmt.Errorf("mbox: append: read end of file: %w", err)
	}
	switch {
	case n == 2 && b == [2]byte{'\n', '\n'}:
		return "", nil
	case b[1] == '\n':
		return "\n", nil
	default:
		return "\n\n", nil
	}
}
