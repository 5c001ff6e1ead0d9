package message

import (
	"encoding/base64"
	"strings"
	"testing"
)

// multipart4K is a 4 KB message: multipart/mixed holding a
// multipart/alternative (text and HTML) and a base64 attachment.
func multipart4K() []byte {
	var b strings.Builder
	b.WriteString("From bench@example.com Mon Jan  6 10:00:00 2025\n")
	b.WriteString("Date: Mon, 6 Jan 2025 10:00:00 +0000\nFrom: Bench Mark <bench@example.com>\n")
	b.WriteString("To: A <a@example.com>, B <b@example.com>\nCc: c@example.com\nSubject: benchmark\n")
	b.WriteString("Message-ID: <bench@example.com>\nMIME-Version: 1.0\n")
	b.WriteString("Content-Type: multipart/mixed; boundary=\"outer\"\n\n--outer\n")
	b.WriteString("Content-Type: multipart/alternative; boundary=\"alt\"\n\n--alt\n")
	b.WriteString("Content-Type: text/plain; charset=us-ascii\n\n")
	b.WriteString(strings.Repeat("Some text of the benchmark message, one line of it.\n", 20))
	b.WriteString("--alt\nContent-Type: text/html; charset=us-ascii\n\n<html><body>\n")
	b.WriteString(strings.Repeat("<p>Some text of the benchmark message.</p>\n", 20))
	b.WriteString("</body></html>\n--alt--\n\n--outer\n")
	b.WriteString("Content-Type: application/octet-stream; name=\"a.bin\"\n")
	b.WriteString("Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=\"a.bin\"\n\n")
	data := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("\x00\x01binary", 140)))
	for len(data) > 76 {
		b.WriteString(data[:76] + "\n")
		data = data[76:]
	}
	b.WriteString(data + "\n--outer--\n\n")
	return []byte(b.String())
}

// BenchmarkLoad: Load, BODYSTRUCTURE and ENVELOPE of a 4 KB multipart
// message through the emulator over 9P (a unix socket).
func BenchmarkLoad(b *testing.B) {
	mbox := multipart4K()
	c, nums := openBox(b, mbox)
	src := UpasfsSource(c, "mbox", nums[0])
	b.SetBytes(int64(len(mbox)))
	var out []byte
	for b.Loop() {
		s, err := Load(src)
		if err != nil {
			b.Fatal(err)
		}
		out = s.BodyStructure(true).Append(out[:0])
		out = s.Envelope().Append(out)
	}
	if len(mbox) < 4000 || len(mbox) > 4500 {
		b.Fatalf("message is %d bytes, want about 4 KB", len(mbox))
	}
	_ = out
}
