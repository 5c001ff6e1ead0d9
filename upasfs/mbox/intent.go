package mbox

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// An Intent is the record an appender writes, and syncs, before it
// appends to a mailbox file, and removes once the appended bytes are
// synced: if it is still there when the next writer takes the Lock,
// the append was cut short (the writer was killed, or the upasfs
// serving its writes died) and its torn tail must go before anyone
// takes it for mail (docs/campaign.md, "Bugs found" 3). Recover honours
// it; so does every writer through a name space that checks IntentName
// under L.mbox (protocol/lmtp).
//
// The record is one line, "p9mail-append <start> <from> <len> <sum>
// <fromline>\n": the file's length before the append (where the
// missing separator, if any, was written), where the From line begins,
// the bytes appended from start, their SHA-1, and the From line itself
// in hex (so that a record left behind by a crash after its repair,
// with another message now at <from>, is known to be stale).
type Intent struct {
	Start, From, Len int64
	Sum              [sha1.Size]byte
	FromLine         string
}

// MaxIntent is the longest record ParseIntent accepts.
const MaxIntent = 4096

// IntentName is the record's name for the mailbox file named base, in
// the same directory: "L.<base>.append". An "L." name is never a
// mailbox (spec §2.4's stop-list) nor locked by a name space's
// MailboxLock, and every base gives a different name.
func IntentName(base string) string { return "L." + base + ".append" }

// IntentPath is the record's path for the mailbox file path.
func IntentPath(path string) string {
	return filepath.Join(filepath.Dir(path), IntentName(filepath.Base(path)))
}

// NewIntent is the record of appending data (separator first, sepLen
// bytes of it, then a message's From line) at start.
func NewIntent(start int64, sepLen int, data []byte) Intent {
	fl := data[sepLen:]
	if i := bytes.IndexByte(fl, '\n'); i >= 0 {
		fl = fl[:i+1]
	}
	return Intent{Start: start, From: start + int64(sepLen), Len: int64(len(data)),
		Sum: sha1.Sum(data), FromLine: string(fl)}
}

// Marshal is the record's line.
func (in Intent) Marshal() []byte {
	return fmt.Appendf(nil, "p9mail-append %d %d %d %x %x\n", in.Start, in.From, in.Len, in.Sum, in.FromLine)
}

// ParseIntent parses a record. A torn record (the writer died while
// writing it, before it appended anything) is an error the caller
// treats as no record: Recover removes it.
func ParseIntent(b []byte) (Intent, error) {
	var in Intent
	bad := func() (Intent, error) { return Intent{}, fmt.Errorf("mbox: bad append record %.40q", b) }
	if len(b) > MaxIntent || !bytes.HasSuffix(b, []byte("\n")) {
		return bad()
	}
	f := strings.Fields(string(b))
	if len(f) != 6 || f[0] != "p9mail-append" {
		return bad()
	}
	nums := []*int64{&in.Start, &in.From, &in.Len}
	for i, s := range f[1:4] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return bad()
		}
		*nums[i] = n
	}
	sum, err := hex.DecodeString(f[4])
	if err != nil || len(sum) != sha1.Size {
		return bad()
	}
	copy(in.Sum[:], sum)
	fl, err := hex.DecodeString(f[5])
	if err != nil || !bytes.HasPrefix(fl, []byte(fromLine)) {
		return bad()
	}
	in.FromLine = string(fl)
	if in.From < in.Start || in.From-in.Start > 2 || in.Len-(in.From-in.Start) < int64(len(fl)) || in.Start > math.MaxInt64-in.Len {
		return bad()
	}
	return in, nil
}

// fromShape is a From line as Unix and Plan 9 agents write it ("From
// sender Mon Jan  2 15:04:05 [zone ]2006"), for finding a message an
// agent glued to a torn tail without a newline between.
var fromShape = regexp.MustCompile(`^From \S+ +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-9]?[0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} (\S+ )?[0-9]{4}\r?\n`)

// Damage reads the mailbox (size bytes through r) and returns the
// range [from, to) of it that the append in records left torn: empty
// when there is nothing to remove (the append never began, finished,
// or was repaired already: the bytes at From are not its From line).
// The range runs to the end of the file unless another agent appended
// after the torn bytes (one that broke the dead appender's dotlock):
// then it ends where that agent's From line begins, at a line start
// or, glued to the torn bytes, where a whole From line of the usual
// shape begins; the separator before the torn message stays.
func (in Intent) Damage(r io.ReaderAt, size int64) (from, to int64, err error) {
	if size <= in.From {
		// Nothing of the message was written, or only the separator,
		// which is harmless.
		return 0, 0, nil
	}
	fl := make([]byte, min(int64(len(in.FromLine)), size-in.From))
	if _, err := r.ReadAt(fl, in.From); err != nil && err != io.EOF {
		return 0, 0, fmt.Errorf("mbox: read torn append: %w", err)
	}
	k := 0
	for k < len(fl) && fl[k] == in.FromLine[k] {
		k++
	}
	if k < len(in.FromLine) {
		// Torn in the From line: ours only if it ends the file or a
		// From line glued to it follows; anything else is stale.
		end := in.From + int64(k)
		switch {
		case k == 0:
			return 0, 0, nil
		case end == size:
			return in.Start, size, nil
		}
		// An agent may begin with newlines of its own.
		next := end
		var c [1]byte
		for next < size && next < end+2 {
			if _, err := r.ReadAt(c[:], next); err != nil || c[0] != '\n' {
				break
			}
			next++
		}
		if at, err := foreignFrom(r, end, size); err == nil && at == next {
			return in.From, next, nil
		}
		return 0, 0, nil
	}
	if size >= in.Start+in.Len {
		h := sha1.New()
		if _, err := io.Copy(h, io.NewSectionReader(r, in.Start, in.Len)); err != nil {
			return 0, 0, fmt.Errorf("mbox: read torn append: %w", err)
		}
		if [sha1.Size]byte(h.Sum(nil)) == in.Sum {
			return 0, 0, nil // whole: the writer died after writing it
		}
	}
	end, err := foreignFrom(r, in.From+int64(len(in.FromLine)), size)
	if err != nil {
		return 0, 0, err
	}
	if end == size {
		return in.Start, size, nil
	}
	return in.From, end, nil
}

// foreignFrom returns where, from off on, another message begins: a
// line starting "From " (every such line of ours was escaped), or a
// whole From line glued into a line; size if none does.
func foreignFrom(r io.ReaderAt, off, size int64) (int64, error) {
	const chunk = 1 << 20
	buf := make([]byte, chunk+256)
	for at := off; at < size; at += chunk {
		n, err := r.ReadAt(buf[:min(int64(len(buf)), size-at)], at)
		if err != nil && err != io.EOF {
			return 0, fmt.Errorf("mbox: read torn append: %w", err)
		}
		b := buf[:n]
		for i := 0; i < len(b) && i < chunk; i++ {
			j := bytes.Index(b[i:], []byte(fromLine))
			if j < 0 || i+j >= chunk {
				break
			}
			i += j
			p := at + int64(i)
			atLineStart := i > 0 && b[i-1] == '\n' || i == 0 && lineStart(r, p)
			if atLineStart || fromShape.Match(b[i:]) {
				return p, nil
			}
		}
	}
	return size, nil
}

// lineStart reports whether the byte before p is '\n'.
func lineStart(r io.ReaderAt, p int64) bool {
	var c [1]byte
	_, err := r.ReadAt(c[:], p-1)
	return err == nil && c[0] == '\n'
}

// recoverAppend honours the append record of the mailbox file path, if
// any, under the Lock: the torn tail is cut off (truncated, or, with
// another agent's mail after it, spliced out by a Rewrite-style copy
// and rename) and the record removed.
func recoverAppend(path string) error {
	rec := IntentPath(path)
	b, err := os.ReadFile(rec)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("mbox: recover: %w", err)
	}
	if in, perr := ParseIntent(b); perr == nil {
		if err := repair(path, in); err != nil {
			return err
		}
	}
	if err := os.Remove(rec); err != nil {
		return fmt.Errorf("mbox: recover: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// repair removes what Damage finds.
func repair(path string, in Intent) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mbox: recover: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("mbox: recover: %w", err)
	}
	from, to, err := in.Damage(f, st.Size())
	if err != nil || from == to {
		return err
	}
	if to == st.Size() {
		if err := f.Truncate(from); err != nil {
			return fmt.Errorf("mbox: recover: cut torn append: %w", err)
		}
		if err := f.Sync(); err != nil {
			return fmt.Errorf("mbox: recover: %w", err)
		}
		return nil
	}
	// Another agent's mail follows: copy around the torn bytes.
	tmp := path + ".tmp"
	t, err := createTmp(path, tmp, st.Mode().Perm())
	if err != nil {
		return err
	}
	_, err = io.Copy(t, io.MultiReader(io.NewSectionReader(f, 0, from), io.NewSectionReader(f, to, st.Size()-to)))
	if err == nil {
		err = t.Sync()
	}
	if cerr := t.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("mbox: recover: splice out torn append: %w", err)
	}
	return nil
}
