package imp

import (
	"bytes"
	"testing"
)

// FuzzParse: Parse never panics, and what it accepts Marshal gives back
// byte for byte.
func FuzzParse(f *testing.F) {
	f.Add(impText("1606780800 0000000004", "a 0000000001 s-------", "b 0000000003 -a-D-r--", "c 0000000000 --f-d---"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err != nil {
			return
		}
		if got := file.Marshal(); !bytes.Equal(got, data) {
			t.Fatalf("Marshal(Parse(%q)) = %q", data, got)
		}
	})
}

// fuzzPool is the mailbox FuzzReconcile draws its messages from; its
// digests are the ones the seeds use.
var fuzzPool = []string{dig("a"), dig("b"), dig("a"), dig("c"), compatBox[2], compatBox[5], compatBox[5], dig("d")}

// FuzzReconcile: any file, merged into any subset of fuzzPool, leaves
// UIDs that ascend, a file that parses, and reading that file back
// changes nothing.
func FuzzReconcile(f *testing.F) {
	f.Add(impText("0000000100 0000000003", "a 0000000001 s-------", "b 0000000002 -----r--", "c 0000000000 --f-----"), uint8(0xff), false)
	f.Fuzz(func(t *testing.T, data []byte, mask uint8, keepRecent bool) {
		var ms []*Msg
		for i, d := range fuzzPool {
			if mask&(1<<i) != 0 {
				ms = append(ms, &Msg{Digest: d})
			}
		}
		r, err := Reconcile(Input{Data: data, Exists: true, Mtime: 77, KeepRecent: keepRecent}, ms)
		if err != nil {
			t.Fatalf("Reconcile(%q) from nothing: %v", data, err) // lines ascend, so no uid can clash
		}
		var prev uint32
		for i, m := range ms {
			if m.UID <= prev || m.UID >= r.State.UIDNext {
				t.Fatalf("message %d: uid %d after %d, uidnext %d", i, m.UID, prev, r.State.UIDNext)
			}
			prev = m.UID
		}
		out := Snapshot(r.State.UIDValidity, r.State.UIDNext, ms, keepRecent).Marshal()
		before := show(ms)
		r2, err := Reconcile(Input{Data: out, Exists: true, Known: r.State, KeepRecent: keepRecent}, ms)
		if err != nil || r2.Bad != nil || r2.Write || r2.Changed != nil || r2.State != r.State || !sameStrings(show(ms), before) {
			t.Fatalf("re-reading our own file %q: %+v, %v; messages %q, were %q", out, r2, err, show(ms), before)
		}
	})
}

// buildFile turns prog into a valid .imp, two bytes a line: the first
// picks a digest from fuzzPool (low 3 bits) and how far the uid steps
// (next 2 bits; 0 makes this and every later line a uid-0 line), the
// second gives the flags.
func buildFile(prog []byte) []byte {
	f := &File{UIDValidity: 100}
	var uid uint32
	zero := false
	for i := 0; i+1 < len(prog); i += 2 {
		b, fl := prog[i], Flags(prog[i+1])&(System|Recent)
		step := uint32(b >> 3 & 3)
		zero = zero || step == 0
		if zero {
			f.Lines = append(f.Lines, Line{fuzzPool[b&7], 0, fl})
			continue
		}
		uid += step
		f.Lines = append(f.Lines, Line{fuzzPool[b&7], uid, fl})
	}
	f.UIDNext = uid + 1
	if len(prog) > 0 {
		f.UIDNext += uint32(prog[0] >> 5)
	}
	return f.Marshal()
}

// FuzzMerge merges well-formed files (buildFile) into a subset of
// fuzzPool, then lets "another server" toggle the flags of some
// messages and checks that exactly those are reported changed.
func FuzzMerge(f *testing.F) {
	f.Add([]byte{0x08, 0x01, 0x09, 0x20, 0x0a, 0x00, 0x12, 0x21, 0x00, 0x02}, uint8(0xff), uint8(0x05), false)
	f.Fuzz(func(t *testing.T, prog []byte, mask, toggle uint8, keepRecent bool) {
		data := buildFile(prog)
		if _, err := Parse(data); err != nil {
			t.Fatalf("Parse(Marshal) of a built file %q: %v", data, err)
		}
		var ms []*Msg
		for i, d := range fuzzPool {
			if mask&(1<<i) != 0 {
				ms = append(ms, &Msg{Digest: d})
			}
		}
		r, err := Reconcile(Input{Data: data, Exists: true, KeepRecent: keepRecent}, ms)
		if err != nil || r.Bad != nil {
			t.Fatalf("Reconcile(%q): %+v, %v", data, r, err)
		}
		// Another server: flags of message i change when toggle bit i is set.
		other := Snapshot(r.State.UIDValidity, r.State.UIDNext, ms, keepRecent)
		var want []int
		wantFlags := make([]Flags, len(ms))
		for i, m := range ms {
			wantFlags[i] = m.Flags
			if toggle&(1<<i) != 0 {
				other.Lines[i].Flags ^= Seen | Deleted
				wantFlags[i] ^= Seen | Deleted
				want = append(want, i)
			}
		}
		r2, err := Reconcile(Input{Data: other.Marshal(), Exists: true, Known: r.State, KeepRecent: keepRecent}, ms)
		if err != nil || r2.Bad != nil || r2.Write || !equalInts(r2.Changed, want) {
			t.Fatalf("other server's change: %+v, %v; want changed %v", r2, err, want)
		}
		for i, m := range ms {
			if m.Flags != wantFlags[i] {
				t.Fatalf("message %d: flags %v, want %v", i, m.Flags, wantFlags[i])
			}
		}
	})
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
