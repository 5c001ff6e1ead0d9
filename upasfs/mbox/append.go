package mbox

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Append adds formatted, one or more messages already in mbox form (as
// Format writes them), to the mailbox file path (spec §1.8, §2.9). It
// takes the Lock (waiting up to timeout), finishes an interrupted
// Rewrite (Recover), makes sure the file's existing content, if any,
// ends with the "\n\n" that separates messages (adding what is
// missing) and appends in one write, then fsyncs. The file is created
// mode 0600 if absent. If the write fails the file is cut back to its
// old length, so that no partial message is left.
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
	err = appendFile(f, formatted)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("mbox: append: %w", cerr)
	}
	return err
}

// appendFile writes the missing separator and data at the end of f,
// opened O_APPEND, and fsyncs it.
func appendFile(f *os.File, data []byte) error {
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
	if _, err := f.Write(data); err != nil {
		if terr := f.Truncate(st.Size()); terr != nil {
			err = errors.Join(err, terr)
		}
		return fmt.Errorf("mbox: append: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("mbox: append: %w", err)
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
