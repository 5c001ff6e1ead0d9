package wire_test

import (
	"reflect"
	"strings"
	"testing"

	"p9mail/protocol/imap/wire"
)

func TestParseURL(t *testing.T) {
	max := ^uint32(0)
	for _, c := range []struct {
		in   string
		want wire.URL
	}{
		{"/INBOX/;UID=20", wire.URL{Mailbox: "INBOX", UID: 20}},
		{"/a/b;UIDVALIDITY=785799047/;UID=113330/;SECTION=1.5.9", wire.URL{Mailbox: "a/b", UIDValidity: 785799047, UID: 113330,
			Section: &wire.Section{Part: []uint32{1, 5, 9}}}},
		{"/imaptest/;uid=3/;section=header", wire.URL{Mailbox: "imaptest", UID: 3, Section: &wire.Section{Specifier: wire.SpecHeader}}},
		{"/x/;UID=1/;SECTION=HEADER.FIELDS%20(From%20%22X%20y%22)", wire.URL{Mailbox: "x", UID: 1,
			Section: &wire.Section{Specifier: wire.SpecHeaderFields, Fields: []string{"From", "X y"}}}},
		{"/x/;UID=1/;SECTION=2.HEADER.FIELDS (To)", wire.URL{Mailbox: "x", UID: 1,
			Section: &wire.Section{Part: []uint32{2}, Specifier: wire.SpecHeaderFields, Fields: []string{"To"}}}},
		{"/x/;UID=1/;PARTIAL=100000.1", wire.URL{Mailbox: "x", UID: 1, Partial: &wire.Partial{Start: 100000, Count: 1}}},
		{"/x/;UID=1/;SECTION=TEXT/;partial=0", wire.URL{Mailbox: "x", UID: 1,
			Section: &wire.Section{Specifier: wire.SpecText}, Partial: &wire.Partial{Count: max}}},
		{"/Entw%C3%BCrfe%3Bx/;UID=7", wire.URL{Mailbox: "Entwürfe;x", UID: 7}},
		{"/x/;UID=1/;SECTION=", wire.URL{Mailbox: "x", UID: 1, Section: &wire.Section{}}},
	} {
		got, err := wire.ParseURL(c.in)
		if err != nil {
			t.Errorf("ParseURL(%q): %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseURL(%q) = %+v, want %+v", c.in, got, c.want)
		}
		back, err := wire.ParseURL(got.String())
		if err != nil || !reflect.DeepEqual(back, got) {
			t.Errorf("ParseURL(%q) = %+v, %v (from %q)", got.String(), back, err, c.in)
		}
	}
}

func TestParseURLBad(t *testing.T) {
	for _, in := range []string{
		"", "INBOX/;UID=1", "/INBOX", "/INBOX/;UID=0", "/INBOX/;UID=x", "/INBOX/;UID=4294967296",
		"/;UID=1", "/INBOX;UIDVALIDITY=0/;UID=1", "/INBOX;UIDVALIDITY=/;UID=1",
		"/IN;BOX/;UID=1", "/IN BOX/;UID=1", "/IN%2/;UID=1", "/IN%zz/;UID=1", "/IN%00/;UID=1", "/%FF/;UID=1",
		"/INBOX/;UID=1/;SECTION=1.0", "/INBOX/;UID=1/;SECTION=FOO", "/INBOX/;UID=1/;SECTION=MIME",
		"/INBOX/;UID=1/;SECTION=HEADER.FIELDS", "/INBOX/;UID=1/;SECTION=HEADER.FIELDS%20(A%0D%0A)",
		"/INBOX/;UID=1/;PARTIAL=", "/INBOX/;UID=1/;PARTIAL=1.0", "/INBOX/;UID=1/;PARTIAL=1.", "/INBOX/;UID=1/;PARTIAL=-1",
		"/INBOX/;UID=1/;URLAUTH=anonymous", "/INBOX/;UID=1/;EXPIRE=2020", "/INBOX/;UID=1/;PARTIAL=1/;SECTION=1",
		"imap://glenda@localhost/INBOX/;UID=1", "IMAP://x/INBOX/;UID=1", "//host/INBOX/;UID=1",
		"/INBOX/;UID=1" + strings.Repeat("x", wire.MaxURL),
	} {
		if u, err := wire.ParseURL(in); err == nil {
			t.Errorf("ParseURL(%q) = %+v, want an error", in, u)
		}
	}
}

// FuzzURL: ParseURL never panics, and what it takes writes back (String)
// to an URL that parses to the same.
func FuzzURL(f *testing.F) {
	for _, s := range []string{
		"/INBOX/;UID=20", "/a/b;UIDVALIDITY=785799047/;UID=113330/;SECTION=1.5.9",
		"/x/;UID=1/;SECTION=HEADER.FIELDS%20(From%20%22X%20y%22)/;PARTIAL=3.4",
		"/x/;uid=1/;section=2.MIME", "/Entw%C3%BCrfe/;UID=7/;PARTIAL=0", "imap://u@h/x/;UID=1",
		"/x/;UID=1/;SECTION=HEADER.FIELDS.NOT ({1}\r\na)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := wire.ParseURL(s)
		if err != nil {
			return
		}
		if u.UID == 0 || u.Mailbox == "" {
			t.Fatalf("ParseURL(%q) = %+v", s, u)
		}
		back, err := wire.ParseURL(u.String())
		if err != nil || !reflect.DeepEqual(back, u) {
			t.Fatalf("ParseURL(%q) = %+v; its String %q parses to %+v, %v", s, u, u.String(), back, err)
		}
	})
}
