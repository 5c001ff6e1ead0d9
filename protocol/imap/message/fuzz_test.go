package message

import (
	"bytes"
	"strings"
	"testing"

	"p9mail/upasfs/mime"
)

// FuzzHeaderFields: HEADER.FIELDS(.NOT) on arbitrary header bytes never
// panics, selects whole input lines in their order, and a selection and
// its .NOT together hold every field exactly once.
func FuzzHeaderFields(f *testing.F) {
	f.Add([]byte("Subject: hi\nFrom: a@b\n\tfolded\n"), "subject,FROM", false)
	f.Fuzz(func(t *testing.T, hdr []byte, names string, not bool) {
		list := strings.Split(names, ",")
		sel := SelectFields(hdr, list, not)
		if !isSubsequence(lines(sel), lines(hdr)) {
			t.Fatalf("selection %q is not made of lines of %q", sel, hdr)
		}
		other := SelectFields(hdr, list, !not)
		all := SelectFields(hdr, nil, true)
		if len(sel)+len(other) != len(all) {
			t.Fatalf("%d + %d selected bytes, %d in all fields", len(sel), len(other), len(all))
		}
		b := headerBlock(sel)
		if !bytes.HasSuffix(b, []byte("\r\n")) || bytes.IndexByte(b, 0) >= 0 {
			t.Fatalf("header block %q", b)
		}
	})
}

// lines splits b after each LF.
func lines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		n := lineLen(b)
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}

// isSubsequence reports whether sub's elements occur in all in order.
func isSubsequence(sub, all [][]byte) bool {
	i := 0
	for _, l := range all {
		if i < len(sub) && bytes.Equal(sub[i], l) {
			i++
		}
	}
	return i == len(sub)
}

// FuzzAddressList: any address list parses without panic into an IMAP
// address list that keeps group markers paired and every string well
// formed.
func FuzzAddressList(f *testing.F) {
	f.Add("Alice <alice@example.com>, G: b@c;")
	f.Fuzz(func(t *testing.T, s string) {
		list := ParseAddressList(s)
		depth := 0
		for _, a := range list {
			switch a.Group {
			case GroupStart:
				depth++
			case GroupEnd:
				depth--
			}
			if depth < 0 || depth > 1 {
				t.Fatalf("%q: unbalanced groups in %+v", s, list)
			}
			if a.Group == NotGroup && a.Mailbox == "" {
				t.Fatalf("%q: address without a mailbox in %+v", s, list)
			}
		}
		if depth != 0 {
			t.Fatalf("%q: open group in %+v", s, list)
		}
		out := appendAddressList(nil, list)
		if len(list) > 0 && (out[0] != '(' || out[len(out)-1] != ')') {
			t.Fatalf("%q: rendered %q", s, out)
		}
		if bytes.IndexByte(out, 0) >= 0 {
			t.Fatalf("%q: NUL in %q", s, out)
		}
	})
}

// FuzzMIMEHeader: any header block gives a BODYSTRUCTURE and ENVELOPE
// without panic, with balanced parentheses outside strings.
func FuzzMIMEHeader(f *testing.F) {
	f.Add([]byte("Content-Type: multipart/mixed; boundary=\"b\"\nContent-Disposition: attachment; filename=x\n"))
	f.Fuzz(func(t *testing.T, hdr []byte) {
		fields := parseFields(hdr)
		n := &node{mime: parseMIME(fields, false)}
		b := n.body()
		b.Extended = true
		for _, out := range [][]byte{b.Append(nil), newEnvelope(fields).Append(nil)} {
			if !balanced(out) {
				t.Fatalf("%q: unbalanced %q", hdr, out)
			}
		}
	})
}

// balanced checks the parentheses of IMAP text, skipping quoted strings
// and literals.
func balanced(b []byte) bool {
	depth := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		case '{':
			j := bytes.IndexByte(b[i:], '}')
			n := 0
			for _, c := range b[i+1 : i+j] {
				n = n*10 + int(c-'0')
			}
			i += j + 2 + n
		case '(':
			depth++
		case ')':
			if depth--; depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}

// FuzzInternalDate: any From-line date parses or fails without panic.
func FuzzInternalDate(f *testing.F) {
	f.Add("Mon Jan  6 10:00:00 2025")
	f.Fuzz(func(t *testing.T, s string) {
		if d, ok := InternalDate(s); ok && (d.Year() < 0 || d.Year() > 9999) {
			t.Fatalf("%q: year %d", s, d.Year())
		}
	})
}

// FuzzPlainHeader: where plainHeader says a message's header block is
// plainly delimited, it ends where the emulator's parser (upasfs/mime,
// which follows upas/fs) ends it; and head, from the raw file alone,
// gives the header and geometry that the header file and measure give.
func FuzzPlainHeader(f *testing.F) {
	f.Add([]byte("Subject: hi\nTo: a@b\n\tfolded\n\nbody\n"))
	f.Add([]byte("Subject: hi\r\n\r\nbody\n"))
	f.Add([]byte("not a field\n\nbody\n"))
	f.Add([]byte(" continued: x\nSubject: y\n\n"))
	f.Add([]byte("Subject: no body\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		n, ok := plainHeader(raw)
		if !ok {
			return
		}
		p, err := mime.Parse(bytes.NewReader(raw), 0, int64(len(raw)), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if p.HeaderOff != 0 || p.HeaderLen != int64(n) {
			t.Fatalf("%q: plainHeader ends the header at %d, upasfs at %d+%d", raw, n, p.HeaderOff, p.HeaderLen)
		}
		src := &memSource{files: map[string]string{"1/raw": string(raw), "1/mimeheader": string(raw[:n])}}
		hdr, _, rc, _, err := head(src, []int{1}, "mimeheader", 0)
		if err != nil {
			t.Fatal(err)
		}
		g, err := measureStream(rc, []int{1}, int64(len(toCRLF(hdr))), false)
		if err != nil {
			t.Fatal(err)
		}
		want, _, err := measure(src, []int{1}, int64(len(toCRLF(raw[:n]))), false)
		if err != nil {
			t.Fatal(err)
		}
		if string(hdr) != string(raw[:n]) || g != want {
			t.Fatalf("%q: head gave %q %+v, want %q %+v", raw, hdr, g, raw[:n], want)
		}
	})
}
