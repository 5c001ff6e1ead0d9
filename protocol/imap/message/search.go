package message

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"p9mail/upasfs"
	"p9mail/upasfs/mime"
)

// Header returns the message's header fields (rawheader) for SEARCH
// HEADER, FROM, TO, CC, BCC, SUBJECT and TEXT (RFC 3501 §6.4.4): those
// Load read, else read now.
func (s *Structure) Header(src Source) ([]Field, error) {
	if s.root.header != nil {
		return parseFields(s.root.header), nil
	}
	h, err := readHeader(src, nil, upasfs.FileRawHeader, s.maxHeader)
	if err != nil {
		return nil, err
	}
	return parseFields(h.b), nil
}

// Contains reports whether needle occurs in s, case folded (Unicode
// lower case, rune by rune). An empty needle is in every string.
func Contains(s, needle string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(needle))
}

// FieldContains reports whether a field called name (any case) has
// needle in its value, raw or RFC 2047-decoded as upasfs decodes
// (decision 1). With name "" every field counts, matched as
// "Name: value" (SEARCH TEXT).
func FieldContains(fields []Field, name, needle string) bool {
	for _, f := range fields {
		v := f.Value
		switch {
		case name == "":
			v = f.Name + ": " + v
		case !strings.EqualFold(f.Name, name):
			continue
		}
		if Contains(v, needle) || Contains(mime.DecodeHeader(v), needle) {
			return true
		}
	}
	return false
}

// BodyContains reports whether needle (see Contains) occurs in the
// text of the message: the decoded body (upasfs body: transfer-decoded,
// converted to UTF-8) of each text/* part, those of message/rfc822
// parts included. Bodies are streamed, never held whole.
func (s *Structure) BodyContains(src Source, needle string) (bool, error) {
	found, err := s.BodyContainsAll(src, []string{needle})
	return found[0], err
}

// BodyContainsAll is BodyContains for several needles at once: it reads
// each text part once, however many needles there are, and stops when
// all have been found. found[i] is for needles[i].
func (s *Structure) BodyContainsAll(src Source, needles []string) (found []bool, err error) {
	found = make([]bool, len(needles))
	left := len(needles)
	for _, n := range s.root.textLeaves(nil) {
		if left == 0 {
			break
		}
		if left, err = streamContains(src, n.path, needles, found, left); err != nil {
			return found, err
		}
	}
	return found, nil
}

// textLeaves appends the text/* leaves under n, n included, to out,
// and the multipart and message/rfc822 leaves: parts below the depth
// limits (upasfs/mime maxDepth, this package's maxDepth), kept whole,
// whose body holds the text of the parts below.
func (n *node) textLeaves(out []*node) []*node {
	if len(n.kids) > 0 {
		for _, k := range n.kids {
			out = k.textLeaves(out)
		}
		return out
	}
	if n.mime.typ == "TEXT" || n.mime.typ == "MULTIPART" || n.mime.typ == "MESSAGE" && n.mime.sub == "RFC822" {
		out = append(out, n)
	}
	return out
}

// streamContains streams the body file at path looking for the needles
// not found yet, marking those it finds; it returns how many are left.
func streamContains(src Source, path []int, needles []string, found []bool, left int) (int, error) {
	f, err := src.Open(path, upasfs.FileBody)
	if err != nil {
		return left, fmt.Errorf("open %s body: %w", pathString(path), err)
	}
	defer f.Close()
	ms := make([]*matcher, len(needles))
	for i, n := range needles {
		if !found[i] {
			ms[i] = newMatcher(n)
		}
	}
	buf := make([]byte, chunk)
	var carry []byte
	for {
		n, err := f.Read(buf[len(carry):])
		b := buf[:len(carry)+n]
		keep := 0
		if err == nil {
			keep = partialRune(b)
		}
		low := bytes.ToLower(b[:len(b)-keep]) // once for all needles
		for i, m := range ms {
			if m != nil && m.feedFolded(low) {
				found[i], ms[i] = true, nil
				left--
			}
		}
		if left == 0 {
			return 0, nil
		}
		carry = append(carry[:0], b[len(b)-keep:]...)
		copy(buf, carry)
		if err == io.EOF {
			return left, nil
		}
		if err != nil {
			return left, fmt.Errorf("read %s body: %w", pathString(path), err)
		}
	}
}

// partialRune is the length of an incomplete UTF-8 sequence ending b.
func partialRune(b []byte) int {
	for i := 1; i <= utf8.UTFMax-1 && i <= len(b); i++ {
		c := b[len(b)-i]
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return i
			}
			return 0
		}
	}
	return 0
}

// matcher finds a folded needle in a stream of folded chunks, keeping
// the tail of the text that a match could start in.
type matcher struct {
	needle []byte
	tail   []byte
}

func newMatcher(needle string) *matcher {
	return &matcher{needle: bytes.ToLower([]byte(needle))}
}

// feed adds the next piece of text (whole runes) and reports whether
// the needle has been seen.
func (m *matcher) feed(b []byte) bool { return m.feedFolded(bytes.ToLower(b)) }

// feedFolded is feed for text already lower-cased.
func (m *matcher) feedFolded(low []byte) bool {
	if len(m.needle) == 0 {
		return true
	}
	text := append(m.tail, low...)
	if bytes.Contains(text, m.needle) {
		return true
	}
	keep := min(len(text), len(m.needle)-1)
	m.tail = append(m.tail[:0:0], text[len(text)-keep:]...)
	return false
}
