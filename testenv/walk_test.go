package testenv

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"unicode/utf8"
)

// leaf is a decoded non-multipart body found by walk.
type leaf struct {
	path     string // MIME path: "", "1", "2.1", ...
	ctype    string // media type, lower case
	params   map[string]string
	disp     string // Content-Disposition header, raw
	body     []byte // transfer-decoded body
	multiOf  string // for multipart/* containers: the media type
	children int
}

// walk parses a message with the standard library and returns every
// part in depth-first order (containers included), transfer-decoding
// each leaf. It fails on anything the standard library rejects.
func walk(msg []byte) ([]leaf, *mail.Message, error) {
	m, err := mail.ReadMessage(bytes.NewReader(msg))
	if err != nil {
		return nil, nil, fmt.Errorf("read message: %w", err)
	}
	var out []leaf
	err = walkEntity(textproto.MIMEHeader(m.Header), m.Body, "", &out)
	return out, m, err
}

// walkEntity walks one entity (message or part) with header h.
func walkEntity(h textproto.MIMEHeader, body io.Reader, path string, out *[]leaf) error {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("%s: content-type %q: %w", path, ct, err)
	}
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		idx := len(*out)
		*out = append(*out, leaf{path: path, ctype: mt, params: params, multiOf: mt})
		mr := multipart.NewReader(body, params["boundary"])
		n := 0
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return fmt.Errorf("%s: part %d: %w", path, n+1, err)
			}
			n++
			if err := walkEntity(p.Header, p, join(path, n), out); err != nil {
				return err
			}
		}
		(*out)[idx].children = n
		return nil
	case mt == "message/rfc822":
		*out = append(*out, leaf{path: path, ctype: mt, params: params, disp: h.Get("Content-Disposition"), children: 1})
		inner, err := mail.ReadMessage(body)
		if err != nil {
			return fmt.Errorf("%s: inner message: %w", path, err)
		}
		return walkEntity(textproto.MIMEHeader(inner.Header), inner.Body, join(path, 1), out)
	}
	dec, err := decodeBody(h.Get("Content-Transfer-Encoding"), body)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	*out = append(*out, leaf{path: path, ctype: mt, params: params, disp: h.Get("Content-Disposition"), body: dec})
	return nil
}

// decodeBody undoes a Content-Transfer-Encoding (RFC 2045 §6).
func decodeBody(cte string, body io.Reader) ([]byte, error) {
	switch strings.ToLower(cte) {
	case "", "7bit", "8bit", "binary":
		return io.ReadAll(body)
	case "base64":
		b, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, body))
		if err != nil {
			return nil, fmt.Errorf("base64: %w", err)
		}
		return b, nil
	case "quoted-printable":
		b, err := io.ReadAll(quotedprintable.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("quoted-printable: %w", err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("unknown transfer encoding %q", cte)
}

func join(path string, n int) string {
	if path == "" {
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%s.%d", path, n)
}

// checkShape reports the first violation of the line rules every
// generated message keeps: LF only, lines of at most 998 bytes (RFC 5322
// §2.1.1), a final newline.
func checkShape(msg []byte) error {
	if !bytes.HasSuffix(msg, []byte("\n")) {
		return fmt.Errorf("no final newline")
	}
	if bytes.IndexByte(msg, '\r') >= 0 {
		return fmt.Errorf("CR in message")
	}
	for n, line := range bytes.Split(msg, []byte("\n")) {
		if len(line) > 998 {
			return fmt.Errorf("line %d has %d bytes", n+1, len(line))
		}
	}
	return nil
}

// decodedText converts a text leaf's body to UTF-8 per its charset
// (ISO-8859-1 when unlabeled, spec decisions §2).
func decodedText(l leaf) (string, error) {
	switch cs := strings.ToLower(l.params["charset"]); cs {
	case "", "iso-8859-1":
		var b strings.Builder
		for _, c := range l.body {
			b.WriteRune(rune(c))
		}
		return b.String(), nil
	case "us-ascii":
		for _, c := range l.body {
			if c >= 0x80 {
				return "", fmt.Errorf("%s: byte %#x in us-ascii text", l.path, c)
			}
		}
		return string(l.body), nil
	case "utf-8":
		if !utf8.Valid(l.body) {
			return "", fmt.Errorf("%s: invalid utf-8 text", l.path)
		}
		return string(l.body), nil
	default:
		return "", fmt.Errorf("%s: unexpected charset %q", l.path, cs)
	}
}
