package server

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"p9mail/upasfs/mbox"
)

// DefaultIndexMin is the default of Store.IndexMin: a mailbox of fewer
// messages is not indexed, since its parse costs about what reading
// the index would (a 1,000-message mbox scans in about 2 ms).
const DefaultIndexMin = 1000

// indexSpots is how many messages besides the first and the last are
// checked against the file before an index is trusted.
const indexSpots = 14

// DefaultIndexDir returns the index directory that cmd/upasfs and the
// front ends use unless told otherwise: p9mail/upasfs in the user's
// cache directory (os.UserCacheDir: $XDG_CACHE_HOME or ~/.cache on
// Linux, $home/lib/cache on Plan 9).
func DefaultIndexDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "p9mail", "upasfs"), nil
}

// PrepareIndexDir makes dir, and its missing parents, with mode 0700,
// and refuses a directory that its group or others may write: an
// index says where each message begins, and a delete rewrites the
// mailbox by it, so nobody but the server may plant one.
func PrepareIndexDir(dir string) error {
	if err := os.MkdirAll(dir, 0700); err != nil {
		return fmt.Errorf("index directory: %w", err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("index directory: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("index directory %s is not a directory", dir)
	}
	if st.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("index directory %s is writable by its group or others (mode %v)", dir, st.Mode().Perm())
	}
	return nil
}

// indexName is the index file of the mailbox file path (cleaned and
// absolute) in dir: the names of its directory (the user's, for a
// mailbox at the top of a mail directory) and of the file, for people,
// then 96 bits of the SHA-256 of the whole path, so that no two
// mailboxes share a file (the index records the path, and one written
// for another path is not used).
func indexName(dir, path string) string {
	label := filepath.Base(filepath.Dir(path)) + "." + filepath.Base(path)
	label = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '_'
	}, label)
	if len(label) > 48 {
		label = label[:48]
	}
	sum := sha256.Sum256([]byte(path))
	return filepath.Join(dir, label+"."+hex.EncodeToString(sum[:12])+".idx")
}

func (s *Store) indexMin() int { return max(s.IndexMin, 1) }

// indexNote reports a failure of the index, which costs only speed.
func (s *Store) indexNote(err error) {
	if s.Logf != nil {
		s.Logf("upasfs: index: %v", err)
		return
	}
	log.Printf("upasfs: index: %v", err)
}

// ScannedBytes returns how many bytes of mailbox files the store's
// parses have read: the measure of what an index saves.
func (s *Store) ScannedBytes() int64 { return s.scanned.Load() }

// scanReader counts into the store the bytes r gives a scan.
func (s *Store) scanReader(r io.Reader) io.Reader { return &countReader{r, &s.scanned} }

type countReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// fromIndex sets b, which has no parse yet, to the parse its index
// records, when the index is intact (decodeIndex), names b's path, and
// the file open now is the one it describes: the same device and
// inode, and either the same size, modification time and change stamp
// or a larger size (mail appended; sync then parses the tail, from the
// last recorded message on, once grow has checked the first and last
// kept messages again); and its first, last and indexSpots evenly
// spaced messages are still in the file byte for byte (unchangedAt).
// It returns the open file's stat for sync to go on with, or nil, with
// b untouched, when the file is to be parsed whole. b.mu is held.
func (b *Box) fromIndex() os.FileInfo {
	s := b.store
	name := indexName(s.IndexDir, b.path)
	data, err := readIndexFile(name)
	if err != nil {
		s.indexNote(err)
		return nil
	}
	if data == nil {
		return nil
	}
	x, err := decodeIndex(data)
	if err != nil {
		s.indexNote(fmt.Errorf("%s: %w", name, err))
		return nil
	}
	if x.Path != b.path || !x.Valid || len(x.Msgs) == 0 {
		return nil
	}
	f, err := b.openFile()
	if err != nil {
		return nil
	}
	st, err := f.Stat()
	if err != nil || !x.ID.describes(st) || !spotCheck(f, x.Msgs) {
		f.Close()
		return nil
	}
	g := newGen(f)
	b.merge(nil, nil, x.Msgs, g)
	b.gen, b.valid = g, true
	b.dev, b.ino, b.size = x.ID.Dev, x.ID.Ino, x.ID.Size
	b.mtime, b.stamp = timeFromNano(x.ID.MTime), x.ID.Stamp
	return st
}

// describes reports whether id may describe the file behind st as it
// is now, or as it was before mail was appended to it.
func (id fileID) describes(st os.FileInfo) bool {
	dev, stamp := devStamp(st)
	if dev != id.Dev || inode(st) != id.Ino {
		return false
	}
	if st.Size() == id.Size {
		return st.ModTime().UnixNano() == id.MTime && stamp == id.Stamp
	}
	return st.Size() > id.Size
}

// spotCheck reports whether the first, the last and indexSpots messages
// evenly spaced between them are where msgs says, byte for byte.
func spotCheck(f io.ReaderAt, msgs []mbox.Msg) bool {
	n := len(msgs)
	for k := 0; k <= indexSpots+1; k++ {
		i := k * (n - 1) / (indexSpots + 1)
		if !unchangedAt(f, msgs[i]) {
			return false
		}
	}
	return true
}

// saveIndex records b's parse in its index when b has at least
// IndexMin messages, and removes a stale index otherwise. It is called
// after a full parse, a tail parse and a rewrite, never when a parse
// was reused. A failure is reported, not returned: the index is a
// cache. b.mu is held.
func (b *Box) saveIndex() {
	s := b.store
	if s.IndexDir == "" || b.gen == nil {
		return
	}
	name := indexName(s.IndexDir, b.path)
	if !b.valid || len(b.msgs) < s.indexMin() {
		if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			s.indexNote(err)
		}
		return
	}
	x := &index{Path: b.path, Valid: true, Msgs: make([]mbox.Msg, len(b.msgs)),
		ID: fileID{Dev: b.dev, Ino: b.ino, Size: b.size, MTime: b.mtime.UnixNano(), Stamp: b.stamp}}
	for i, m := range b.msgs {
		x.Msgs[i] = m.loc
	}
	if err := writeIndexFile(name, encodeIndex(x)); err != nil {
		s.indexNote(err)
	}
}

// readIndexFile returns the index file's bytes, nil if there is none.
// A file over maxIndexBytes is an error, and is not read.
func readIndexFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > maxIndexBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than an index may hold", name, st.Size())
	}
	data, err := io.ReadAll(io.LimitReader(f, maxIndexBytes+1))
	if err != nil {
		return nil, err
	}
	return data, nil
}

// writeIndexFile replaces name by data: a new file (mode 0600) in the
// same directory, renamed over it, so that a reader sees the old index
// or the new one. Nothing is synced to disk: a crash may leave a torn
// file, which decodeIndex refuses.
func writeIndexFile(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), filepath.Base(name)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// timeFromNano is the time ns nanoseconds after the Unix epoch.
func timeFromNano(ns int64) time.Time { return time.Unix(0, ns) }
