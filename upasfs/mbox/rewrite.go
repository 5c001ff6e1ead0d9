package mbox

import (
	"bufio"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// defaultPerm is the mode of a rewritten mailbox whose old file cannot
// be stat'ed: Plan 9's MBOXMODE (spec §1.8).
const defaultPerm fs.FileMode = 0662

// Rewrite replaces the mailbox at path by the messages keep, their
// bytes read from src (the currently open old file), each written
// followed by exactly one '\n', in order (spec §1.8; p9p §5). It writes
// path+".tmp" (O_EXCL, permission bits copied from the old file,
// default 0662 as Plan 9), fsyncs it, renames it over path and fsyncs
// the directory. The caller holds the Lock. It returns keep's new
// locations in the new file (same Digests). If keep is empty the file
// becomes 0 bytes; it is never removed.
//
// Every message's bytes are checked against its Digest while they are
// copied; on a mismatch or short read (src changed under us) nothing is
// replaced. A .tmp left by a crash is removed first, but only while
// path exists: otherwise the .tmp may be the only copy and Rewrite
// fails (call Recover). On error path is untouched and no .tmp is left.
func Rewrite(path string, src io.ReaderAt, keep []Msg) ([]Msg, error) {
	perm := defaultPerm
	st, err := os.Stat(path)
	switch {
	case err == nil:
		perm = st.Mode().Perm()
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("mbox: rewrite: %w", err)
	}
	tmp := path + ".tmp"
	f, err := createTmp(path, tmp, perm)
	if err != nil {
		return nil, err
	}
	out, err := writeMsgs(f, src, keep)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("mbox: rewrite %s: %w", path, err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	return out, nil
}

// createTmp creates the rewrite's temporary file tmp exclusively with
// mode perm (not masked by the umask). An existing tmp is a crashed
// rewrite's: removed if path exists, an error if not.
func createTmp(path, tmp string, perm fs.FileMode) (*os.File, error) {
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if errors.Is(err, fs.ErrExist) {
		if _, serr := os.Stat(path); serr != nil {
			return nil, fmt.Errorf("mbox: rewrite: %s exists and %s does not (Recover first): %w", tmp, path, err)
		}
		if rerr := os.Remove(tmp); rerr != nil {
			return nil, fmt.Errorf("mbox: rewrite: %w", rerr)
		}
		f, err = os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	}
	if err != nil {
		return nil, fmt.Errorf("mbox: rewrite: %w", err)
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("mbox: rewrite: %w", err)
	}
	return f, nil
}

// writeMsgs copies each message of keep from src to w, followed by
// "\n", checking its digest, and returns the new locations.
func writeMsgs(w io.Writer, src io.ReaderAt, keep []Msg) ([]Msg, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	h := sha1.New()
	buf := make([]byte, 64<<10)
	var sum [sha1.Size]byte
	out := make([]Msg, len(keep))
	var off int64
	for i, m := range keep {
		h.Reset()
		n, err := io.CopyBuffer(io.MultiWriter(bw, h), io.NewSectionReader(src, m.Off, m.Len), buf)
		switch {
		case err != nil:
			return nil, fmt.Errorf("message at offset %d: %w", m.Off, err)
		case n != m.Len:
			return nil, fmt.Errorf("message at offset %d: short read (%d of %d bytes)", m.Off, n, m.Len)
		case [sha1.Size]byte(h.Sum(sum[:0])) != m.Digest:
			return nil, fmt.Errorf("message at offset %d: content does not match digest %s", m.Off, m.DigestHex())
		}
		if err := bw.WriteByte('\n'); err != nil {
			return nil, err
		}
		out[i] = m
		out[i].Off = off
		off += m.Len + 1
	}
	return out, bw.Flush()
}

// Recover finishes or undoes an interrupted Rewrite (spec §1.8); call it
// under the Lock before opening the mailbox. If path is missing and
// path+".tmp" exists, the .tmp is renamed into place (Plan 9 removes
// then renames, so a crash can leave only the .tmp). If both exist the
// .tmp is an unfinished rewrite and is removed. Then an append record
// left behind (see Intent) has its torn tail removed.
func Recover(path string) error {
	if err := recoverTmp(path); err != nil {
		return err
	}
	return recoverAppend(path)
}

func recoverTmp(path string) error {
	tmp := path + ".tmp"
	if _, err := os.Lstat(tmp); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("mbox: recover: %w", err)
	}
	_, err := os.Lstat(path)
	switch {
	case err == nil:
		if err := os.Remove(tmp); err != nil {
			return fmt.Errorf("mbox: recover: %w", err)
		}
		return nil
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("mbox: recover: %w", err)
		}
		return syncDir(filepath.Dir(path))
	default:
		return fmt.Errorf("mbox: recover: %w", err)
	}
}
