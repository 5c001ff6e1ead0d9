package index

import (
	"fmt"
	"os"
)

// minCompact is the fewest records a file has before Compact rewrites it.
const minCompact = 64

// Compact rewrites the file without the records of digests that live
// rejects and those superseded, when they are more than half of its
// records: a mailbox's file then stays within twice its messages. n is
// how many digests live accepts at most (the mailbox's messages): with
// at most 2n records, nothing is looked at. It
// writes a new file beside the old and renames it over, under the
// old one's flock; other servers see the new file at their next append
// (current).
func (x *File) Compact(n int, live func(digest string) bool) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if err := x.current(); err != nil {
		return err
	}
	if x.all < minCompact || x.all <= 2*n {
		return nil
	}
	keep := 0
	for d := range x.recs {
		if live(d) {
			keep++
		}
	}
	if x.all < minCompact || x.all-keep <= x.all/2 {
		return nil
	}
	err := x.locked(func() error {
		if err := x.scan(); err != nil {
			return err
		}
		if now, err := os.Stat(x.name); err != nil || !sameAs(x.f, now) {
			return nil // another server compacted it first
		}
		tmp := fmt.Sprintf("%s.%d.tmp", x.name, os.Getpid())
		out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return fmt.Errorf("index: %w", err)
		}
		defer os.Remove(tmp) // a no-op once renamed
		werr := x.copyLive(out, live)
		if cerr := out.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return werr
		}
		if err := os.Rename(tmp, x.name); err != nil {
			return fmt.Errorf("index: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return x.reopen()
}

// copyLive writes the magic and the live records to out.
func (x *File) copyLive(out *os.File, live func(string) bool) error {
	buf := []byte(magic)
	for d, l := range x.recs {
		if !live(d) {
			continue
		}
		rec := make([]byte, headerSize+int(l.n))
		if _, err := x.f.ReadAt(rec, l.off); err != nil {
			continue // the next scan would cut it anyway
		}
		if got, ok := check([headerSize]byte(rec[:headerSize]), rec[headerSize:]); !ok || got != d {
			continue
		}
		buf = append(buf, rec...)
		if len(buf) >= 1<<20 {
			if _, err := out.Write(buf); err != nil {
				return fmt.Errorf("index: %w", err)
			}
			buf = buf[:0]
		}
	}
	if _, err := out.Write(buf); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	return nil
}

func sameAs(f *os.File, fi os.FileInfo) bool {
	st, err := f.Stat()
	return err == nil && os.SameFile(st, fi)
}
