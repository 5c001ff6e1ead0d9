package server

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"p9mail/upasfs/mbox"
)

// The index of a mailbox records what a parse of its file found, so
// that an emulator started again over the unchanged file need not read
// it all (docs/upasfs.md "The index"). It is a cache: it is trusted
// only when it is intact and the file is still the one it describes
// (index_file.go), and read again otherwise.
//
// Layout (integers little-endian; uvarint as encoding/binary):
//
//	magic    8 bytes  "p9mbidx\n"
//	version  uint32   indexVersion
//	flags    uint8    bit 0: the file is an mbox (empty or begins "From ")
//	dev      uint64   the file's device (Plan 9: type<<32 | dev)
//	ino      uint64   its inode (Plan 9: qid path)
//	size     int64    its size when parsed
//	mtime    int64    its modification time, Unix nanoseconds
//	stamp    int64    its change time (Linux ctime ns; Plan 9 qid.vers; else 0)
//	pathlen  uvarint  at most maxIndexPath
//	path     bytes    the mailbox file's cleaned absolute path
//	count    uvarint  the number of records, at most maxIndexMsgs
//	records  count × {gap, len, fromlen, hdrlen uvarint; digest 20 bytes}
//	crc      uint32   CRC-32C (Castagnoli) of every byte before it
//
// A record is an mbox.Msg: gap is its Off less the End of the record
// before it (0 for the first), so records are in file order and never
// overlap.
const (
	indexMagic   = "p9mbidx\n"
	indexVersion = 1
	// maxIndexPath bounds the recorded path (Linux's PATH_MAX).
	maxIndexPath = 4096
	// maxIndexMsgs bounds the records of one index (16 Mi messages).
	maxIndexMsgs = 1 << 24
	// maxIndexBytes bounds the size of an index file read; with at
	// most 64 bytes a record it holds more than maxIndexMsgs records.
	maxIndexBytes = 1 << 30
	// maxIndexOff bounds every offset and length, so sums never
	// overflow an int64.
	maxIndexOff = 1 << 60
	// minIndexRecord is the shortest record: four one-byte uvarints
	// and the digest.
	minIndexRecord = 4 + 20
	// indexFixed is the length of the fixed part of the header.
	indexFixed = len(indexMagic) + 4 + 1 + 5*8
)

// A fileID is what the index records of the file it describes.
type fileID struct {
	Dev, Ino    uint64
	Size, MTime int64
	Stamp       int64
}

// An index is a decoded index file.
type index struct {
	Path  string
	Valid bool // the file is an mbox (decision 4)
	ID    fileID
	Msgs  []mbox.Msg
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errBadIndex is wrapped by every decodeIndex error.
var errBadIndex = errors.New("bad index")

// encodeIndex returns x's file. The records must satisfy decodeIndex's
// checks (in file order, mbox.Msg invariants), as a parse's do.
func encodeIndex(x *index) []byte {
	buf := make([]byte, 0, indexFixed+2*binary.MaxVarintLen64+len(x.Path)+len(x.Msgs)*32+4)
	buf = append(buf, indexMagic...)
	buf = binary.LittleEndian.AppendUint32(buf, indexVersion)
	var flags byte
	if x.Valid {
		flags |= 1
	}
	buf = append(buf, flags)
	buf = binary.LittleEndian.AppendUint64(buf, x.ID.Dev)
	buf = binary.LittleEndian.AppendUint64(buf, x.ID.Ino)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(x.ID.Size))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(x.ID.MTime))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(x.ID.Stamp))
	buf = binary.AppendUvarint(buf, uint64(len(x.Path)))
	buf = append(buf, x.Path...)
	buf = binary.AppendUvarint(buf, uint64(len(x.Msgs)))
	var end int64
	for _, m := range x.Msgs {
		buf = binary.AppendUvarint(buf, uint64(m.Off-end))
		buf = binary.AppendUvarint(buf, uint64(m.Len))
		buf = binary.AppendUvarint(buf, uint64(m.FromLen))
		buf = binary.AppendUvarint(buf, uint64(m.HdrLen))
		buf = append(buf, m.Digest[:]...)
		end = m.End()
	}
	return binary.LittleEndian.AppendUint32(buf, crc32.Checksum(buf, castagnoli))
}

// decodeIndex parses an index file. It checks the checksum before
// anything else, bounds every length by what is left of data before
// allocating, and checks that the records are in file order and keep
// mbox.Msg's invariants; any failure is an error wrapping errBadIndex,
// never a panic.
func decodeIndex(data []byte) (*index, error) {
	if len(data) > maxIndexBytes {
		return nil, fmt.Errorf("%w: %d bytes", errBadIndex, len(data))
	}
	if len(data) < indexFixed+2+4 {
		return nil, fmt.Errorf("%w: short", errBadIndex)
	}
	body := data[:len(data)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(data[len(body):]) {
		return nil, fmt.Errorf("%w: checksum", errBadIndex)
	}
	if string(body[:len(indexMagic)]) != indexMagic {
		return nil, fmt.Errorf("%w: magic", errBadIndex)
	}
	d := indexDecoder{b: body[len(indexMagic):]}
	if v := d.u32(); v != indexVersion {
		return nil, fmt.Errorf("%w: version %d", errBadIndex, v)
	}
	x := new(index)
	flags := d.byte()
	if flags&^1 != 0 {
		return nil, fmt.Errorf("%w: flags %#x", errBadIndex, flags)
	}
	x.Valid = flags&1 != 0
	x.ID.Dev, x.ID.Ino = d.u64(), d.u64()
	x.ID.Size, x.ID.MTime, x.ID.Stamp = int64(d.u64()), int64(d.u64()), int64(d.u64())
	if x.ID.Size < 0 || x.ID.Size > maxIndexOff {
		return nil, fmt.Errorf("%w: size %d", errBadIndex, x.ID.Size)
	}
	x.Path = string(d.bytes(int(d.uvarint(maxIndexPath))))
	count := d.uvarint(maxIndexMsgs)
	if d.err == nil && count > uint64(len(d.b))/minIndexRecord {
		return nil, fmt.Errorf("%w: %d records in %d bytes", errBadIndex, count, len(d.b))
	}
	if d.err != nil {
		return nil, d.err
	}
	x.Msgs = make([]mbox.Msg, count)
	var end int64
	for i := range x.Msgs {
		m := &x.Msgs[i]
		m.Off = end + int64(d.uvarint(maxIndexOff))
		m.Len = int64(d.uvarint(maxIndexOff))
		m.FromLen = int64(d.uvarint(maxIndexOff))
		m.HdrLen = int64(d.uvarint(maxIndexOff))
		copy(m.Digest[:], d.bytes(len(m.Digest)))
		if d.err != nil {
			return nil, d.err
		}
		if m.Off > maxIndexOff || m.FromLen > m.Len || m.HdrLen > m.Len-m.FromLen {
			return nil, fmt.Errorf("%w: record %d: %+v", errBadIndex, i, *m)
		}
		end = m.End()
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the records", errBadIndex, len(d.b))
	}
	if !x.Valid && len(x.Msgs) > 0 {
		return nil, fmt.Errorf("%w: messages in a file that is not an mbox", errBadIndex)
	}
	return x, nil
}

// An indexDecoder reads b front to back; its first failure sticks.
type indexDecoder struct {
	b   []byte
	err error
}

func (d *indexDecoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", errBadIndex, what)
	}
	d.b = nil
}

// bytes returns the next n bytes; past the end it fails and returns n
// zero bytes (callers ask for at most maxIndexPath).
func (d *indexDecoder) bytes(n int) []byte {
	if d.err != nil || n > len(d.b) {
		d.fail("truncated")
		return make([]byte, n)
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p
}

func (d *indexDecoder) byte() byte  { return d.bytes(1)[0] }
func (d *indexDecoder) u32() uint32 { return binary.LittleEndian.Uint32(d.bytes(4)) }
func (d *indexDecoder) u64() uint64 { return binary.LittleEndian.Uint64(d.bytes(8)) }

// uvarint reads a uvarint of at most limit.
func (d *indexDecoder) uvarint(limit uint64) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 || v > limit {
		d.fail("bad number")
		return 0
	}
	d.b = d.b[n:]
	return v
}
