package imp

import (
	"reflect"
	"testing"
)

const (
	d1 = "622e75ceafcb3207afe1ca6b5888256281396c10"
	d2 = "0b2a1f9e4c3d5e6f708192a3b4c5d6e7f8091a2b"
)

func TestMarshal(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    File
		want string
	}{
		{"empty", File{UIDValidity: 1606780800, UIDNext: 1},
			"imap internal mailbox description\n" +
				"1606780800 0000000001\n"},
		{"lines", File{UIDValidity: 42, UIDNext: 4294967295, Lines: []Line{
			{d1, 1, Seen},
			{d2, 4294967294, Answered | Deleted | Recent},
			{d2, 0, Flagged | Draft},
		}},
			"imap internal mailbox description\n" +
				"0000000042 4294967295\n" +
				"622e75ceafcb3207afe1ca6b5888256281396c10 0000000001 s-------\n" +
				"0b2a1f9e4c3d5e6f708192a3b4c5d6e7f8091a2b 4294967294 -a-D-r--\n" +
				"0b2a1f9e4c3d5e6f708192a3b4c5d6e7f8091a2b 0000000000 --f-d---\n"},
	} {
		if got := string(tc.f.Marshal()); got != tc.want {
			t.Errorf("%s: Marshal =\n%q\nwant\n%q", tc.name, got, tc.want)
		}
	}
}

func TestHeaderAndNewLine(t *testing.T) {
	if got, want := string(Header(1606780800, 1)), "imap internal mailbox description\n1606780800 0000000001\n"; got != want {
		t.Errorf("Header = %q, want %q", got, want)
	}
	got, err := NewLine(d1, 0, Seen|Flagged)
	if want := d1 + " 0000000000 s-f-----\n"; err != nil || string(got) != want {
		t.Errorf("NewLine = %q, %v; want %q", got, err, want)
	}
	if len(got) != LineLen || LineLen != 61 || HeaderLen != 56 {
		t.Errorf("line %d bytes, LineLen %d, HeaderLen %d; want 61, 61, 56 (magic is 33 characters + LF)", len(got), LineLen, HeaderLen)
	}
	for _, d := range []string{"", d1[:39], d1 + "0", "622E75ceafcb3207afe1ca6b5888256281396c10", "g22e75ceafcb3207afe1ca6b5888256281396c10"} {
		if b, err := NewLine(d, 0, 0); err == nil {
			t.Errorf("NewLine(%q) = %q, want an error", d, b)
		}
	}
}

// Parse(Marshal(f)) == f for files Parse accepts.
func TestRoundTrip(t *testing.T) {
	for _, f := range []*File{
		{UIDValidity: 1, UIDNext: 1, Lines: []Line{}},
		{UIDValidity: 4294967295, UIDNext: 4294967295, Lines: []Line{{d1, 4294967294, System | Recent}}},
		{UIDValidity: 1606780800, UIDNext: 9, Lines: []Line{
			{d1, 1, Seen}, {d2, 3, 0}, {d1, 8, Deleted | Recent}, {d2, 0, Seen}, {d2, 0, Answered}}},
	} {
		g, err := Parse(f.Marshal())
		if err != nil || !reflect.DeepEqual(g, f) {
			t.Errorf("Parse(Marshal(%+v)) = %+v, %v", f, g, err)
		}
	}
}

func TestSameMessages(t *testing.T) {
	f := File{UIDValidity: 7, UIDNext: 3, Lines: []Line{{d1, 1, Seen}, {d2, 2, Recent}}}
	base := f.Marshal()
	flags := File{UIDValidity: 7, UIDNext: 3, Lines: []Line{{d1, 1, Flagged}, {d2, 2, 0}}}
	gone := File{UIDValidity: 7, UIDNext: 3, Lines: []Line{{d1, 1, Seen}}}
	uid := File{UIDValidity: 7, UIDNext: 3, Lines: []Line{{d1, 1, Seen}, {d2, 0, Recent}}}
	next := File{UIDValidity: 7, UIDNext: 4, Lines: f.Lines}
	for _, tc := range []struct {
		name string
		b    []byte
		want bool
	}{
		{"itself", base, true},
		{"other flags", flags.Marshal(), true},
		{"a line gone", gone.Marshal(), false},
		{"another uid", uid.Marshal(), false},
		{"another uidnext", next.Marshal(), false},
		{"cut", base[:len(base)-1], false},
		{"empty", nil, false},
	} {
		if got := SameMessages(base, tc.b); got != tc.want {
			t.Errorf("%s: SameMessages = %v, want %v", tc.name, got, tc.want)
		}
	}
}
