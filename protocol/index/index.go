// Package index is the gateway's persistent cache of what a message's
// digest determines (DESIGN.md "State and caches"): one append-only
// file per user and mailbox of records keyed by digest, each payload
// whatever the caller encodes (IMAP's message.Structure, POP3's sizes).
//
// It is a cache. Every record carries a CRC-32C over its length,
// digest and payload; a record read back is checked again and must
// name the digest asked for. A file whose magic is wrong is started
// afresh; a scan that meets a bad record or a truncated tail truncates
// the file to the last good record; a record that fails its check when
// read is forgotten. Deleting the directory costs only speed.
//
// File layout: the magic "p9mail index 1\n", then records
//
//	[4 length n, big-endian][4 CRC-32C of the length and the n bytes][n bytes]
//
// where the n bytes are a digest's length (1 byte), the digest and the
// payload. In memory a File keeps only the digest and where its record
// is; payloads are read with ReadAt when asked for.
//
// Writers share a file through O_APPEND, one write per record, and
// flock(2) around every append, scan and truncation (lock_unix.go), so
// servers sharing a directory never interleave or cut each other's
// records; on systems without flock (Plan 9) each server needs its own
// directory.
package index

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

const magic = "p9mail index 1\n"

// Bounds: a record's n bytes and a digest.
const (
	MaxPayload = 8 << 20
	maxDigest  = 255
	headerSize = 8
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// A Dir is an index directory: a subdirectory per user, a file per
// mailbox. It keeps up to maxOpen files open; a File it forgets stays
// usable by whoever holds it and is closed when unreachable.
type Dir struct {
	path string

	mu    sync.Mutex
	files map[string]*File
}

const maxOpen = 256

// OpenDir makes (0700) or opens the index directory path.
func OpenDir(path string) (*Dir, error) {
	if err := os.MkdirAll(path, 0o700); err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	return &Dir{path: path, files: map[string]*File{}}, nil
}

// Path is the directory's path.
func (d *Dir) Path() string { return d.path }

// File returns the index file of a user's mailbox (file: the mailbox's
// name in the user's mail directory), opened and scanned once.
func (d *Dir) File(user, mailbox string) (*File, error) {
	return d.open(filepath.Join(d.path, escape(user), escape(mailbox)+".idx"))
}

// Sibling returns another index file of a user's mailbox, for records
// of another kind (a word of letters): "<mailbox>~<kind>.idx", a name
// no mailbox's own file can have, since escape turns '~' into %7E.
func (d *Dir) Sibling(user, mailbox, kind string) (*File, error) {
	return d.open(d.siblingName(user, mailbox, kind))
}

// HasSibling reports whether the sibling file exists, without opening
// it (a descriptor per mailbox that never needed one).
func (d *Dir) HasSibling(user, mailbox, kind string) bool {
	_, err := os.Stat(d.siblingName(user, mailbox, kind))
	return err == nil
}

func (d *Dir) siblingName(user, mailbox, kind string) string {
	return filepath.Join(d.path, escape(user), escape(mailbox)+"~"+escape(kind)+".idx")
}

func (d *Dir) open(name string) (*File, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if f := d.files[name]; f != nil {
		return f, nil
	}
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	f, err := Open(name)
	if err != nil {
		return nil, err
	}
	for k := range d.files {
		if len(d.files) < maxOpen {
			break
		}
		delete(d.files, k)
	}
	d.files[name] = f
	return f, nil
}

// escape makes s one file name: bytes other than letters, digits, '-'
// and '_' (and '.', but not leading) become %XX.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' && i > 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// A File is one index file, safe for concurrent use.
type File struct {
	name string

	mu   sync.RWMutex
	f    *os.File
	end  int64          // the file's length as far as scanned
	recs map[string]loc // digest → record
	all  int            // records in the file, superseded ones included
}

type loc struct {
	off int64 // of the record's header
	n   uint32
}

// Open opens (creating it 0600) and scans the index file name.
func Open(name string) (*File, error) {
	x := &File{name: name}
	if err := x.reopen(); err != nil {
		return nil, err
	}
	return x, nil
}

// reopen opens the file at x.name afresh and scans it, under the lock.
// x.mu is held or x is new.
func (x *File) reopen() error {
	f, err := os.OpenFile(x.name, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if x.f != nil {
		x.f.Close()
	}
	x.f, x.end, x.recs, x.all = f, 0, map[string]loc{}, 0
	return x.locked(x.scan)
}

// locked runs fn holding the file's flock.
func (x *File) locked(fn func() error) error {
	if err := lockFile(x.f); err != nil {
		return fmt.Errorf("index: lock: %w", err)
	}
	defer unlockFile(x.f)
	return fn()
}

// scan reads the records from x.end to the end of the file into
// x.recs. A bad magic starts the file afresh; a bad or truncated
// record cuts the file there. The flock is held.
func (x *File) scan() error {
	if x.end == 0 {
		head := make([]byte, len(magic))
		n, err := x.f.ReadAt(head, 0)
		if err != nil && err != io.EOF {
			return fmt.Errorf("index: %w", err)
		}
		if string(head[:n]) != magic {
			if err := x.f.Truncate(0); err != nil {
				return fmt.Errorf("index: %w", err)
			}
			if _, err := x.f.Write([]byte(magic)); err != nil {
				return fmt.Errorf("index: %w", err)
			}
		}
		x.end = int64(len(magic))
	}
	r := bufio.NewReaderSize(io.NewSectionReader(x.f, x.end, 1<<62), 64<<10)
	var body []byte
	for {
		digest, n, err := readRecord(r, &body)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			// A bad record or a truncated tail: what follows is not
			// to be trusted.
			if err := x.f.Truncate(x.end); err != nil {
				return fmt.Errorf("index: %w", err)
			}
			return nil
		}
		x.recs[digest] = loc{off: x.end, n: n}
		x.all++
		x.end += headerSize + int64(n)
	}
}

var errBad = errors.New("index: bad record")

// readRecord reads one record from r into *body and returns its digest
// and its length n; io.EOF at a clean end, errBad for anything else.
func readRecord(r io.Reader, body *[]byte) (digest string, n uint32, err error) {
	var h [headerSize]byte
	if k, err := io.ReadFull(r, h[:]); err != nil {
		if err == io.EOF && k == 0 {
			return "", 0, io.EOF
		}
		return "", 0, errBad
	}
	n = binary.BigEndian.Uint32(h[:4])
	if n < 2 || n > MaxPayload+1+maxDigest {
		return "", 0, errBad
	}
	if cap(*body) < int(n) {
		*body = make([]byte, n)
	}
	b := (*body)[:n]
	if _, err := io.ReadFull(r, b); err != nil {
		return "", 0, errBad
	}
	d, ok := check(h, b)
	if !ok {
		return "", 0, errBad
	}
	return d, n, nil
}

// check verifies a record's CRC and returns its digest.
func check(h [headerSize]byte, b []byte) (string, bool) {
	crc := crc32.Update(crc32.Checksum(h[:4], castagnoli), castagnoli, b)
	if crc != binary.BigEndian.Uint32(h[4:]) {
		return "", false
	}
	dl := int(b[0])
	if dl == 0 || 1+dl > len(b) {
		return "", false
	}
	return string(b[1 : 1+dl]), true
}

// Len is how many digests the file holds.
func (x *File) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.recs)
}

// Get returns the payload kept for digest, checked. A digest the file
// does not hold may have been added by another server: if the file has
// grown, the new records are scanned first.
func (x *File) Get(digest string) ([]byte, bool) {
	x.mu.RLock()
	p, found, ok := x.get(digest)
	x.mu.RUnlock()
	if found {
		if !ok {
			x.forget(digest)
		}
		return p, ok
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if st, err := x.f.Stat(); err != nil || st.Size() <= x.end {
		return nil, false
	}
	if err := x.locked(x.scan); err != nil {
		return nil, false
	}
	p, found, ok = x.get(digest)
	if found && !ok {
		delete(x.recs, digest)
	}
	return p, ok
}

// get reads digest's record; found: the file had one; ok: it checked.
// x.mu is held.
func (x *File) get(digest string) (payload []byte, found, ok bool) {
	l, found := x.recs[digest]
	if !found {
		return nil, false, false
	}
	b := make([]byte, headerSize+int(l.n))
	if _, err := x.f.ReadAt(b, l.off); err != nil {
		return nil, true, false
	}
	h := [headerSize]byte(b[:headerSize])
	if binary.BigEndian.Uint32(h[:4]) != l.n {
		return nil, true, false
	}
	d, good := check(h, b[headerSize:])
	if !good || d != digest {
		return nil, true, false
	}
	return b[headerSize+1+len(d):], true, true
}

func (x *File) forget(digest string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	delete(x.recs, digest)
}

// Put appends a record of payload for digest. A payload over
// MaxPayload or a digest of more than 255 bytes is not kept.
func (x *File) Put(digest string, payload []byte) error {
	return x.PutMany([]Record{{digest, payload}})
}

// A Record is a payload to store under a digest.
type Record struct {
	Digest  string
	Payload []byte
}

// PutMany is Put for several records in one write under one lock: a
// FETCH of a mailbox nobody has seen stores its messages a batch at a
// time (one lock and one write per record cost a cold FETCH of 10,000
// messages several hundred milliseconds).
func (x *File) PutMany(recs []Record) error {
	var buf []byte
	type pending struct {
		digest string
		off    int64
		n      uint32
	}
	var added []pending
	for _, r := range recs {
		if len(r.Payload) > MaxPayload || len(r.Digest) == 0 || len(r.Digest) > maxDigest {
			continue
		}
		rec := encodeRecord(r.Digest, r.Payload)
		added = append(added, pending{r.Digest, int64(len(buf)), uint32(len(rec) - headerSize)})
		buf = append(buf, rec...)
	}
	if len(added) == 0 {
		return nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if err := x.current(); err != nil {
		return err
	}
	return x.locked(func() error {
		// Records others appended since the last scan come first:
		// the new ones go after them.
		if err := x.scan(); err != nil {
			return err
		}
		if _, err := x.f.Write(buf); err != nil {
			return fmt.Errorf("index: %w", err)
		}
		for _, a := range added {
			x.recs[a.digest] = loc{off: x.end + a.off, n: a.n}
			x.all++
		}
		x.end += int64(len(buf))
		return nil
	})
}

// encodeRecord is the record of payload for digest.
func encodeRecord(digest string, payload []byte) []byte {
	n := 1 + len(digest) + len(payload)
	rec := make([]byte, headerSize, headerSize+n)
	binary.BigEndian.PutUint32(rec, uint32(n))
	rec = append(rec, byte(len(digest)))
	rec = append(rec, digest...)
	rec = append(rec, payload...)
	binary.BigEndian.PutUint32(rec[4:], crc32.Update(crc32.Checksum(rec[:4], castagnoli), castagnoli, rec[headerSize:]))
	return rec
}

// current reopens the file if the name no longer leads to the one open
// (another server compacted it, or someone deleted it). x.mu is held.
func (x *File) current() error {
	open, err1 := x.f.Stat()
	now, err2 := os.Stat(x.name)
	if err1 == nil && err2 == nil && os.SameFile(open, now) {
		return nil
	}
	return x.reopen()
}
