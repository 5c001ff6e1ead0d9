package mailfs

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"9fans.net/go/plan9"
)

// The digest lists a DigestCache keeps on disk (its Dir), one file per
// mailbox, so that a restarted server opens an unchanged mailbox
// without reading a digest file per message. Layout, text:
//
//	p9mail digests 1
//	<name in the name space>
//	<qid path> <qid vers> <qid type> <length> <mtime> <count>
//	<digest>            count lines
//	<CRC-32C of every byte before this line, 8 hex digits>
//
// A file that does not read back exactly so, or describes another
// state of the mailbox file, is not used; it is a cache.
const (
	digestMagic = "p9mail digests 1"
	// maxDigestFile bounds what is read: a million digests of 40 bytes.
	maxDigestFile = 64 << 20
)

var digestCRC = crc32.MakeTable(crc32.Castagnoli)

// digestPath is the file of name in dir: a hash, since names hold '/'.
func digestPath(dir, name string) string {
	h := sha256.Sum256([]byte(name))
	return filepath.Join(dir, hex.EncodeToString(h[:16])+".digests")
}

func encodeDigests(name string, e *digestEntry, mtime uint32) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n%s\n%s%d\n", digestMagic, name,
		statPrefix(&plan9.Dir{Qid: e.qid, Length: e.length, Mtime: mtime}), len(e.digests))
	for _, d := range e.digests {
		b.WriteString(d)
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "%08x\n", crc32.Checksum(b.Bytes(), digestCRC))
	return b.Bytes()
}

var errDigestFile = errors.New("bad digest file")

// statPrefix is the start of a file's third line for the stat d: qid
// path, version and type, length and mtime, each followed by a space.
func statPrefix(d *plan9.Dir) string {
	return fmt.Sprintf("%d %d %d %d %d ", d.Qid.Path, d.Qid.Vers, d.Qid.Type, d.Length, d.Mtime)
}

// decodeDigests reads a file of encodeDigests for name; the digests
// and the stat they were taken under.
func decodeDigests(data []byte, name string) (e *digestEntry, mtime uint32, err error) {
	body, sum, ok := cutLastLine(data)
	if !ok {
		return nil, 0, errDigestFile
	}
	want, err := strconv.ParseUint(sum, 16, 32)
	if err != nil || len(sum) != 8 || uint32(want) != crc32.Checksum(body, digestCRC) {
		return nil, 0, errDigestFile
	}
	lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
	if len(lines) < 3 || lines[0] != digestMagic || lines[1] != name {
		return nil, 0, errDigestFile
	}
	var n [6]uint64
	f := strings.Fields(lines[2])
	if len(f) != len(n) {
		return nil, 0, errDigestFile
	}
	for i := range n {
		if n[i], err = strconv.ParseUint(f[i], 10, 64); err != nil {
			return nil, 0, errDigestFile
		}
	}
	if n[1] > 1<<32-1 || n[2] > 255 || n[4] > 1<<32-1 || n[5] != uint64(len(lines)-3) {
		return nil, 0, errDigestFile
	}
	e = &digestEntry{qid: plan9.Qid{Path: n[0], Vers: uint32(n[1]), Type: uint8(n[2])}, length: n[3],
		digests: lines[3:]}
	for _, d := range e.digests {
		if d == "" || strings.ContainsAny(d, " \t") {
			return nil, 0, errDigestFile
		}
	}
	return e, uint32(n[4]), nil
}

// cutLastLine splits data before its last line, returning that line
// without its newline.
func cutLastLine(data []byte) (body []byte, last string, ok bool) {
	if len(data) == 0 || data[len(data)-1] != '\n' {
		return nil, "", false
	}
	i := bytes.LastIndexByte(data[:len(data)-1], '\n')
	if i < 0 {
		return nil, "", false
	}
	return data[:i+1], string(data[i+1 : len(data)-1]), true
}

// loadFile returns the digests c.Dir keeps for name when they were
// taken under the stat before describes, else nil.
func (c *DigestCache) loadFile(name string, before *plan9.Dir) []string {
	if c.Dir == "" {
		return nil
	}
	f, err := os.Open(digestPath(c.Dir, name))
	if err != nil {
		return nil
	}
	defer f.Close()
	// The header first: a list of another state of the file (a
	// mailbox that changed since) is refused without reading it all.
	br := bufio.NewReader(io.LimitReader(f, maxDigestFile+1))
	var head []byte
	for range 3 {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return nil
		}
		head = append(head, line...)
	}
	if !strings.Contains(string(head), "\n"+statPrefix(before)) {
		return nil
	}
	rest, err := io.ReadAll(br)
	data := append(head, rest...)
	if err != nil || len(data) > maxDigestFile {
		return nil
	}
	e, mtime, err := decodeDigests(data, name)
	if err != nil || e.qid != before.Qid || e.length != before.Length || mtime != before.Mtime {
		return nil
	}
	return e.digests
}

// saveFile records e for name in c.Dir (mtime: the file's, with e's
// qid and length): written whole under a temporary name and renamed
// into place, so a reader never sees half of it. A failure costs only
// speed and is not reported.
func (c *DigestCache) saveFile(name string, e *digestEntry, mtime uint32) {
	if c.Dir == "" {
		return
	}
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return
	}
	tmp, err := os.CreateTemp(c.Dir, "tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(encodeDigests(name, e, mtime))
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), digestPath(c.Dir, name))
	}
	if werr != nil {
		if err := os.Remove(tmp.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return
		}
	}
}
