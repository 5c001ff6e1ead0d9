package message

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"p9mail/testenv"
	"p9mail/upasfs"
)

// memSource is a Source over files held in memory, keyed "2/1/raw";
// fail makes the files whose key it contains fail.
type memSource struct {
	files map[string]string
	parts map[string][]int
	fail  string
}

var errBoom = errors.New("boom")

func key(part []int, file string) string {
	if len(part) == 0 {
		return file
	}
	return pathString(part) + "/" + file
}

func (m *memSource) ReadFile(part []int, file string) ([]byte, error) {
	k := key(part, file)
	if m.fail != "" && strings.Contains(k, m.fail) {
		return nil, errBoom
	}
	return []byte(m.files[k]), nil
}

func (m *memSource) Open(part []int, file string) (io.ReadCloser, error) {
	b, err := m.ReadFile(part, file)
	return io.NopCloser(bytes.NewReader(b)), err
}

func (m *memSource) Parts(part []int) ([]int, error) {
	if m.fail == "parts" {
		return nil, errBoom
	}
	return m.parts[pathString(part)], nil
}

// TestManyParts: a multipart of 300 parts, listed out of order.
func TestManyParts(t *testing.T) {
	var b strings.Builder
	src := &memSource{files: map[string]string{}, parts: map[string][]int{}}
	b.WriteString("Content-Type: multipart/mixed; boundary=b\n\n")
	hdr := b.Len()
	for k := 300; k >= 1; k-- {
		src.parts[""] = append(src.parts[""], k)
		src.files[key([]int{k}, "mimeheader")] = "Content-Type: text/plain\n"
		src.files[key([]int{k}, "raw")] = fmt.Sprintf("Content-Type: text/plain\n\npart %d\n", k)
		fmt.Fprintf(&b, "--b\nContent-Type: text/plain\n\npart %d\n", k)
	}
	src.files["rawheader"] = b.String()[:hdr-1]
	src.files["raw"] = b.String()
	s, err := Load(src)
	if err != nil {
		t.Fatal(err)
	}
	bs := s.BodyStructure(false)
	// Each part's last line break belongs to the boundary (RFC 2046).
	if len(bs.Parts) != 300 || bs.Parts[0].Size != 6 || bs.Parts[299].Size != 8 {
		t.Fatalf("got %d parts, sizes %d and %d", len(bs.Parts), bs.Parts[0].Size, bs.Parts[299].Size)
	}
	got := fetch(t, s, src, Section{Part: []int{299}}, nil)
	if string(got) != "part 299" {
		t.Errorf("BODY[299] = %q", got)
	}
}

// TestLoadErrors: a failing file fails Load with the part named.
// Plainly delimited headers are taken from the raw files (head), the
// others (here: CRLF line ends) from the header files.
func TestLoadErrors(t *testing.T) {
	const raw = "Content-Type: message/rfc822\n\nSubject: x\n\nbody\n"
	plain := map[string]string{
		"rawheader": "Content-Type: message/rfc822\n", "raw": raw, "rawunix": "From a Mon Jan  1 00:00:00 2024\n" + raw,
		"1/rawheader": "Subject: x\n", "1/raw": "Subject: x\n\nbody\n",
	}
	const crlf = "Content-Type: message/rfc822\r\n\r\nSubject: x\r\n\r\nbody\n"
	notPlain := map[string]string{
		"rawheader": "Content-Type: message/rfc822\r\n", "raw": crlf, "rawunix": "From a Mon Jan  1 00:00:00 2024\n" + crlf,
		"1/rawheader": "Subject: x\r\n", "1/raw": "Subject: x\r\n\r\nbody\n",
	}
	for _, c := range []struct {
		files map[string]string
		fails []string
	}{
		{plain, []string{"1/raw", "parts", "rawunix"}},
		{notPlain, []string{"1/rawheader", "1/raw", "parts", "rawheader", "rawunix"}},
	} {
		for _, fail := range c.fails {
			src := &memSource{files: c.files, parts: map[string][]int{"": {1}}, fail: fail}
			_, err := Load(src)
			if !errors.Is(err, errBoom) {
				t.Errorf("fail %s: got %v, want %v", fail, err, errBoom)
			}
		}
	}
	files := plain
	src := &memSource{files: files, parts: map[string][]int{"": {1}}}
	s, err := Load(src)
	if err != nil {
		t.Fatal(err)
	}
	if got := fetch(t, s, src, Section{Part: []int{1, 1}}, nil); string(got) != "body\r\n" {
		t.Errorf("BODY[1.1] = %q", got)
	}
	src.fail = "1/raw"
	if _, _, err := s.Section(src, Section{Specifier: "HEADER"}, nil); err != nil {
		t.Errorf("HEADER needs no raw: %v", err)
	}
	if _, _, err := s.Section(src, Section{Part: []int{1}, Specifier: "HEADER"}, nil); !errors.Is(err, errBoom) {
		t.Errorf("1.HEADER: got %v, want %v", err, errBoom)
	}
	if _, _, err := s.Section(src, Section{Specifier: "BOGUS"}, nil); err == nil {
		t.Error("unknown specifier accepted")
	}
	src.fail = "raw"
	_, open, err := s.Section(src, Section{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := open(); !errors.Is(err, errBoom) {
		t.Errorf("open: got %v, want %v", err, errBoom)
	}
}

// TestFromLine: Load measures the message from rawunix and keeps its
// From line; when rawunix has no From line it measures raw and keeps
// none. The sizes agree either way.
func TestFromLine(t *testing.T) {
	const raw = "Subject: hi\n\nbody\n"
	long := "From " + strings.Repeat("x", maxFromLine) + " Mon Jan  1 00:00:00 2024"
	for _, c := range []struct{ rawunix, want string }{
		{"From glenda Mon Jan  1 00:00:00 2024\n" + raw, "From glenda Mon Jan  1 00:00:00 2024"},
		{raw, ""},               // no From line
		{"", ""},                // rawunix empty
		{long + "\n" + raw, ""}, // a From line too long to look for
	} {
		src := &memSource{files: map[string]string{"rawheader": "Subject: hi\n", "raw": raw, "rawunix": c.rawunix}}
		st, err := Load(src)
		if err != nil {
			t.Fatal(err)
		}
		if st.FromLine() != c.want {
			t.Errorf("rawunix %.20q: From line %q, want %q", c.rawunix, st.FromLine(), c.want)
		}
		if st.Size() != int64(len(raw)+3) {
			t.Errorf("rawunix %.20q: size %d, want %d", c.rawunix, st.Size(), len(raw)+3)
		}
	}
	// Through the emulator, every message's From line is its rawunix's.
	mbox := mailbox(t, "all")
	_, sts := loadAll(t, mbox)
	for i, m := range testenv.SplitMbox(mbox) {
		line, _, _ := strings.Cut(string(m), "\n")
		if sts[i].FromLine() != line {
			t.Errorf("message %d: From line %q, want %q", i+1, sts[i].FromLine(), line)
		}
	}
}

// TestHeadAgrees: for every message and part of every fixture, the
// header block head takes from the raw file when it is plainly
// delimited is byte for byte the emulator's rawheader or mimeheader,
// and the geometry measured from the same stream is what measuring
// the raw file alone gives.
func TestHeadAgrees(t *testing.T) {
	plain, other := 0, 0
	odd := "From a Mon Jan  1 00:00:00 2024\nSubject: crlf\r\nTo: b\r\n\r\nbody\r\n\n" +
		"From a Mon Jan  1 00:00:00 2024\nSubject: no empty line\nTo: b\n\n" +
		"From a Mon Jan  1 00:00:00 2024\nSubject: a line that is not a field\nnot a field\n\nbody\n\n" +
		"From a Mon Jan  1 00:00:00 2024\nSubject: long\nX-Long: " + strings.Repeat("x", 20000) + "\n\nbody\n\n" +
		"From a Mon Jan  1 00:00:00 2024\nSubject: parts\nContent-Type: multipart/mixed; boundary=b\n\n" +
		"--b\n\nno MIME header\n--b\n continued: first\nContent-Type: text/plain\n\ntext\n" +
		"--b\nContent-Type: text/plain\r\n\r\ncrlf part\n--b\nContent-Type: message/rfc822\n\n" +
		"Subject: inner\n\ninner body\n--b--\n\n" +
		"From a Mon Jan  1 00:00:00 2024\n\nno header at all\n\n" +
		"From a Mon Jan  1 00:00:00 2024\nSubject: last, no final newline\n\nbody"
	boxes := map[string][]byte{"odd": []byte(odd)}
	for _, name := range testenv.FixtureNames() {
		boxes[name] = testenv.Fixture(name)
	}
	for name, data := range boxes {
		c, nums := openBox(t, data)
		for _, num := range nums {
			src := UpasfsSource(c, "mbox", num)
			var walk func(path []int, msg bool)
			walk = func(path []int, msg bool) {
				file := upasfs.FileMimeHeader
				if msg {
					file = upasfs.FileRawHeader
				}
				want, err := src.ReadFile(path, file)
				if err != nil {
					t.Fatal(err)
				}
				hdr, _, raw, _, err := head(src, path, file, 0)
				if err != nil {
					t.Fatal(err)
				}
				g, err := measureStream(raw, path, int64(len(toCRLF(hdr))), false)
				if err != nil {
					t.Fatal(err)
				}
				g2, _, err := measure(src, path, int64(len(toCRLF(want))), false)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(hdr, want) || g != g2 {
					t.Errorf("%s message %d part %v: header %q geometry %+v, want %q %+v", name, num, path, hdr, g, want, g2)
				}
				rawBytes, _ := src.ReadFile(path, upasfs.FileRaw)
				if _, ok := plainHeader(rawBytes[:min(len(rawBytes), headChunk)]); ok {
					plain++
				} else {
					other++
				}
				kids, err := src.Parts(path)
				if err != nil {
					t.Fatal(err)
				}
				typ, _ := src.ReadFile(path, "type")
				for _, k := range kids {
					walk(append(slices.Clip(path), k), string(typ) == "message/rfc822")
				}
			}
			walk(nil, true)
		}
	}
	if plain == 0 || other == 0 {
		t.Errorf("%d plainly delimited headers, %d others: the fixtures should have both", plain, other)
	}
	t.Logf("%d plainly delimited headers, %d others", plain, other)
}
