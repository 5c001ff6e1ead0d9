package message

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"
)

// roundTrip is Unmarshal(Marshal(s)), failing the test on an error.
func roundTrip(t testing.TB, s *Structure) *Structure {
	t.Helper()
	got, err := Unmarshal(s.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// sectionsOf lists every section of every part of s that FETCH can
// ask for, with and without a partial range.
func sectionsOf(s *Structure) []Section {
	parts := map[string]*Body{}
	partNumbers(s.BodyStructure(true), nil, parts)
	paths := [][]int{nil}
	for p := range parts {
		paths = append(paths, undot(p))
	}
	var out []Section
	for _, p := range paths {
		for _, spec := range []string{"", "HEADER", "TEXT", "MIME", "HEADER.FIELDS", "HEADER.FIELDS.NOT"} {
			sec := Section{Part: p, Specifier: spec}
			if spec != "" && spec[0] == 'H' && len(spec) > 6 {
				sec.Fields = []string{"Subject", "from", "Content-Type"}
			}
			out = append(out, sec)
		}
	}
	return out
}

// TestMarshalRoundTrip: for every message of every fixture, the
// Structure Unmarshal gives back is Load's in every field, and every
// output (ENVELOPE, BODY, BODYSTRUCTURE, RFC822.SIZE, the From line,
// the header fields, every section whole and in pieces) is the same;
// also after sections measured parts lazily.
func TestMarshalRoundTrip(t *testing.T) {
	for _, name := range append(fixtures, "digest") {
		t.Run(name, func(t *testing.T) {
			srcs, ss := loadAll(t, mailbox(t, name))
			for i, s := range ss {
				what := fmt.Sprintf("message %d", i+1)
				got := roundTrip(t, s)
				if !reflect.DeepEqual(got, s) {
					t.Fatalf("%s: Unmarshal(Marshal(Load)) differs from Load:\n got %#v\nwant %#v", what, got.root, s.root)
				}
				compareOutputs(t, s, got, srcs[i], what)
				// The sections measured multipart parts: their
				// geometry travels too.
				again := roundTrip(t, s)
				if !reflect.DeepEqual(again, s) {
					t.Fatalf("%s: after sections, the round trip differs", what)
				}
				if !bytes.Equal(again.Marshal(), s.Marshal()) {
					t.Fatalf("%s: Marshal is not stable", what)
				}
			}
		})
	}
}

func compareOutputs(t *testing.T, want, got *Structure, src Source, what string) {
	t.Helper()
	for _, ext := range []bool{false, true} {
		if g, w := got.BodyStructure(ext).Append(nil), want.BodyStructure(ext).Append(nil); !bytes.Equal(g, w) {
			t.Errorf("%s: BODYSTRUCTURE(%v)\n got %s\nwant %s", what, ext, g, w)
		}
	}
	if g, w := got.Envelope().Append(nil), want.Envelope().Append(nil); !bytes.Equal(g, w) {
		t.Errorf("%s: ENVELOPE\n got %s\nwant %s", what, g, w)
	}
	if got.Size() != want.Size() || got.FromLine() != want.FromLine() {
		t.Errorf("%s: size %d from %q, want %d %q", what, got.Size(), got.FromLine(), want.Size(), want.FromLine())
	}
	gf, err1 := got.Header(src)
	wf, err2 := want.Header(src)
	if err1 != nil || err2 != nil || !reflect.DeepEqual(gf, wf) {
		t.Errorf("%s: header fields differ (%v, %v)", what, err1, err2)
	}
	for _, sec := range sectionsOf(want) {
		w := fetch(t, want, src, sec, nil)
		if g := fetch(t, got, src, sec, nil); !bytes.Equal(g, w) {
			t.Errorf("%s: section %+v\n got %q\nwant %q", what, sec, g, w)
		}
		p := &Partial{Start: int64(len(w) / 3), Count: int64(len(w)/2 + 1)}
		if g, w := fetch(t, got, src, sec, p), fetch(t, want, src, sec, p); !bytes.Equal(g, w) {
			t.Errorf("%s: section %+v<%d.%d> differs", what, sec, p.Start, p.Count)
		}
	}
}

// TestUnmarshalRefuses: a truncated encoding or a changed byte never
// panics, and one cut short is always refused.
func TestUnmarshalRefuses(t *testing.T) {
	_, ss := loadAll(t, mailbox(t, "all"))
	for _, s := range ss {
		b := s.Marshal()
		for n := range len(b) {
			if _, err := Unmarshal(b[:n]); !errors.Is(err, ErrMarshal) {
				t.Fatalf("a prefix of %d of %d bytes was accepted", n, len(b))
			}
		}
		for i := range b {
			c := bytes.Clone(b)
			c[i] ^= 0x5a
			if got, err := Unmarshal(c); err == nil {
				exercise(got)
			}
		}
	}
	if _, err := Unmarshal([]byte{marshalVersion + 1}); err == nil {
		t.Fatal("another version was accepted")
	}
}

// failing is a Source whose every request fails.
type failing struct{}

var errFailing = errors.New("no source")

func (failing) ReadFile([]int, string) ([]byte, error)    { return nil, errFailing }
func (failing) Open([]int, string) (io.ReadCloser, error) { return nil, errFailing }
func (failing) Parts([]int) ([]int, error)                { return nil, errFailing }

// exercise calls every method of s that a session does.
func exercise(s *Structure) {
	s.Envelope().Append(nil)
	s.BodyStructure(true).Append(nil)
	s.BodyStructure(false).Append(nil)
	_, _ = s.Size(), s.FromLine()
	_, _ = s.Header(failing{})
	for _, sec := range sectionsOf(s) {
		_, _, _ = s.Section(failing{}, sec, &Partial{Start: 1, Count: 10})
	}
	_, _ = s.BodyContains(failing{}, "x")
}

// FuzzUnmarshal: any bytes are refused or give a Structure whose
// methods work and whose encoding decodes to the same encoding.
func FuzzUnmarshal(f *testing.F) {
	_, ss := loadAll(f, mailbox(f, "all"))
	for _, s := range ss {
		f.Add(s.Marshal())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Unmarshal(b)
		if err != nil {
			return
		}
		exercise(s)
		m := s.Marshal()
		s2, err := Unmarshal(m)
		if err != nil {
			t.Fatalf("Marshal of an accepted structure is refused: %v", err)
		}
		if !bytes.Equal(s2.Marshal(), m) {
			t.Fatal("Marshal(Unmarshal(Marshal)) differs")
		}
	})
}
