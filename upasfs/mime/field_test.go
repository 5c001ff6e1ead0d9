package mime

import (
	"testing"
)

func TestAddr822(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"Björn <bob@example.com>", "bob@example.com", true},
		{" a@b.c , d@e.f ", "a@b.c d@e.f", true},
		{"\"Dave D.\" <dave@example.net>", "dave@example.net", true},
		{"\"quoted, local\"@example.com", "\"quoted, local\"@example.com", true},
		{"joe@example.com (Joe Bloggs)", "joe@example.com", true},
		{"(c) <x@y> trailing", "x@ytrailing", true}, // 4e keeps text after <>
		{"Group: a@b, c@d;", "Group:a@b c@d;", true},
		{"\"a\\\"b\"@c", "\"a\\\"b\"@c", true},
		{"<a@b>, <c@d>", "a@b c@d", true},
		{"x\\,y@z", "x\\,y@z", true},
		{"\"unterminated", "\"unterminated", true},
		{"(only a comment)", "", false},
		{"", "", false},
		{" \t\r", "", false},
		{",", "", true},
	}
	for _, tt := range tests {
		got := addr822([]byte(tt.in))
		if got.s != tt.want || got.ok != tt.ok {
			t.Errorf("addr822(%q) = %q, %v; want %q, %v", tt.in, got.s, got.ok, tt.want, tt.ok)
		}
	}
}

func TestDateToUnix(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Fri, 3 Jan 2025 08:00:00 +0000", "Fri Jan  3 08:00:00 GMT 2025"},
		{"Tue, 7 Jan 2025 11:30:00 +0100", "Tue Jan  7 10:30:00 GMT 2025"},
		{" Tue, 31 Dec 2024 23:59:59 -0200 (BRST)", "Wed Jan  1 01:59:59 GMT 2025"},
		{"3 january 2025 8:05", "Fri Jan  3 08:05:00 GMT 2025"},
		{"Mon Jan  6 10:00:00 EST 2025", "Mon Jan  6 10:00:00 GMT 2025"},
		{"Sat, 29 Feb 2025 10:00:00 +0000", "Sat Mar  1 10:00:00 GMT 2025"},
		{"Fri, 3 Jan 25 08:00:00 +0000", ""}, // two-digit year
		{"Fri, 3 Jan 2025", ""},              // no time
		{"garbage", ""},
		{"", ""},
		{"1 Jan 99999 00:00", ""},
	}
	for _, tt := range tests {
		got, ok := dateToUnix(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("dateToUnix(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestParseUnix(t *testing.T) {
	tests := []struct {
		in, from, date string
		fromOK         bool
	}{
		{"From alice@example.com Mon Jan  6 10:00:00 2025\n", "alice@example.com", "Mon Jan  6 10:00:00 2025", true},
		{"From a b\r\n", "a", "b", true},
		{"From \"x y\"  date ", "x y", "date ", true},
		{"From 'q", "q", "", true},
		{"From lonely", "lonely", "", true},
		{"From \n", "", "", false},
		{"From  two", "", "two", true},
	}
	for _, tt := range tests {
		from, date := parseUnix([]byte(tt.in))
		if from.s != tt.from || from.ok != tt.fromOK || date.s != tt.date || !date.ok {
			t.Errorf("parseUnix(%q) = %q/%v, %q; want %q/%v, %q", tt.in, from.s, from.ok, date.s, tt.from, tt.fromOK, tt.date)
		}
	}
}

func TestDecodeTransfer(t *testing.T) {
	tests := []struct{ enc, in, want string }{
		{"base64", "aGVs\nbG8=\n", "hello"},
		{"base64", "aGVsbG8", "hello"},
		{"base64", "a!G-V=s=bG8=", "hello"},
		{"base64", "a", ""},
		{"base64", "", ""},
		{"quoted-printable", "a=3Db=\nc  \n", "a=bc\n"},
		{"quoted-printable", "no newline", "no newline\n"},
		{"quoted-printable", "x=\r\ny\r\n", "xy\n"},
		{"quoted-printable", "a=4", "a=4\n"},
		{"quoted-printable", "a_b=e9", "a_b\xe9\n"},
		{"quoted-printable", "soft at end=", "soft at end\n"},
		{"quoted-printable", "", ""},
		{"", "as is=3D", "as is=3D"},
	}
	for _, tt := range tests {
		if got := string(decodeTransfer(tt.enc, []byte(tt.in))); got != tt.want {
			t.Errorf("decodeTransfer(%q, %q) = %q, want %q", tt.enc, tt.in, got, tt.want)
		}
	}
}

func TestContentType(t *testing.T) {
	tests := []struct {
		in                               string
		typ, boundary, charset, filename string
	}{
		{` Text/Plain; charset="UTF-8"`, "text/plain", "", "UTF-8", ""},
		{`multipart/mixed; boundary="a b;c"`, "multipart/mixed", "--a b;c", "", ""},
		{`multipart/mixed;boundary=x;charset=y`, "multipart/mixed", "--x", "y", ""},
		{`application/pdf; name = "my file;1.pdf"`, "application/pdf", "", "", "my_file_1.pdf"},
		{`"text/html"`, "text/html", "", "", ""},
		{`;charset=x`, "", "", "x", ""},
	}
	for _, tt := range tests {
		var h hdr
		h.contentType([]byte(tt.in))
		if h.typ.s != tt.typ || h.boundary.s != tt.boundary || h.charset.s != tt.charset || h.filename.s != tt.filename {
			t.Errorf("contentType(%q) = %q %q %q %q", tt.in, h.typ.s, h.boundary.s, h.charset.s, h.filename.s)
		}
	}
}

func TestContentDisposition(t *testing.T) {
	tests := []struct{ in, disp, filename string }{
		{"attachment; filename=\"notes file.txt\"", "file", "notes_file.txt"},
		{"INLINE", "inline", ""},
		{"attachment; filename=a\tb", "file", "a"},
		{"form-data; filename*=utf-8''x", "", ""},
	}
	for _, tt := range tests {
		var h hdr
		h.contentDisposition([]byte(tt.in))
		if h.disposition != tt.disp || h.filename.s != tt.filename {
			t.Errorf("contentDisposition(%q) = %q %q", tt.in, h.disposition, h.filename.s)
		}
	}
}

// TestUnixDate checks which From-line dates 4e replaces (spec §1.4
// unixdate): "???" and the one-space epoch, not an empty date nor the
// epoch as 4e writes it; and that a From line without a sender gets no
// unixheader. plan9port upas/fs gave the same (p9p_compare_test.go).
func TestUnixDate(t *testing.T) {
	const rcvd = "Received: from x by y; Tue, 14 Jan 2025 12:00:00 -0500\nDate: Wed, 15 Jan 2025 12:00:00 +0000\n\nx\n"
	tests := []struct{ from, unixdate, unixheader string }{
		{"From a@b.c\n", "", "From a@b.c \n"},
		{"From a@b.c ???\n", "Tue Jan 14 17:00:00 GMT 2025", "From a@b.c Tue Jan 14 17:00:00 GMT 2025\n"},
		{"From a@b.c Thu Jan  1 00:00:00 GMT 1970\n", "Thu Jan  1 00:00:00 GMT 1970", "From a@b.c Thu Jan  1 00:00:00 GMT 1970\n"},
		{"From a@b.c Thu Jan 1 00:00:00 GMT 1970\n", "Tue Jan 14 17:00:00 GMT 2025", "From a@b.c Tue Jan 14 17:00:00 GMT 2025\n"},
		{"From \n", "", ""},
	}
	for _, tt := range tests {
		p := parseString(t, tt.from+rcvd)
		if p.UnixDate != tt.unixdate || p.unixHeader != tt.unixheader {
			t.Errorf("%q: unixdate %q, unixheader %q; want %q, %q", tt.from, p.UnixDate, p.unixHeader, tt.unixdate, tt.unixheader)
		}
	}
}
