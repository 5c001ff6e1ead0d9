package message

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestLongHeader: header blocks longer than the bound (a message's and
// a part's) are held only up to it, yet every section, size and line
// count is what an unbounded load gives, and ENVELOPE and HEADER.FIELDS
// see the fields in the bytes held.
func TestLongHeader(t *testing.T) {
	const max = 4096
	long := strings.Repeat("x", 50_000)
	var flood strings.Builder // many short fields: more than max in all
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&flood, "X-Flood-%d: v\n", i)
	}
	msg := "From glenda Mon Jan  2 15:04:05 2006\n" +
		"Subject: kept\nFrom: Glenda <glenda@example.com>\n" +
		"X-Long: " + long + "\n" + flood.String() +
		"To: rob@example.com\n" +
		"Content-Type: multipart/mixed; boundary=b\n\n" +
		"--b\nContent-Type: text/plain\nX-Part-Long: " + long + "\n\npart one\n" +
		"--b\nContent-Type: text/plain\n\npart two\n--b--\n"
	c, nums := openBox(t, []byte(msg))
	src := UpasfsSource(c, "mbox", nums[0])
	bounded, err := LoadLimited(src, max)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := LoadLimited(src, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(bounded.root.header); n > 2*max {
		t.Errorf("the bounded load holds %d bytes of header (bound %d)", n, 2*max)
	}
	if bounded.Size() != whole.Size() {
		t.Errorf("RFC822.SIZE %d, unbounded %d", bounded.Size(), whole.Size())
	}
	if got, want := string(bounded.BodyStructure(true).Append(nil)), string(whole.BodyStructure(true).Append(nil)); got != want {
		t.Errorf("BODYSTRUCTURE %s\nunbounded %s", got, want)
	}
	if env := string(bounded.Envelope().Append(nil)); !strings.Contains(env, `"kept"`) || !strings.Contains(env, `"glenda"`) {
		t.Errorf("ENVELOPE %s lacks the fields before the long one", env)
	}
	sections := []Section{
		{}, {Specifier: "HEADER"}, {Specifier: "TEXT"},
		{Part: []int{1}}, {Part: []int{1}, Specifier: "MIME"}, {Part: []int{2}, Specifier: "MIME"},
		{Specifier: "HEADER.FIELDS", Fields: []string{"Subject", "From"}},
	}
	for _, sec := range sections {
		for _, p := range []*Partial{nil, {Start: 10, Count: 100}, {Start: 49_990, Count: 30}} {
			got, want := fetch(t, bounded, src, sec, p), fetch(t, whole, src, sec, p)
			if !bytes.Equal(got, want) {
				t.Errorf("section %+v partial %+v: %d bytes, unbounded %d", sec, p, len(got), len(want))
			}
		}
	}
	hdr := fetch(t, bounded, src, Section{Specifier: "HEADER"}, nil)
	if !bytes.Contains(hdr, []byte(long)) || !bytes.HasSuffix(hdr, []byte("multipart/mixed; boundary=b\r\n\r\n")) {
		t.Errorf("BODY[HEADER] of the long header is not whole: %d bytes", len(hdr))
	}
	fields, err := bounded.Header(src)
	if err != nil {
		t.Fatal(err)
	}
	if !FieldContains(fields, "Subject", "kept") {
		t.Errorf("SEARCH's %d fields lack Subject", len(fields))
	}
}
