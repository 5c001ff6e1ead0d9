package message

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
)

// DefaultMaxHeader bounds what the engine holds in memory of a header
// block (a message's rawheader, a part's mimeheader) to parse it for
// ENVELOPE, BODYSTRUCTURE, SEARCH and HEADER.FIELDS: each field at most
// a quarter of it (longer values are cut at that point), and fields
// while the total stays within it, or twice it for the fields the
// engine reads (Content-*, the ENVELOPE and threading fields), so that
// the MIME structure and the envelope survive a flood of other fields.
// Sizes stay exact, and BODY[HEADER] and MIME of a block held in part
// are streamed whole from upasfs: a message with a 50 MB header line
// costs about this much memory (it used to take 500 MB), and its bytes
// still go out untouched.
const DefaultMaxHeader = 1 << 20

// headerFile is a header file as the engine holds it.
type headerFile struct {
	b    []byte // the fields kept (see DefaultMaxHeader)
	size int64  // the CRLF size of the whole file
	cut  bool   // b is not the whole file
	lf   bool   // the whole file ends in a line break
}

// readHeader streams the header file of the part at path, keeping what
// max allows (max ≤ 0: DefaultMaxHeader) and measuring the whole.
func readHeader(src Source, path []int, file string, max int64) (headerFile, error) {
	if max <= 0 {
		max = DefaultMaxHeader
	}
	f, err := src.Open(path, file)
	if err != nil {
		return headerFile{}, fmt.Errorf("open %s %s: %w", pathString(path), file, err)
	}
	defer f.Close()
	k := keeper{max: max}
	br := bufio.NewReaderSize(f, 16<<10)
	var c crlf
	var scratch []byte
	lineStart := true
	for {
		chunk, err := br.ReadSlice('\n')
		if len(chunk) > 0 {
			scratch = c.append(scratch[:0], chunk)
			k.h.size += int64(len(scratch))
			k.h.lf = chunk[len(chunk)-1] == '\n'
			if lineStart && chunk[0] != ' ' && chunk[0] != '\t' {
				k.endField()
			}
			k.add(chunk)
			lineStart = k.h.lf
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return headerFile{}, fmt.Errorf("read %s %s: %w", pathString(path), file, err)
		}
	}
	k.endField()
	return k.h, nil
}

// keeper collects the fields readHeader keeps.
type keeper struct {
	h     headerFile
	max   int64
	field []byte // the field being read, at most max/4 bytes of it
}

func (k *keeper) add(b []byte) {
	room := k.max/4 - int64(len(k.field))
	if int64(len(b)) > room {
		b, k.h.cut = b[:max(room, 0)], true
	}
	k.field = append(k.field, b...)
}

func (k *keeper) endField() {
	if len(k.field) == 0 {
		return
	}
	limit := k.max
	if engineField(k.field) {
		limit *= 2
	}
	if int64(len(k.h.b)+len(k.field)) <= limit {
		k.h.b = append(k.h.b, k.field...)
		if k.field[len(k.field)-1] != '\n' {
			k.h.b = append(k.h.b, '\n') // a value cut short still ends its line
		}
	} else {
		k.h.cut = true
	}
	k.field = k.field[:0]
}

// engineField reports whether a field is one the engine reads: MIME
// (Content-*, MIME-Version), ENVELOPE's, and those SORT and THREAD use.
func engineField(f []byte) bool {
	name, _, ok := bytes.Cut(f, []byte(":"))
	if !ok {
		return false
	}
	n := strings.ToLower(string(bytes.TrimSpace(name)))
	switch n {
	case "date", "subject", "from", "sender", "reply-to", "to", "cc", "bcc",
		"in-reply-to", "message-id", "references", "mime-version":
		return true
	}
	return strings.HasPrefix(n, "content-")
}

// streamHeader is the HEADER or MIME section of a header file too long
// to hold (h.cut): the file streamed, as headerBlock would make it.
func streamHeader(src Source, path []int, file string, h headerFile, partial *Partial) (int64, Opener, error) {
	end := []byte("\r\n")
	if !h.lf {
		end = []byte("\r\n\r\n")
	}
	start, size := clip(h.size+int64(len(end)), partial)
	open := func() (io.ReadCloser, error) {
		f, err := src.Open(path, file)
		if err != nil {
			return nil, fmt.Errorf("open %s %s: %w", pathString(path), file, err)
		}
		r := newCRLFReader(f)
		all := io.MultiReader(r, bytes.NewReader(end))
		if _, err := io.CopyN(io.Discard, all, start); err != nil {
			r.Close()
			return nil, fmt.Errorf("read %s %s: %w", pathString(path), file, err)
		}
		return struct {
			io.Reader
			io.Closer
		}{io.LimitReader(all, size), r}, nil
	}
	return size, open, nil
}
