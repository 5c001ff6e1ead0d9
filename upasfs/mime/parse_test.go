package mime

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func parseString(t *testing.T, msg string) *Part {
	t.Helper()
	p, err := Parse(strings.NewReader(msg), 0, int64(len(msg)), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	checkTree(t, p, 0, int64(len(msg)))
	return p
}

// TestFixtureInvariants runs the fuzz invariants over the fixture files.
func TestFixtureInvariants(t *testing.T) {
	for _, f := range []string{"testdata/p9p.mbox", "testdata/extra.mbox"} {
		for _, p := range parseMbox(t, f, nil) {
			checkTree(t, p, p.UnixOff, p.end())
		}
	}
}

func TestContentErrors(t *testing.T) {
	p := parseString(t, "From a b\n\nx\n")
	for _, name := range []string{"flags", "size", "", "Body", "info2"} {
		if _, _, err := p.Content(name); !errors.Is(err, ErrNotExist) {
			t.Errorf("Content(%q) error = %v, want ErrNotExist", name, err)
		}
	}
	if err := ErrNotExist.Error(); err != "file does not exist" {
		t.Errorf("ErrNotExist says %q", err)
	}
}

// TestRawIsSection checks that raw files are sections of the source, not
// copies, and so is the body of an unencoded part that needs no change.
func TestRawIsSection(t *testing.T) {
	p := parseString(t, "From a b\nContent-Type: text/plain; charset=utf-8\n\nbody\xc3\xa9\n")
	for _, name := range []string{"raw", "rawunix", "rawheader", "rawbody", "body"} {
		r, _, err := p.Content(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := r.(*io.SectionReader); !ok {
			t.Errorf("Content(%q) is a %T, want a section", name, r)
		}
	}
}

func TestLookup(t *testing.T) {
	msgs := parseMbox(t, "testdata/p9p.mbox", nil)
	m4 := msgs[3]
	tests := []struct {
		path []int
		want *Part
	}{
		{nil, m4},
		{[]int{2, 1}, m4.Parts[1].Parts[0]},
		{[]int{0}, nil},
		{[]int{3}, nil},
		{[]int{2, 1, 1}, nil},
		{[]int{-1}, nil},
	}
	for _, tt := range tests {
		if got := m4.Lookup(tt.path); got != tt.want {
			t.Errorf("Lookup(%v) = %p, want %p", tt.path, got, tt.want)
		}
	}
}

// errReaderAt fails every read.
type errReaderAt struct{}

func (errReaderAt) ReadAt([]byte, int64) (int, error) { return 0, errors.New("disk on fire") }

func TestParseReadError(t *testing.T) {
	_, err := Parse(errReaderAt{}, 0, 100, "", nil)
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("Parse error = %v", err)
	}
	if _, err := Parse(strings.NewReader(""), 0, -1, "", nil); err == nil {
		t.Error("negative length accepted")
	}
}

// TestHugeLines checks lines longer than the read buffer: a long header
// value is cut at maxField, offsets stay exact, a long body line counts.
func TestHugeLines(t *testing.T) {
	long := strings.Repeat("s", 3*bufSize)
	msg := "From a b\nSubject: " + long + "\n" + "X-Long: " + long + "\n\n" + long + "\n" + long
	p := parseString(t, msg)
	if len(p.Subject) != min(maxField, bufSize)-len("Subject: ") {
		t.Errorf("subject kept %d bytes", len(p.Subject))
	}
	if p.BodyLen != int64(2*len(long)+1) || p.lines != 1 {
		t.Errorf("body %d bytes, %d lines", p.BodyLen, p.lines)
	}
	bnd := strings.Repeat("b", 100)
	mp := "From a b\nContent-Type: multipart/mixed; boundary=" + bnd + "\n\n--" + bnd + "\n\n" + long + "\x00\n--" + bnd + "--\n"
	p = parseString(t, mp)
	if len(p.Parts) != 1 || p.Parts[0].BodyLen != int64(len(long)+2) {
		t.Fatalf("multipart with a long line: %d parts", len(p.Parts))
	}
	if b := readContent(t, p.Parts[0], "body"); len(b) != len(long)+1 {
		t.Errorf("body of long text part: %d bytes", len(b))
	}
}

// TestDeepNesting checks that hostile nesting ends in leaves, quickly.
func TestDeepNesting(t *testing.T) {
	var b strings.Builder
	b.WriteString("From a b\n")
	const depth = 5000
	for i := 0; i < depth; i++ {
		b.WriteString("Content-Type: message/rfc822\n\n")
	}
	b.WriteString("x\n")
	start := time.Now()
	p := parseString(t, b.String())
	if time.Since(start) > 10*time.Second {
		t.Errorf("parse took %v", time.Since(start))
	}
	n := 0
	for ; len(p.Parts) > 0; p = p.Parts[0] {
		n++
	}
	if n != maxDepth {
		t.Errorf("nesting kept %d levels, want %d", n, maxDepth)
	}
}

func TestManyParts(t *testing.T) {
	msg := "From a b\nContent-Type: multipart/mixed; boundary=x\n\n" + strings.Repeat("--x\n", maxParts+10)
	p := parseString(t, msg)
	if len(p.Parts) != maxParts-1 {
		t.Errorf("%d parts kept, want %d", len(p.Parts), maxParts-1)
	}
}

// TestMalformed feeds broken messages; each must parse to something
// sensible (checked by checkTree) with the structure given.
func TestMalformed(t *testing.T) {
	tests := []struct {
		name, msg string
		parts     int
		body      string
	}{
		{"empty", "", 0, ""},
		{"from line only", "From a b", 0, ""},
		{"no blank line", "From a b\nSubject: x", 0, ""},
		{"no from line", "Subject: x\n\nbody\n", 0, "body\n"},
		{"crlf", "From a b\r\nSubject: x\r\n\r\nbody\r\n", 0, "\r\nbody\r\n"},
		{"8-bit header", "From a b\nSubject: caf\xe9\n\n", 0, ""},
		{"nul header", "From a b\nSub\x00ject: x\n\ny", 0, "y"},
		{"multipart no boundary line", "From a b\nContent-Type: multipart/mixed; boundary=q\n\nno parts\n", 0, "no parts\n"},
		{"boundary without newline", "From a b\nContent-Type: multipart/mixed; boundary=q\n\n--q", 0, "--q"},
		{"bad base64", "From a b\nContent-Transfer-Encoding: base64\n\n!!!!\n", 0, ""},
		{"empty boundary", "From a b\nContent-Type: multipart/x; boundary=\"\"\n\n--\n--a\n", 2, "--\n--a\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := parseString(t, tt.msg)
			if len(p.Parts) != tt.parts {
				t.Errorf("%d parts, want %d", len(p.Parts), tt.parts)
			}
			if got := string(readContent(t, p, "body")); got != tt.body {
				t.Errorf("body = %q, want %q", got, tt.body)
			}
		})
	}
}

func TestParseShortSource(t *testing.T) {
	msg := "From a b\n\nbody\n"
	if _, err := Parse(strings.NewReader(msg), 0, int64(len(msg))+1, "", nil); err == nil {
		t.Error("section past the end of the source accepted")
	}
	if _, err := Parse(strings.NewReader(msg), 0, 0, "", nil); err != nil {
		t.Errorf("empty section: %v", err)
	}
}
