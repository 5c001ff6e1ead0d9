package mime

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
)

// msgSpan is one message of a test mbox: its rawunix section and digest.
type msgSpan struct {
	off, n int64
	digest string
}

// splitMbox finds the messages of an mbox as the mbox scanner does
// (spec §1.8, p9p §3.1): each runs from a line starting "From " to the
// next, less one trailing newline; the digest is the SHA-1 of those bytes.
func splitMbox(data []byte) []msgSpan {
	var starts []int
	for i := 0; i < len(data); {
		if bytes.HasPrefix(data[i:], []byte("From ")) {
			starts = append(starts, i)
		}
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	var msgs []msgSpan
	for k, s := range starts {
		e := len(data)
		if k+1 < len(starts) {
			e = starts[k+1]
		}
		if e > s && data[e-1] == '\n' {
			e--
		}
		sum := sha1.Sum(data[s:e])
		msgs = append(msgs, msgSpan{int64(s), int64(e - s), hex.EncodeToString(sum[:])})
	}
	return msgs
}

// parseMbox parses every message of the mbox file at path.
func parseMbox(t testing.TB, path string, ignore []string) []*Part {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	src := bytes.NewReader(data)
	var msgs []*Part
	for _, m := range splitMbox(data) {
		p, err := Parse(src, m.off, m.n, m.digest, ignore)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		msgs = append(msgs, p)
	}
	return msgs
}

// readContent reads a whole file of p, checking that the size reported
// is the number of bytes there are.
func readContent(t testing.TB, p *Part, name string) []byte {
	t.Helper()
	r, n, err := p.Content(name)
	if err != nil {
		t.Fatalf("Content(%q): %v", name, err)
	}
	b, err := io.ReadAll(io.NewSectionReader(r, 0, n+1))
	if err != nil {
		t.Fatalf("read %q: %v", name, err)
	}
	if int64(len(b)) != n {
		t.Fatalf("%q: size %d, read %d bytes", name, n, len(b))
	}
	return b
}

// goldenLine is one assertion of a .golden file.
type goldenLine struct {
	lineno int
	path   []int // message number, then part numbers
	file   string
	want   string // the content, or its length when isLen
	isLen  bool
}

func readGolden(t *testing.T, name string) []goldenLine {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []goldenLine
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if text == "" || text[0] == '#' {
			continue
		}
		g, err := parseGoldenLine(text)
		if err != nil {
			t.Fatalf("%s:%d: %v", name, n, err)
		}
		g.lineno = n
		lines = append(lines, g)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

func parseGoldenLine(text string) (goldenLine, error) {
	var g goldenLine
	f := strings.SplitN(text, " ", 3)
	if len(f) != 3 {
		return g, fmt.Errorf("want <path> <file> <value>")
	}
	for _, s := range strings.Split(f[0], "/") {
		i, err := strconv.Atoi(s)
		if err != nil {
			return g, err
		}
		g.path = append(g.path, i)
	}
	g.file = f[1]
	if n, ok := strings.CutPrefix(f[2], "len "); ok {
		g.isLen, g.want = true, n
		return g, nil
	}
	v, err := strconv.Unquote(f[2])
	g.want = v
	return g, err
}

// checkGolden checks the parsed messages against a .golden file.
func checkGolden(t *testing.T, msgs []*Part, golden string) {
	for _, g := range readGolden(t, golden) {
		if g.path[0] < 1 || g.path[0] > len(msgs) {
			t.Errorf("%s:%d: no message %d", golden, g.lineno, g.path[0])
			continue
		}
		top := msgs[g.path[0]-1]
		p := top.Lookup(g.path[1:])
		if p == nil {
			t.Errorf("%s:%d: no part %v", golden, g.lineno, g.path)
			continue
		}
		var got string
		if g.file == "parts" {
			got = strconv.Itoa(len(p.Parts))
		} else {
			got = string(readContent(t, p, g.file))
		}
		want := strings.ReplaceAll(g.want, "@DIGEST@", top.Digest)
		if g.isLen {
			got = strconv.Itoa(len(got))
		}
		if got != want {
			t.Errorf("%s:%d: %v %s = %q, want %q", golden, g.lineno, g.path, g.file, got, want)
		}
	}
}

// TestP9PGolden checks the files of the messages of p9p-upasfs.md §3.
func TestP9PGolden(t *testing.T) {
	checkGolden(t, parseMbox(t, "testdata/p9p.mbox", nil), "testdata/p9p.golden")
}

// TestExtraGolden checks the further cases of testdata/extra.mbox.
func TestExtraGolden(t *testing.T) {
	ignore := []string{"# comment", "", "  received", "X-"}
	checkGolden(t, parseMbox(t, "testdata/extra.mbox", ignore), "testdata/extra.golden")
}
