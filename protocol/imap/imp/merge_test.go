package imp

import (
	"errors"
	"reflect"
	"testing"
)

// A mergeCase applies file to msgs (box notation) with known, and
// expects msgs to become want, changed indexes and an error wrapping
// wantErr.
type mergeCase struct {
	name    string
	known   State
	file    []byte
	msgs    []string
	want    []string
	changed []int
	wantErr error
}

func runMerge(t *testing.T, cases []mergeCase) {
	t.Helper()
	for _, tc := range cases {
		f, err := Parse(tc.file)
		if err != nil {
			t.Fatalf("%s: Parse: %v", tc.name, err)
		}
		ms := box(t, tc.msgs...)
		changed, err := Merge(f, tc.known, ms)
		if !errors.Is(err, tc.wantErr) || (err != nil) != (tc.wantErr != nil) {
			t.Errorf("%s: Merge error %v, want %v", tc.name, err, tc.wantErr)
		}
		if got := show(ms); !sameStrings(got, tc.want) {
			t.Errorf("%s: messages\n%q\nwant\n%q", tc.name, got, tc.want)
		}
		if !reflect.DeepEqual(changed, tc.changed) {
			t.Errorf("%s: changed %v, want %v", tc.name, changed, tc.changed)
		}
	}
}

// Spec §2.5 step 2: UID-0 lines from APPEND and COPY.
func TestMergeAppended(t *testing.T) {
	runMerge(t, []mergeCase{{
		name: "fresh file from APPEND and COPY, duplicates",
		file: append(append(append(Header(100, 1),
			mustLine(t, "a", Seen)...), mustLine(t, "b", Flagged)...), mustLine(t, "b", Seen|Answered)...),
		msgs: []string{"a 0 --------", "b 0 --------", "b 0 --------", "c 0 --------"},
		want: []string{"a 0 s----r--", "b 0 --f--r--", "b 0 sa---r--", "c 0 --------"},
	}, {
		name: "two lines, one message: the second finds none",
		file: impText("0000000100 0000000001", "b 0000000000 --f-----", "b 0000000000 s-------"),
		msgs: []string{"b 0 --------"},
		want: []string{"b 0 --f--r--"},
	}, {
		name:    "after the uid lines, skipping new deliveries and expunged messages",
		file:    impText("0000000100 0000000003", "a 0000000001 s-------", "b 0000000002 --------", "c 0000000000 ---D----"),
		msgs:    []string{"a 1 --------", "b 2 --------", "d 0 --------", "c 0 -------- x", "c 0 --------"},
		want:    []string{"a 1 s-------", "b 2 --------", "d 0 --------", "c 0 -------- x", "c 0 ---D-r--"},
		changed: []int{0},
	}, {
		name: "never a message that has a uid",
		file: impText("0000000100 0000000002", "a 0000000000 s-------"),
		msgs: []string{"a 1 --------", "a 0 --------"},
		want: []string{"a 1 --------", "a 0 s----r--"},
	}, {
		name: "in order: a match moves the cursor past it",
		file: impText("0000000100 0000000001", "b 0000000000 -a------", "a 0000000000 s-------"),
		msgs: []string{"a 0 --------", "b 0 --------"},
		want: []string{"a 0 --------", "b 0 -a---r--"},
	}})
}

// Spec §2.5 step 3: lines with a UID.
func TestMergeUIDs(t *testing.T) {
	runMerge(t, []mergeCase{{
		name: "first read: another server saw them, 'r' keeps recent",
		file: impText("0000000100 0000000004", "a 0000000001 s-------", "b 0000000002 -----r--", "c 0000000003 ---D----"),
		msgs: []string{"a 0 -----r--", "b 0 -----r--", "c 0 --------", "d 0 -----r--"},
		want: []string{"a 1 s-------", "b 2 -----r--", "c 3 ---D----", "d 0 -----r--"},
	}, {
		name:    "another server changed flags",
		known:   State{100, 4},
		file:    impText("0000000100 0000000004", "a 0000000001 s-------", "b 0000000002 s-------", "c 0000000003 sa------"),
		msgs:    []string{"a 1 s-------", "b 2 -----r--", "c 3 s-------"},
		want:    []string{"a 1 s-------", "b 2 s----r--", "c 3 sa------"},
		changed: []int{1, 2},
	}, {
		name:    "an 'r' for a message already known adds recent",
		known:   State{100, 2},
		file:    impText("0000000100 0000000002", "a 0000000001 -----r--"),
		msgs:    []string{"a 1 --------"},
		want:    []string{"a 1 -----r--"},
		changed: []int{0},
	}, {
		name:  "stale lines: expunged messages and messages gone",
		known: State{100, 5},
		file:  impText("0000000100 0000000005", "a 0000000001 s-------", "b 0000000002 s-------", "c 0000000003 s-------", "d 0000000004 s-------"),
		msgs:  []string{"a 1 s-------", "b 2 -------- x", "d 4 --------"},
		// b is expunged (skipped), c's message is gone (line dropped)
		want:    []string{"a 1 s-------", "b 2 -------- x", "d 4 s-------"},
		changed: []int{2},
	}, {
		name:  "a line for a message this session no longer has, before a new one",
		known: State{100, 3},
		file:  impText("0000000100 0000000004", "a 0000000001 --------", "b 0000000002 --------", "c 0000000003 s-------"),
		msgs:  []string{"a 1 --------", "c 0 -----r--"},
		want:  []string{"a 1 --------", "c 3 s-------"},
	}, {
		name: "duplicates take successive uids",
		file: impText("0000000100 0000000003", "a 0000000001 s-------", "a 0000000002 --f-----"),
		msgs: []string{"a 0 -----r--", "a 0 -----r--", "a 0 -----r--"},
		want: []string{"a 1 s-------", "a 2 --f-----", "a 0 -----r--"},
	}, {
		name: "a uid-less message that does not match stops the walk",
		file: impText("0000000100 0000000003", "a 0000000001 s-------", "b 0000000002 s-------"),
		msgs: []string{"x 0 -----r--", "b 0 -----r--"},
		want: []string{"x 0 -----r--", "b 0 -----r--"},
	}, {
		name:    "uid on another digest",
		known:   State{100, 3},
		file:    impText("0000000100 0000000003", "a 0000000001 --------", "b 0000000002 --------"),
		msgs:    []string{"a 1 --------", "c 2 --------"},
		want:    []string{"a 1 --------", "c 2 --------"},
		wantErr: ErrInconsistent,
	}})
}

// Spec §2.5 step 1: files that do not fit what the session knows are
// rejected before anything changes.
func TestMergeRejects(t *testing.T) {
	runMerge(t, []mergeCase{{
		name:    "uidvalidity changed",
		known:   State{100, 3},
		file:    impText("0000000200 0000000003", "a 0000000001 s-------"),
		msgs:    []string{"a 1 --------"},
		want:    []string{"a 1 --------"},
		wantErr: ErrRejected,
	}, {
		name:    "uidnext lower",
		known:   State{100, 5},
		file:    impText("0000000100 0000000004", "a 0000000001 s-------"),
		msgs:    []string{"a 1 --------"},
		want:    []string{"a 1 --------"},
		wantErr: ErrRejected,
	}, {
		name:    "uidnext higher is fine",
		known:   State{100, 5},
		file:    impText("0000000100 0000000007", "a 0000000001 s-------"),
		msgs:    []string{"a 1 --------"},
		want:    []string{"a 1 s-------"},
		changed: []int{0},
	}})
}

func TestAssign(t *testing.T) {
	ms := box(t, "a 1 s-------", "b 0 -------- x", "c 0 --------", "d 0 --f-----")
	if next := Assign(ms, 7); next != 9 {
		t.Errorf("Assign next = %d, want 9", next)
	}
	want := []string{"a 1 s-------", "b 0 -------- x", "c 7 -----r--", "d 8 --f--r--"}
	if got := show(ms); !sameStrings(got, want) {
		t.Errorf("Assign: %q, want %q", got, want)
	}
	ms = box(t, "a 0 --------", "b 0 --------")
	if next := Assign(ms, 0); next != 3 || ms[0].UID != 1 {
		t.Errorf("Assign(next 0) = %d, first uid %d; want 3, 1", next, ms[0].UID)
	}
	ms = box(t, "a 0 --------", "b 0 --------")
	if next := Assign(ms, 4294967294); next != 4294967295 || ms[0].UID != 4294967294 || ms[1].UID != 0 {
		t.Errorf("Assign near the end = %d, uids %d %d; want 4294967295, 4294967294, 0", next, ms[0].UID, ms[1].UID)
	}
}

func TestSnapshot(t *testing.T) {
	ms := box(t, "a 1 s----r--", "b 2 -------- x", "c 0 --f-----", "d 3 -a---r--")
	ms = append(ms, &Msg{Digest: "not a digest", UID: 4})
	want := string(impText("0000000100 0000000005",
		"a 0000000001 s-------",
		"d 0000000003 -a------",
		"c 0000000000 --f-----"))
	if got := string(Snapshot(100, 5, ms, false).Marshal()); got != want {
		t.Errorf("Snapshot SELECT =\n%s\nwant\n%s", got, want)
	}
	want = string(impText("0000000100 0000000005",
		"a 0000000001 s----r--",
		"d 0000000003 -a---r--",
		"c 0000000000 --f-----"))
	if got := string(Snapshot(100, 5, ms, true).Marshal()); got != want {
		t.Errorf("Snapshot STATUS =\n%s\nwant\n%s", got, want)
	}
	// A Recent bit in Msg.Flags is not Msg.Recent.
	ms = []*Msg{{Digest: dig("a"), UID: 1, Flags: Seen | Recent}}
	if got, want := Snapshot(100, 2, ms, true).Lines[0].Flags, Seen; got != want {
		t.Errorf("Snapshot flags %v, want %v", got, want)
	}
}

func mustLine(t *testing.T, key string, fl Flags) []byte {
	t.Helper()
	b, err := NewLine(dig(key), 0, fl)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
