package message

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime/quotedprintable"
	"strings"
)

// ErrUnknownCTE is Binary's error for a part whose
// content-transfer-encoding is not one it knows, or whose content does
// not decode in it: the engine answers NO [UNKNOWN-CTE] (RFC 3516 §4.3).
var ErrUnknownCTE = errors.New("unknown or undecodable content-transfer-encoding")

// binaryInfo is what Binary learns of a part's decoded content by
// decoding it once: its size, whether it holds NUL, or why it cannot
// be decoded. It is kept in the node, so BINARY.SIZE is read once.
type binaryInfo struct {
	size   int64
	hasNUL bool
	err    error // ErrUnknownCTE, wrapped with the reason
}

// Binary returns a part's content with its content-transfer-encoding
// undone (RFC 3516 §4.2): the size of the decoded bytes (after partial,
// as Section applies it), whether the whole content holds NUL (the
// engine then sends it as literal8), and a function streaming exactly
// that many bytes. Base64 and quoted-printable are decoded (the quoted-
// printable line breaks as CRLF); 7bit, 8bit and binary are passed
// through as BODY[part] is, but with NUL kept. A multipart or
// message/rfc822 part, and the message itself (no part numbers), are
// their bytes as stored, NUL kept. A part that does not exist is
// empty, as in Section. An encoding Binary does not know, or content
// that does not decode, is ErrUnknownCTE.
func (s *Structure) Binary(src Source, part []int, partial *Partial) (size int64, hasNUL bool, open Opener, err error) {
	n, asMsg, ok := s.resolve(part)
	if !ok {
		size, open, err = cut(nil, partial)
		return size, false, open, err
	}
	enc := ""
	off := int64(-1)
	if asMsg {
		off = 0
	} else if n.form == leaf {
		enc = strings.ToUpper(n.mime.enc)
	}
	decode, err := decoderFor(enc)
	if err != nil {
		return 0, false, nil, err
	}
	g, err := n.geometry(src, s.maxHeader)
	if err != nil {
		return 0, false, nil, err
	}
	if off < 0 {
		off = g.textOff
	}
	content := func() (io.ReadCloser, error) {
		f, err := src.Open(n.path, rawFile)
		if err != nil {
			return nil, fmt.Errorf("open %s raw: %w", pathString(n.path), err)
		}
		r := &lfReader{r: bufio.NewReaderSize(f, 32<<10), c: f}
		if _, err := io.CopyN(io.Discard, r, off); err != nil && err != io.EOF {
			r.Close()
			return nil, fmt.Errorf("read %s raw: %w", pathString(n.path), err)
		}
		return &readCloser{Reader: decode(io.LimitReader(r, g.size-off)), Closer: r}, nil
	}
	info, err := n.binaryInfo(content)
	if err != nil {
		return 0, false, nil, err
	}
	if info.err != nil {
		return 0, false, nil, info.err
	}
	start, size := clip(info.size, partial)
	if size == 0 {
		size, open, err = cut(nil, nil)
		return size, false, open, err
	}
	open = func() (io.ReadCloser, error) {
		r, err := content()
		if err != nil {
			return nil, err
		}
		if _, err := io.CopyN(io.Discard, r, start); err != nil {
			r.Close()
			return nil, fmt.Errorf("decode %s: %w", pathString(n.path), err)
		}
		return &exactReader{r: r, n: size}, nil
	}
	return size, info.hasNUL, open, nil
}

// binaryInfo decodes the node's content once (through content) and
// keeps its size; an I/O error is returned and not kept.
func (n *node) binaryInfo(content Opener) (binaryInfo, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.bin != nil {
		return *n.bin, nil
	}
	r, err := content()
	if err != nil {
		return binaryInfo{}, err
	}
	defer r.Close()
	var info binaryInfo
	buf := make([]byte, 32<<10)
	for {
		k, err := r.Read(buf)
		info.size += int64(k)
		if !info.hasNUL {
			for _, b := range buf[:k] {
				if b == 0 {
					info.hasNUL = true
					break
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			var de decodeError
			if !errors.As(err, &de) {
				return binaryInfo{}, err
			}
			info = binaryInfo{err: fmt.Errorf("%w: %v", ErrUnknownCTE, de.err)}
			break
		}
	}
	n.bin = &info
	return info, nil
}

// decodeError marks an error of the decoder rather than of upasfs.
type decodeError struct{ err error }

func (e decodeError) Error() string { return e.err.Error() }

// decoderFor returns what undoes a content-transfer-encoding (upper
// case; "" is none).
func decoderFor(enc string) (func(io.Reader) io.Reader, error) {
	switch enc {
	case "", "7BIT", "8BIT", "BINARY":
		return func(r io.Reader) io.Reader { return r }, nil
	case "BASE64":
		return func(r io.Reader) io.Reader {
			return &decodeErrors{r: base64.NewDecoder(base64.StdEncoding, &b64Filter{r: r})}
		}, nil
	case "QUOTED-PRINTABLE":
		return func(r io.Reader) io.Reader {
			return &decodeErrors{r: quotedprintable.NewReader(r)}
		}, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownCTE, enc)
}

// decodeErrors marks the errors of a decoder as decodeErrors, but for
// EOF and the errors of what it reads (upasfs), which pass as they are.
type decodeErrors struct {
	r io.Reader
}

func (d *decodeErrors) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if err == nil || err == io.EOF {
		return n, err
	}
	var se sourceError
	if errors.As(err, &se) {
		return n, se.err
	}
	return n, decodeError{err}
}

// sourceError marks an error of the stored bytes' reader, which the
// decoders hand on.
type sourceError struct{ err error }

func (e sourceError) Error() string { return e.err.Error() }
func (e sourceError) Unwrap() error { return e.err }

// b64Filter drops the white space base64 content is broken into
// lines with (RFC 2045 §6.8); anything else outside the alphabet is
// left for the decoder to refuse.
type b64Filter struct {
	r io.Reader
}

func (f *b64Filter) Read(p []byte) (int, error) {
	for {
		n, err := f.r.Read(p)
		k := 0
		for _, b := range p[:n] {
			if b != ' ' && b != '\t' && b != '\r' && b != '\n' {
				p[k] = b
				k++
			}
		}
		if err != nil && err != io.EOF {
			err = sourceError{err}
		}
		if k > 0 || err != nil {
			return k, err
		}
	}
}

// lfReader turns the stored bytes' LF into CRLF, as Section does
// (decision 5), but keeps NUL: BINARY sends it in a literal8 (RFC 3516
// §4.3), so decision 6's 0x80 is not needed. Sizes and offsets are
// those of Section's conversion.
type lfReader struct {
	r      *bufio.Reader
	c      io.Closer
	prevCR bool
	lf     bool // a CR was sent for a LF: the LF is next
}

func (l *lfReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if l.lf {
			p[n] = '\n'
			n++
			l.lf, l.prevCR = false, false
			continue
		}
		b, err := l.r.ReadByte()
		if err != nil {
			if n > 0 && err == io.EOF {
				return n, nil
			}
			if err != io.EOF {
				err = sourceError{err}
			}
			return n, err
		}
		if b == '\n' && !l.prevCR {
			p[n] = '\r'
			n++
			l.lf = true
			continue
		}
		p[n] = b
		n++
		l.prevCR = b == '\r'
	}
	return n, nil
}

func (l *lfReader) Close() error { return l.c.Close() }

type readCloser struct {
	io.Reader
	io.Closer
}
