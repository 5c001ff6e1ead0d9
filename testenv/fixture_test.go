package testenv

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
)

func TestFixtureNames(t *testing.T) {
	names := FixtureNames()
	if len(names) != 3+int(NumKinds) {
		t.Fatalf("%d names: %q", len(names), names)
	}
	for _, name := range names {
		data := Fixture(name)
		want := fixtureKindCount
		switch name {
		case "p9p":
			want = 5
		case "digest":
			want = 2
		case "all":
			want = int(NumKinds)
		}
		if got := len(fromLineStarts(data)); got != want || !bytes.HasPrefix(data, fromPrefix) {
			t.Errorf("fixture %q: %d messages, want %d", name, got, want)
		}
		if !bytes.Equal(data, Fixture(name)) {
			t.Errorf("fixture %q differs between calls", name)
		}
	}
	if Fixture("nosuch") != nil || Fixture("") != nil {
		t.Errorf("unknown fixture is not nil")
	}
	a := Fixture("p9p")
	a[0] = 'X'
	if Fixture("p9p")[0] != 'F' {
		t.Errorf("Fixture returns shared bytes")
	}
}

// TestFixtureKinds: each per-kind fixture holds messages 0-2 of that kind.
func TestFixtureKinds(t *testing.T) {
	for k := Kind(0); k < NumKinds; k++ {
		var want bytes.Buffer
		for i := 0; i < fixtureKindCount; i++ {
			fmt.Fprintf(&want, "%s\n%s\n", Envelope(fixtureSeed, i, k), EscapeFrom(Message(fixtureSeed, i, k)))
		}
		if !bytes.Equal(Fixture(k.String()), want.Bytes()) {
			t.Errorf("fixture %v is not messages 0-2 of its kind", k)
		}
	}
}

// upasMessages splits an mbox as upas/fs does (spec/p9p-upasfs.md
// §3.1): a message runs from a "From " line to the next, less one
// trailing newline (the separator, or the last message's own).
func upasMessages(data []byte) [][]byte {
	starts := fromLineStarts(data)
	var msgs [][]byte
	for j, s := range starts {
		end := int64(len(data))
		if j+1 < len(starts) {
			end = starts[j+1]
		}
		m := data[s:end]
		msgs = append(msgs, bytes.TrimSuffix(m, []byte("\n")))
	}
	return msgs
}

// splitHeader cuts an entity at its first empty line: the header (each
// line with its "\n") and the body after the empty line.
func splitHeader(e []byte) (hdr, body []byte) {
	if bytes.HasPrefix(e, []byte("\n")) {
		return nil, e[1:]
	}
	if n := bytes.Index(e, []byte("\n\n")); n >= 0 {
		return e[:n+1], e[n+2:]
	}
	return e, nil
}

// upasParts splits a multipart body as upas/fs does: a part starts after
// a "--boundary" line at a line start and ends where the next one
// starts (so the newline before it is the part's); "--boundary--" ends.
func upasParts(body []byte, boundary string) [][]byte {
	delim := []byte("--" + boundary)
	var parts [][]byte
	start := -1
	for off := 0; off < len(body); {
		line := body[off:]
		if nl := bytes.IndexByte(line, '\n'); nl >= 0 {
			line = line[:nl+1]
		}
		if bytes.HasPrefix(line, delim) {
			if start >= 0 {
				parts = append(parts, body[start:off])
			}
			if bytes.HasPrefix(line[len(delim):], []byte("--")) {
				return parts
			}
			start = off + len(line)
		}
		off += len(line)
	}
	if start >= 0 {
		parts = append(parts, body[start:])
	}
	return parts
}

// boundaryOf returns the boundary parameter of an entity header.
func boundaryOf(t *testing.T, hdr []byte) string {
	t.Helper()
	m, err := mail.ReadMessage(io.MultiReader(bytes.NewReader(hdr), strings.NewReader("\n")))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		t.Fatalf("content-type %q: %v", m.Header.Get("Content-Type"), err)
	}
	return params["boundary"]
}

// p9pMessages returns the p9p fixture's five messages, upas/fs-split, and
// each message's rawheader and rawbody (From line removed).
func p9pMessages(t *testing.T) (msgs, hdrs, bodies [][]byte) {
	t.Helper()
	msgs = upasMessages(Fixture("p9p"))
	if len(msgs) != 5 {
		t.Fatalf("%d messages, want 5", len(msgs))
	}
	for _, m := range msgs {
		raw := m[bytes.IndexByte(m, '\n')+1:]
		h, b := splitHeader(raw)
		hdrs, bodies = append(hdrs, h), append(bodies, b)
	}
	return msgs, hdrs, bodies
}

func digest(rawunix []byte) string { return fmt.Sprintf("%x", sha1.Sum(rawunix)) }

// TestP9PMessage1 checks the byte-exact table of spec/p9p-upasfs.md §3.1.
func TestP9PMessage1(t *testing.T) {
	msgs, hdrs, bodies := p9pMessages(t)
	m := msgs[0]
	const (
		wantHdr  = "Date: Mon, 6 Jan 2025 10:00:00 +0000\nFrom: Alice Example <alice@example.com>\nTo: Test User <testuser@example.org>\nSubject: Plain hello\nMessage-ID: <plain1@example.com>\n"
		wantBody = "Hello testuser,\nthis is a plain message.\n>From the start, a quoted From line.\n-- \nAlice\n"
		wantFrom = "From alice@example.com Mon Jan  6 10:00:00 2025\n"
	)
	if string(hdrs[0]) != wantHdr || len(hdrs[0]) != 168 {
		t.Errorf("rawheader %q (%d bytes)", hdrs[0], len(hdrs[0]))
	}
	if string(bodies[0]) != wantBody || len(bodies[0]) != 88 {
		t.Errorf("rawbody %q (%d bytes)", bodies[0], len(bodies[0]))
	}
	if !bytes.HasPrefix(m, []byte(wantFrom)) || len(m)-len(wantFrom) != 257 || len(m) != 305 {
		t.Errorf("raw %d bytes, rawunix %d, want 257 and 305", len(m)-len(wantFrom), len(m))
	}
	if got := bytes.Count(bodies[0], []byte("\n")); got != 5 {
		t.Errorf("lines %d, want 5", got)
	}
	if got := digest(m); got != "622e75ceafcb3207afe1ca6b5888256281396c10" {
		t.Errorf("digest %s", got)
	}
}

// TestP9PMessage2 checks §3.2 and §3.5: digest, sizes, header values.
func TestP9PMessage2(t *testing.T) {
	msgs, hdrs, bodies := p9pMessages(t)
	m := msgs[1]
	if got := digest(m); got != "dc3624d60d91e79639cfb7a25b1912469b219d18" {
		t.Errorf("digest %s", got)
	}
	if raw := len(hdrs[1]) + 1 + len(bodies[1]); raw != 521 {
		t.Errorf("raw %d bytes, want 521", raw)
	}
	if len(bodies[1]) != 83 || bytes.Count(bodies[1], []byte("\n")) != 2 {
		t.Errorf("rawbody %q: want 83 bytes, 2 lines", bodies[1])
	}
	dec, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(bodies[1])))
	if want := "Grüß dich, this is quoted-printable utf-8 text with a soft line break.\n"; err != nil || string(dec) != want || len(dec) != 73 {
		t.Errorf("body %q, %v; want %q", dec, err, want)
	}
	for _, want := range []string{
		"\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_M=C3=BCnchen?= =?ISO-8859-1?Q?_caf=E9?=\n",
		"\nFrom: =?UTF-8?B?QmrDtnJu?= <bob@example.com>\n",
		"\nTo: testuser@example.org, carol@example.net\n",
		"\nCc: \"Dave D.\" <dave@example.net>\n",
		"\nReply-To: bob-reply@example.com\n",
		"\nIn-Reply-To: <plain1@example.com>\n",
		"\nMessage-ID: <enc2@example.com>\n",
		"Date: Tue, 7 Jan 2025 11:30:00 +0100\n",
	} {
		if !bytes.Contains(hdrs[1], []byte(want)) {
			t.Errorf("header lacks %q", want)
		}
	}
	if !bytes.HasPrefix(m, []byte("From bob@example.com Tue Jan  7 11:30:00 2025\n")) {
		t.Errorf("From line %q", m[:bytes.IndexByte(m, '\n')])
	}
}

// TestP9PMessage3 checks §3.3: multipart/mixed, 679-byte body of 25
// lines, preamble and epilogue, a text part and two base64 attachments.
func TestP9PMessage3(t *testing.T) {
	_, hdrs, bodies := p9pMessages(t)
	body := bodies[2]
	if len(body) != 679 || bytes.Count(body, []byte("\n")) != 25 {
		t.Errorf("body %d bytes, %d lines; want 679, 25", len(body), bytes.Count(body, []byte("\n")))
	}
	parts := upasParts(body, boundaryOf(t, hdrs[2]))
	if len(parts) != 3 {
		t.Fatalf("%d parts, want 3", len(parts))
	}
	type want struct {
		mimeheader string // "" to skip
		rawLen     int
		lines      int
		decoded    string
	}
	bin := make([]byte, 128) // data.bin holds bytes 0..127
	for j := range bin {
		bin[j] = byte(j)
	}
	wants := []want{
		{"Content-Type: text/plain; charset=us-ascii\n", 34, 2, "Please find the report attached.\n\n"},
		{"", 176, 4, string(bin)},
		{"", 42, 2, "hello attachment\nsecond line\n"},
	}
	for j, w := range wants {
		h, b := splitHeader(parts[j])
		if w.mimeheader != "" && string(h) != w.mimeheader {
			t.Errorf("3/%d mimeheader %q", j+1, h)
		}
		if len(b) != w.rawLen || bytes.Count(b, []byte("\n")) != w.lines {
			t.Errorf("3/%d rawbody %d bytes, %d lines; want %d, %d", j+1, len(b), bytes.Count(b, []byte("\n")), w.rawLen, w.lines)
		}
		dec := b
		if bytes.Contains(h, []byte("base64")) {
			var err error
			if dec, err = io.ReadAll(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(b))); err != nil {
				t.Errorf("3/%d: %v", j+1, err)
			}
		}
		if string(dec) != w.decoded {
			t.Errorf("3/%d body %q, want %q", j+1, dec, w.decoded)
		}
	}
	if h, _ := splitHeader(parts[2]); !bytes.Contains(h, []byte(`filename="notes file.txt"`)) || !bytes.Contains(h, []byte(`name="notes.txt"`)) {
		t.Errorf("3/3 header %q", h)
	}
	if !bytes.HasPrefix(body, []byte("This is a multi-part")) || !bytes.HasSuffix(body, []byte("--\nepilogue.\n")) {
		t.Errorf("preamble or epilogue missing")
	}
}

// TestP9PMessage4 checks §3.4: mixed → alternative + message/rfc822.
func TestP9PMessage4(t *testing.T) {
	_, hdrs, bodies := p9pMessages(t)
	parts := upasParts(bodies[3], boundaryOf(t, hdrs[3]))
	if len(parts) != 2 {
		t.Fatalf("%d parts, want 2", len(parts))
	}
	altHdr, altBody := splitHeader(parts[0])
	alt := upasParts(altBody, boundaryOf(t, altHdr))
	if len(alt) != 2 {
		t.Fatalf("4/1: %d parts, want 2", len(alt))
	}
	h, b := splitHeader(alt[0])
	if string(b) != "Plain version caf=E9\n" || !bytes.Contains(h, []byte("charset=iso-8859-1")) {
		t.Errorf("4/1/1: %q %q", h, b)
	}
	if _, b := splitHeader(alt[1]); string(b) != "<html><body><p>HTML version</p></body></html>\n" {
		t.Errorf("4/1/2 body %q", b)
	}
	h, inner := splitHeader(parts[1])
	if string(h) != "Content-Type: message/rfc822\nContent-Disposition: inline\n" {
		t.Errorf("4/2 mimeheader %q", h)
	}
	ih, ib := splitHeader(inner)
	m, err := mail.ReadMessage(bytes.NewReader(inner))
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Get("Date") != "Fri, 3 Jan 2025 08:00:00 +0000" || m.Header.Get("Subject") != "Forwarded inner message" ||
		!strings.Contains(m.Header.Get("From"), "eve@example.com") || len(ih) == 0 {
		t.Errorf("4/2/1 header %q", ih)
	}
	if string(ib) != "Inner body text.\n\n" {
		t.Errorf("4/2/1 body %q", ib)
	}
}

// TestP9PMessage5 checks §3.1's end-of-file rule: message 5 ends
// "Last one.\n" with no blank line, so upas/fs serves "Last one.".
func TestP9PMessage5(t *testing.T) {
	data := Fixture("p9p")
	if !bytes.HasSuffix(data, []byte("\n\nLast one.\n")) {
		t.Errorf("file ends %q", data[len(data)-20:])
	}
	_, _, bodies := p9pMessages(t)
	if string(bodies[4]) != "Last one." {
		t.Errorf("body %q", bodies[4])
	}
}

// TestFixtureGolden pins the generated fixtures' bytes: the generator
// must give the same mail on every platform and Go release, and a change
// (which other packages' tests may depend on) must be deliberate. After
// an intended generator change, update the hashes.
func TestFixtureGolden(t *testing.T) {
	for name, want := range map[string]string{
		"all":        "ce5f79f86ec93349d70e715ec34cd0d53b87b1aa",
		"Attachment": "969de421580909d3dccbcf77d1bc6cf67c093836",
	} {
		if got := digest(Fixture(name)); got != want {
			t.Errorf("fixture %q: sha1 %s, want %s", name, got, want)
		}
	}
}
