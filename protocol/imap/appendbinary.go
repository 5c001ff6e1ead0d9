package imap

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"strings"
)

// APPEND with a literal8 (RFC 3516 §4.4) brings content in no transfer
// encoding at all: NUL, bare CR, bare LF. An mbox keeps NUL (decision 6
// changes only what a literal carries) but keeps lines ending in LF,
// sent back with CRLF (decision 5), so a bare CR or LF would not come
// back as it came. Such a message is held in memory (at most
// Config.MaxBinaryAppend octets, checked against the literal's size
// before a byte is read) and each leaf part that would not come back
// is stored base64-encoded with its Content-Transfer-Encoding changed
// to base64: BINARY gives back exactly the bytes sent; BODY gives the
// base64. A message/rfc822 part may not be base64 (RFC 2046 §5.2.1):
// one that would need it is refused, NO [UNKNOWN-CTE].

// DefaultMaxBinaryAppend bounds a literal8 APPEND message held in
// memory to be re-encoded.
const DefaultMaxBinaryAppend = 16 << 20

// storable reports whether b comes back from the mbox as it is: no CR
// or LF but in CRLF pairs.
func storable(b []byte) bool {
	for i, c := range b {
		switch c {
		case '\r':
			if i+1 >= len(b) || b[i+1] != '\n' {
				return false
			}
		case '\n':
			if i == 0 || b[i-1] != '\r' {
				return false
			}
		}
	}
	return true
}

// maxBinaryDepth bounds the multipart nesting reencode follows.
const maxBinaryDepth = 20

// reencode returns the message msg (CRLF lines, as APPEND sends) with
// every leaf part that is not storable base64-encoded, or errBinary.
func reencode(msg []byte, depth int) ([]byte, error) {
	if storable(msg) {
		return msg, nil
	}
	if depth > maxBinaryDepth {
		return nil, errBinary
	}
	hdr, body, ok := splitEntity(msg)
	if !ok || !storable(hdr) {
		return nil, errBinary
	}
	typ, params, err := mime.ParseMediaType(headerValue(hdr, "Content-Type"))
	if err != nil {
		typ = "text/plain" // RFC 2045 §5.2
	}
	switch {
	case strings.HasPrefix(typ, "multipart/") && params["boundary"] != "":
		out, err := reencodeMultipart(body, params["boundary"], depth)
		if err != nil {
			return nil, err
		}
		return append(hdr, out...), nil
	case strings.HasPrefix(typ, "message/") || strings.HasPrefix(typ, "multipart/"):
		return nil, errBinary
	}
	enc := strings.ToLower(strings.TrimSpace(headerValue(hdr, "Content-Transfer-Encoding")))
	if enc == "base64" || enc == "quoted-printable" {
		return nil, errBinary // encoded content holds no raw binary: malformed
	}
	return append(base64Header(hdr), base64Lines(body)...), nil
}

// splitEntity splits an entity at the empty line ending its header;
// hdr keeps that line's CRLF.
func splitEntity(b []byte) (hdr, body []byte, ok bool) {
	if bytes.HasPrefix(b, []byte("\r\n")) {
		return b[:2], b[2:], true
	}
	i := bytes.Index(b, []byte("\r\n\r\n"))
	if i < 0 {
		return nil, nil, false
	}
	return b[:i+4], b[i+4:], true
}

// headerValue returns the unfolded value of the first field name of
// the header block hdr, "" if none.
func headerValue(hdr []byte, name string) string {
	lines := strings.Split(string(hdr), "\r\n")
	for i := 0; i < len(lines); i++ {
		k, v, ok := strings.Cut(lines[i], ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), name) {
			continue
		}
		for i+1 < len(lines) && lines[i+1] != "" && (lines[i+1][0] == ' ' || lines[i+1][0] == '\t') {
			i++
			v += " " + strings.TrimSpace(lines[i])
		}
		return strings.TrimSpace(v)
	}
	return ""
}

// base64Header is hdr with its Content-Transfer-Encoding fields
// (folded lines too) replaced by one saying base64, before the empty
// line.
func base64Header(hdr []byte) []byte {
	lines := strings.SplitAfter(string(hdr), "\r\n")
	var out strings.Builder
	skip := false
	for _, l := range lines {
		if l == "\r\n" || l == "" {
			continue
		}
		if skip && (l[0] == ' ' || l[0] == '\t') {
			continue
		}
		k, _, _ := strings.Cut(l, ":")
		skip = strings.EqualFold(strings.TrimSpace(k), "Content-Transfer-Encoding")
		if !skip {
			out.WriteString(l)
		}
	}
	out.WriteString("Content-Transfer-Encoding: base64\r\n\r\n")
	return []byte(out.String())
}

// base64Lines encodes b in lines of 76 characters (RFC 2045 §6.8).
func base64Lines(b []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(b)
	var out bytes.Buffer
	for len(enc) > 76 {
		out.WriteString(enc[:76])
		out.WriteString("\r\n")
		enc = enc[76:]
	}
	out.WriteString(enc)
	out.WriteString("\r\n")
	return out.Bytes()
}

// reencodeMultipart re-encodes the parts of a multipart body: between
// delimiter lines "--boundary" (RFC 2046 §5.1.1), the CRLF before each
// delimiter belonging to it. The preamble and epilogue must be
// storable.
func reencodeMultipart(body []byte, boundary string, depth int) ([]byte, error) {
	delim := []byte("--" + boundary)
	var out []byte
	rest := body
	// The first delimiter may open the body without a CRLF before it.
	first := true
	for {
		var i int
		if first && bytes.HasPrefix(rest, delim) {
			i = 0
		} else if j := bytes.Index(rest, append([]byte("\r\n"), delim...)); j >= 0 {
			i = j + 2
		} else {
			i = -1
		}
		if i < 0 {
			return nil, errBinary // no part at all, or no close delimiter
		}
		chunk := rest[:i]
		if first {
			if !storable(chunk) {
				return nil, errBinary
			}
			out = append(out, chunk...)
		} else {
			part := chunk
			if len(part) >= 2 {
				part = part[:len(part)-2] // the CRLF before the delimiter
			}
			p, err := reencode(part, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(append(out, p...), '\r', '\n')
		}
		first = false
		rest = rest[i+len(delim):]
		out = append(out, delim...)
		if bytes.HasPrefix(rest, []byte("--")) {
			if !storable(rest) {
				return nil, errBinary
			}
			return append(out, rest...), nil
		}
		// The rest of the delimiter line (transport padding) and its
		// CRLF stay; the part begins after them.
		eol := bytes.Index(rest, []byte("\r\n"))
		if eol < 0 || !storable(rest[:eol+2]) {
			return nil, errBinary
		}
		out = append(out, rest[:eol+2]...)
		rest = rest[eol+2:]
	}
}

// readBinary reads a literal8 message of size octets into memory for
// reencode.
func readBinary(r io.Reader, size int64) ([]byte, error) {
	b := make([]byte, size)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("read literal8: %w", err)
	}
	return b, nil
}
