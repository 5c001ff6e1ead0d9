package mime

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// checkTree checks the invariants of a parsed tree: offsets are ordered
// and lie inside the parent's body (or inside the decoded buffer a
// transfer-encoded message/rfc822 part gives its child), every file can
// be read and has the size reported, and lines counts rawbody's '\n's.
func checkTree(t testing.TB, p *Part, lo, hi int64) {
	t.Helper()
	if !(lo <= p.UnixOff && p.UnixOff <= p.HeaderOff && p.HeaderOff+p.HeaderLen <= p.BodyOff &&
		p.HeaderLen >= 0 && p.BodyLen >= 0 && p.end() <= hi) {
		t.Fatalf("part offsets %d %d+%d %d+%d outside [%d,%d)",
			p.UnixOff, p.HeaderOff, p.HeaderLen, p.BodyOff, p.BodyLen, lo, hi)
	}
	if p.kind != kindTop && (p.UnixLen != 0 || p.UnixOff != p.HeaderOff) {
		t.Fatalf("sub-part with a From line: %d+%d", p.UnixOff, p.UnixLen)
	}
	for _, name := range Files {
		readContent(t, p, name)
	}
	if got := string(readContent(t, p, "lines")); got != fmt.Sprint(bytes.Count(readContent(t, p, "rawbody"), []byte{'\n'})) {
		t.Fatalf("lines = %s, rawbody says otherwise", got)
	}
	if n := strings.Count(string(readContent(t, p, "info")), "\n"); n < 16 {
		t.Fatalf("info has %d newlines", n)
	}
	for _, c := range p.Parts {
		clo, chi := p.BodyOff, p.end()
		if c.Src != p.Src {
			r, ok := c.Src.(*bytes.Reader)
			if !ok {
				t.Fatalf("child Src is %T", c.Src)
			}
			clo, chi = 0, r.Size()
		}
		checkTree(t, c, clo, chi)
	}
}

// fuzzSeeds are messages worth mutating, besides the fixture files.
var fuzzSeeds = []string{
	"From a b\n",
	"From \n\n",
	"Subject: no from line\n\nbody",
	"From a Mon Jan  6 10:00:00 2025\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nU3ViamVjdDogaQoKaGkK\n--x--\n",
	"From a\nContent-Type: message/rfc822; boundary=q\nContent-Transfer-Encoding: quoted-printable\n\nFrom: x=\n@y\n\n=00\n",
	"From a\nContent-Type: text/plain; charset=iso-8859-2\nSubject: =?utf-8?q?x?=\n =?bad?b?YQ==?=\n\n\x00\xff\n",
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const off = 3 // parse a section that does not start the file
		src := append([]byte("xx\n"), data...)
		p, err := Parse(bytes.NewReader(src), off, int64(len(data)), "d", []string{"x-", "#c"})
		if err != nil {
			t.Fatal(err)
		}
		if p.UnixOff != off || p.end() != int64(len(src)) {
			t.Fatalf("message at %d..%d, want %d..%d", p.UnixOff, p.end(), off, len(src))
		}
		checkTree(t, p, off, int64(len(src)))
	})
}

func FuzzDecodeHeader(f *testing.F) {
	for _, s := range []string{
		"=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_M=C3=BCnchen?= =?ISO-8859-1?Q?_caf=E9?=",
		"=?utf-8?b?4pyTIGRvbmU=?=\n\t=?x?q?y?= z",
		"==?=?a?b?c?=?=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := DecodeHeader(s)
		if !strings.Contains(s, "=?") && got != s {
			t.Fatalf("DecodeHeader(%q) = %q changed text without encoded words", s, got)
		}
		if !strings.Contains(s, "?=") && got != s {
			t.Fatalf("DecodeHeader(%q) = %q changed text without a word end", s, got)
		}
	})
}
