package imap

import (
	"bytes"
	"encoding/base64"
	"testing"
)

// TestReencode: what mbox keeps is left alone; a leaf part with a bare
// CR or LF is base64 with its encoding header replaced, in a single
// part message and in a multipart; a message/rfc822 or a malformed
// entity that would need it is refused.
func TestReencode(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Subject: a\r\n\r\nplain\x00\r\n", "Subject: a\r\n\r\nplain\x00\r\n"},
		{"Subject: a\r\nContent-Transfer-Encoding: binary\r\n\r\na\nb",
			"Subject: a\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString([]byte("a\nb")) + "\r\n"},
		{"Content-Type: multipart/mixed; boundary=q\r\n\r\npre\r\n--q\r\n\r\nok\r\n--q\r\nContent-Transfer-Encoding:\r\n binary\r\n\r\n\r\r\n--q--\r\n",
			"Content-Type: multipart/mixed; boundary=q\r\n\r\npre\r\n--q\r\n\r\nok\r\n--q\r\nContent-Transfer-Encoding: base64\r\n\r\nDQ==\r\n\r\n--q--\r\n"},
		{"Content-Type: message/rfc822\r\n\r\nS: x\r\n\r\n\n", "error"},
		{"Subject: a\r\n\n", "error"},
		{"Content-Type: multipart/mixed; boundary=q\r\n\r\n\n--q\r\n\r\nx\r\n--q--\r\n", "error"},
		{"Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n\r\n\n", "error"},
		{"Content-Transfer-Encoding: base64\r\n\r\nAA\n", "error"},
	} {
		out, err := reencode([]byte(c.in), 0)
		got := string(out)
		if err != nil {
			got = "error"
		}
		if got != c.want {
			t.Errorf("reencode(%q) =\n %q\nwant\n %q", c.in, got, c.want)
		}
	}
}

// FuzzReencode: reencode never panics, and what it returns the mbox
// keeps as it is.
func FuzzReencode(f *testing.F) {
	for _, s := range []string{
		"Subject: a\r\n\r\na\nb",
		"Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\nContent-Type: multipart/alternative; boundary=r\r\n\r\n--r\r\n\r\n\r\x00\r\n--r--\r\n\r\n--q--\r\n",
		"Content-Type: message/rfc822\r\n\r\n\n",
		"Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		out, err := reencode(bytes.Clone(msg), 0)
		if err != nil {
			if err != errBinary {
				t.Fatalf("error %v, want errBinary", err)
			}
			return
		}
		if !storable(out) {
			t.Fatalf("reencode(%q) = %q, which mbox does not keep", msg, out)
		}
	})
}
