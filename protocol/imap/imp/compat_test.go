package imp

import (
	"os"
	"path/filepath"
	"testing"
)

// testdata/plan9/mbox.imp is written by hand, line by line as Plan 9's
// imap4d leaves one (spec §2.5, §2.9, §2.10), after this history:
//
//   - SELECT sessions gave uids 1–7 to messages 1, 2, 3, 4, 3 (a
//     duplicate of 3) and two more, and expunged uids 2 and 7;
//   - a STATUS session saw message 5 first: uid 8, written with 'r';
//   - a Unix mail agent deleted message 4 (uid 5) from the mbox: its
//     line is now stale;
//   - APPEND added message 6 twice (\Seen, then \Flagged) and COPY added
//     message 7 (\Seen \Answered): three uid-0 lines;
//   - message 8 was delivered: no line.
//
// The digests are SHA-1 of "message <n>\n"; the mailbox is listed in
// upasfs order below.
var compatBox = []string{
	"fc8f994fcbba6fbfdd6dcf414323784cb42e6eca", // 1
	"0a1fd704e35d03394a3d7ae16732028a0fe75d22", // 2
	"0948397077281417009048c435874d15b73bf80f", // 3
	"0948397077281417009048c435874d15b73bf80f", // 3 again
	"10e30077b626cfa7365a12d578730c4fae047dcc", // 5
	"ff66facafd679415f8c683a4a313fb432d56aca5", // 6
	"ff66facafd679415f8c683a4a313fb432d56aca5", // 6 again
	"96a3770dc8fdbf91921a377532494fbb411e0125", // 7
	"266f4c05b92529260665dbf74bdbbbb9ae0b2a10", // 8
}

func TestCompatPlan9(t *testing.T) {
	data := readTestdata(t, "plan9/mbox.imp")
	wantUIDs := []uint32{1, 3, 4, 6, 8, 9, 10, 11, 12}
	wantFlags := []Flags{Seen, Seen | Answered, Seen | Flagged, 0, Deleted, Seen, Flagged, Seen | Answered, 0}
	// 5 had 'r'; 6, 6 and 7 came by APPEND and COPY; 8 is new.
	wantRecent := []bool{false, false, false, false, true, true, true, true, true}
	for _, tc := range []struct {
		keepRecent bool
		want       string // the file the session writes back
	}{
		{false, "plan9/select.imp"},
		{true, "plan9/status.imp"},
	} {
		var ms []*Msg
		for _, d := range compatBox {
			ms = append(ms, &Msg{Digest: d})
		}
		r, err := Reconcile(Input{Data: data, Exists: true, Mtime: 1700000000, KeepRecent: tc.keepRecent}, ms)
		if err != nil || r.Bad != nil || !r.Write || r.State != (State{1606780800, 13}) || r.Changed != nil {
			t.Fatalf("Reconcile = %+v, %v", r, err)
		}
		for i, m := range ms {
			if m.UID != wantUIDs[i] || m.Flags != wantFlags[i] || m.Recent != wantRecent[i] {
				t.Errorf("message %d: uid %d flags %v recent %v; want %d %v %v",
					i+1, m.UID, m.Flags, m.Recent, wantUIDs[i], wantFlags[i], wantRecent[i])
			}
		}
		got := Snapshot(r.State.UIDValidity, r.State.UIDNext, ms, tc.keepRecent).Marshal()
		if want := readTestdata(t, tc.want); string(got) != string(want) {
			t.Errorf("written back (keepRecent %v):\n%s\nwant %s:\n%s", tc.keepRecent, got, tc.want, want)
		}
	}
}

// A SELECT after the STATUS session: the 'r's make those messages
// \Recent here, and the file is rewritten without them.
func TestCompatSelectAfterStatus(t *testing.T) {
	var ms []*Msg
	for _, d := range compatBox {
		ms = append(ms, &Msg{Digest: d})
	}
	r, err := Reconcile(Input{Data: readTestdata(t, "plan9/status.imp"), Exists: true}, ms)
	if err != nil || r.Bad != nil || !r.Write || r.State != (State{1606780800, 13}) {
		t.Fatalf("Reconcile = %+v, %v", r, err)
	}
	for i, m := range ms {
		if want := i >= 4; m.Recent != want {
			t.Errorf("message %d: recent %v, want %v", i+1, m.Recent, want)
		}
	}
	got := Snapshot(r.State.UIDValidity, r.State.UIDNext, ms, false).Marshal()
	if want := readTestdata(t, "plan9/select.imp"); string(got) != string(want) {
		t.Errorf("written back:\n%s\nwant:\n%s", got, want)
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
