package mime

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// typicalMessage is a 4 KB multipart/mixed message: a few Received:
// lines, an alternative text/html pair and a small base64 attachment.
func typicalMessage() []byte {
	var b strings.Builder
	b.WriteString("From alice@example.com Mon Jan  6 10:00:00 2025\n")
	for i := 0; i < 3; i++ {
		b.WriteString("Received: from mx" + string(rune('1'+i)) + ".example.com (mx.example.com [192.0.2.1])\n\tby mail.example.org with ESMTPS id abc123\n\tfor <testuser@example.org>; Mon, 6 Jan 2025 10:00:00 +0000\n")
	}
	b.WriteString("Date: Mon, 6 Jan 2025 10:00:00 +0000\nFrom: Alice Example <alice@example.com>\n" +
		"To: Test User <testuser@example.org>, =?UTF-8?B?QmrDtnJu?= <bob@example.com>\n" +
		"Subject: =?UTF-8?Q?Quarterly_report_=E2=80=94_draft?=\nMessage-ID: <bench@example.com>\n" +
		"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"outer-boundary\"\n\n" +
		"--outer-boundary\nContent-Type: multipart/alternative; boundary=\"alt-boundary\"\n\n" +
		"--alt-boundary\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n")
	for i := 0; i < 16; i++ {
		b.WriteString("The quick brown fox jumps over the lazy dog, caf=C3=A9 and cr=C3=A8me.\n")
	}
	b.WriteString("--alt-boundary\nContent-Type: text/html; charset=utf-8\n\n<html><body>\n")
	for i := 0; i < 16; i++ {
		b.WriteString("<p>The quick brown fox jumps over the lazy dog.</p>\n")
	}
	b.WriteString("</body></html>\n--alt-boundary--\n\n--outer-boundary\n" +
		"Content-Type: application/octet-stream; name=\"data.bin\"\nContent-Transfer-Encoding: base64\n" +
		"Content-Disposition: attachment; filename=\"data.bin\"\n\n")
	b.WriteString(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1, 2, 3, 250}, 150)))
	b.WriteString("\n--outer-boundary--\n")
	return []byte(b.String())
}

// BenchmarkParseInfo measures Parse plus the top-level info file, what
// a front end needs per message when it opens a mailbox.
func BenchmarkParseInfo(b *testing.B) {
	msg := typicalMessage()
	src := bytes.NewReader(msg)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := Parse(src, 0, int64(len(msg)), "622e75ceafcb3207afe1ca6b5888256281396c10", nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, n, err := p.Content("info"); err != nil || n == 0 {
			b.Fatal(err)
		}
	}
}

func TestTypicalMessage(t *testing.T) {
	msg := typicalMessage()
	if len(msg) < 3800 || len(msg) > 4400 {
		t.Errorf("typical message is %d bytes, want about 4 KB", len(msg))
	}
	p := parseString(t, string(msg))
	if len(p.Parts) != 2 || len(p.Parts[0].Parts) != 2 {
		t.Fatalf("structure: %d parts", len(p.Parts))
	}
	if got := p.Parts[1].Filename; got != "data.bin" {
		t.Errorf("attachment filename %q", got)
	}
}
