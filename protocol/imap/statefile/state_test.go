package statefile

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"p9mail/protocol/imap/imp"
)

func sample() *File {
	return &File{UIDValidity: 7, HighestModSeq: 12, Floor: 2,
		Keywords: []string{"$Junk", "work"},
		Msgs:     []Msg{{UID: 1, ModSeq: 3, Flags: imp.Seen}, {UID: 4, ModSeq: 12, Flags: imp.Seen | imp.Flagged, Keywords: []uint16{0, 1}}},
		Expunged: []Expunge{{ModSeq: 5, UIDs: []uint32{2, 3}}, {ModSeq: 9, UIDs: []uint32{5, 7, 8, 9}}}}
}

func TestRoundTrip(t *testing.T) {
	f := sample()
	data := f.Marshal()
	g, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse(%q): %v", data, err)
	}
	if !reflect.DeepEqual(f, g) {
		t.Errorf("round trip:\n%+v\n%+v", f, g)
	}
	if want := "x 9 5,7:9\n"; !bytes.Contains(data, []byte(want)) {
		t.Errorf("ranges: %q lacks %q", data, want)
	}
}

// TestParseRefuses: a file that is cut, changed or out of order is not
// used.
func TestParseRefuses(t *testing.T) {
	data := sample().Marshal()
	for n := 0; n < len(data); n++ {
		if _, err := Parse(data[:n]); !errors.Is(err, ErrBad) {
			t.Fatalf("cut at %d of %d: %v", n, len(data), err)
		}
	}
	for i := range data {
		bad := bytes.Clone(data)
		bad[i] ^= 0x20
		if f, err := Parse(bad); err == nil && !reflect.DeepEqual(f, sample()) {
			t.Fatalf("byte %d changed: parsed as %+v", i, f)
		}
	}
	withSum := func(body string) []byte { return (&File{}).sum([]byte(body)) }
	for _, body := range []string{
		"p9mail-state 2 7 0 0\n",                       // version
		"p9mail-state 1 7 3 4\n",                       // floor above highest
		"p9mail-state 1 7 3 0\nm 2 1 0 -\nm 1 1 0 -\n", // order
		"p9mail-state 1 7 3 0\nm 1 4 0 -\n",            // modseq above highest
		"p9mail-state 1 7 3 0\nk a\nm 1 1 0 1\n",       // keyword number
		"p9mail-state 1 7 3 0\nk a b\n",                // keyword with a space
		"p9mail-state 1 7 3 0\nm 1 1 64 -\n",           // \Recent is no system flag here
		"p9mail-state 1 7 3 0\nx 2 5:3\n",              // range backwards
		"p9mail-state 1 7 3 0\nx 2 1:4000000000\n",     // too many UIDs
		"p9mail-state 1 7 3 0\nm 1 1 0 -\nk late\n",    // keyword after messages
	} {
		if _, err := Parse(withSum(body)); !errors.Is(err, ErrBad) {
			t.Errorf("%q parsed: %v", body, err)
		}
	}
}

func TestUpdate(t *testing.T) {
	f := &File{UIDValidity: 7}
	ms, changed, err := f.Update([]Entry{{UID: 1}, {UID: 2, Flags: imp.Seen}})
	// The first mod-sequence is 2: 1 is an empty mailbox's highest.
	if err != nil || !changed || ms[0] != 2 || ms[1] != 2 || f.HighestModSeq != 2 {
		t.Fatalf("first update: %v %v %v %+v", ms, changed, err, f)
	}
	// Nothing changes: no new mod-sequence.
	if ms, changed, _ = f.Update([]Entry{{UID: 1}, {UID: 2, Flags: imp.Seen | imp.Recent}}); changed || ms[1] != 2 {
		t.Fatalf("unchanged update: %v %v", ms, changed)
	}
	// A keyword on 2, message 1 expunged, 3 arrives.
	k, _ := f.Keyword("work", 10)
	ms, changed, _ = f.Update([]Entry{{UID: 2, Flags: imp.Seen, Keywords: []uint16{uint16(k)}}, {UID: 3}})
	if !changed || ms[0] != 3 || ms[1] != 3 || f.HighestModSeq != 3 {
		t.Fatalf("update: %v %v %+v", ms, changed, f)
	}
	if want := []Expunge{{ModSeq: 3, UIDs: []uint32{1}}}; !reflect.DeepEqual(f.Expunged, want) {
		t.Errorf("expunged %+v, want %+v", f.Expunged, want)
	}
	if _, _, err := f.Update([]Entry{{UID: 3}, {UID: 2}}); err == nil {
		t.Error("entries out of order accepted")
	}
}

func TestHistoryBounded(t *testing.T) {
	f := &File{UIDValidity: 1}
	var entries []Entry
	for u := uint32(1); u <= 3*MaxExpungeHistory/2; u++ {
		entries = append(entries, Entry{UID: u})
	}
	f.Update(entries)
	f.Update(entries[:MaxExpungeHistory])   // expunges half the rest
	f.Update(entries[:MaxExpungeHistory/4]) // and more: past the bound
	n := 0
	for _, x := range f.Expunged {
		n += len(x.UIDs)
	}
	if n > MaxExpungeHistory || f.Floor == 0 {
		t.Errorf("%d expunged UIDs kept, floor %d", n, f.Floor)
	}
	if _, err := Parse(f.Marshal()); err != nil {
		t.Errorf("a trimmed file does not parse: %v", err)
	}
}

func TestLoad(t *testing.T) {
	data := sample().Marshal()
	if f, err := Load(data, true, 7); err != nil || f.HighestModSeq != 12 {
		t.Errorf("Load: %+v %v", f, err)
	}
	if f, err := Load(data, true, 8); err != nil || f.HighestModSeq != 0 || f.UIDValidity != 8 {
		t.Errorf("Load of another UIDVALIDITY: %+v %v", f, err)
	}
	if f, err := Load(data[:10], true, 7); err == nil || f.HighestModSeq != 0 {
		t.Errorf("Load of a cut file: %+v %v", f, err)
	}
}

// FuzzParse: any input either fails with ErrBad or parses to a file
// that marshals and parses back to itself.
func FuzzParse(f *testing.F) {
	f.Add(sample().Marshal())
	f.Add((&File{UIDValidity: 1}).Marshal())
	f.Add([]byte("p9mail-state 1 7 3 0\nm 1 1 0 -\nsum 00\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrBad) {
				t.Fatalf("error %v is not ErrBad", err)
			}
			return
		}
		h, err := Parse(g.Marshal())
		if err != nil || !reflect.DeepEqual(g, h) {
			t.Fatalf("re-parse: %v\n%+v\n%+v", err, g, h)
		}
	})
}

// FuzzBody fuzzes the records behind a valid sum, which FuzzParse
// rarely reaches.
func FuzzBody(f *testing.F) {
	body := sample().Marshal()
	body = body[:bytes.LastIndex(body[:len(body)-1], []byte("\n"))+1]
	f.Add(body)
	f.Fuzz(func(t *testing.T, body []byte) {
		g, err := Parse((&File{}).sum(body))
		if err != nil {
			return
		}
		h, err := Parse(g.Marshal())
		if err != nil || !reflect.DeepEqual(g, h) {
			t.Fatalf("re-parse: %v\n%+v\n%+v", err, g, h)
		}
	})
}
