package imp

import (
	"errors"
	"reflect"
	"testing"
)

type reconcileCase struct {
	name    string
	in      Input
	msgs    []string
	want    []string
	state   State
	write   bool
	bad     error // Result.Bad wraps it; nil: no Bad
	changed []int
	wantErr error
}

func runReconcile(t *testing.T, cases []reconcileCase) {
	t.Helper()
	for _, tc := range cases {
		ms := box(t, tc.msgs...)
		r, err := Reconcile(tc.in, ms)
		if !errors.Is(err, tc.wantErr) || (err != nil) != (tc.wantErr != nil) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.wantErr)
		}
		if err != nil {
			continue
		}
		if got := show(ms); !sameStrings(got, tc.want) {
			t.Errorf("%s: messages\n%q\nwant\n%q", tc.name, got, tc.want)
		}
		if r.State != tc.state || r.Write != tc.write || !reflect.DeepEqual(r.Changed, tc.changed) {
			t.Errorf("%s: state %+v write %v changed %v; want %+v %v %v", tc.name, r.State, r.Write, r.Changed, tc.state, tc.write, tc.changed)
		}
		if !errors.Is(r.Bad, tc.bad) || (r.Bad != nil) != (tc.bad != nil) {
			t.Errorf("%s: Bad %v, want %v", tc.name, r.Bad, tc.bad)
		}
	}
}

func TestReconcileNoFile(t *testing.T) {
	runReconcile(t, []reconcileCase{{
		name:  "first open: UIDVALIDITY is the mtime",
		in:    Input{Mtime: 1606780800},
		msgs:  []string{"a 0 --------", "b 0 --------"},
		want:  []string{"a 1 -----r--", "b 2 -----r--"},
		state: State{1606780800, 3},
		write: true,
	}, {
		name:  "mtime 0 gives UIDVALIDITY 1",
		in:    Input{},
		msgs:  []string{},
		state: State{1, 1},
		write: true,
	}, {
		name:  "removed mid-session: the session's state stands",
		in:    Input{Known: State{100, 3}, Mtime: 555},
		msgs:  []string{"a 1 --------", "b 2 s-------", "c 0 --------"},
		want:  []string{"a 1 --------", "b 2 s-------", "c 3 -----r--"},
		state: State{100, 4},
		write: true,
	}})
}

func TestReconcileFile(t *testing.T) {
	file := impText("0000000100 0000000003", "a 0000000001 s-------", "b 0000000002 -----r--")
	runReconcile(t, []reconcileCase{{
		name:  "nothing new, no 'r': nothing to write",
		in:    Input{Data: impText("0000000100 0000000003", "a 0000000001 s-------", "b 0000000002 --------"), Exists: true, Known: State{100, 3}},
		msgs:  []string{"a 1 s-------", "b 2 --------"},
		want:  []string{"a 1 s-------", "b 2 --------"},
		state: State{100, 3},
	}, {
		name:  "SELECT reads an 'r': recent here, rewrite without it",
		in:    Input{Data: file, Exists: true, Mtime: 555},
		msgs:  []string{"a 0 --------", "b 0 --------"},
		want:  []string{"a 1 s-------", "b 2 -----r--"},
		state: State{100, 3},
		write: true,
	}, {
		name:  "STATUS reads an 'r': keeps it, nothing to write",
		in:    Input{Data: file, Exists: true, Mtime: 555, KeepRecent: true},
		msgs:  []string{"a 0 --------", "b 0 --------"},
		want:  []string{"a 1 s-------", "b 2 -----r--"},
		state: State{100, 3},
	}, {
		name:  "new message: uid from the file's UIDNEXT",
		in:    Input{Data: file, Exists: true, KeepRecent: true},
		msgs:  []string{"a 0 --------", "b 0 --------", "c 0 --------"},
		want:  []string{"a 1 s-------", "b 2 -----r--", "c 3 -----r--"},
		state: State{100, 4},
		write: true,
	}, {
		name:    "flags changed by another server",
		in:      Input{Data: impText("0000000100 0000000003", "a 0000000001 s--D----", "b 0000000002 --------"), Exists: true, Known: State{100, 3}},
		msgs:    []string{"a 1 s-------", "b 2 --------"},
		want:    []string{"a 1 s--D----", "b 2 --------"},
		state:   State{100, 3},
		changed: []int{0},
	}})
}

func TestReconcileBadFile(t *testing.T) {
	runReconcile(t, []reconcileCase{{
		name:  "bad magic, first open: start afresh at the mtime",
		in:    Input{Data: []byte("imap internal mailbox\n0000000100 0000000003\n"), Exists: true, Mtime: 555},
		msgs:  []string{"a 0 --------"},
		want:  []string{"a 1 -----r--"},
		state: State{555, 2},
		write: true,
		bad:   ErrBad,
	}, {
		name:  "empty file",
		in:    Input{Data: nil, Exists: true, Mtime: 555},
		msgs:  []string{"a 0 --------"},
		want:  []string{"a 1 -----r--"},
		state: State{555, 2},
		write: true,
		bad:   ErrBad,
	}, {
		name:  "bad message line: the header stands, no new UIDVALIDITY",
		in:    Input{Data: impText("0000000100 0000000007", "a 0000000001 S-------"), Exists: true, Mtime: 555},
		msgs:  []string{"a 0 --------"},
		want:  []string{"a 7 -----r--"},
		state: State{100, 8},
		write: true,
		bad:   ErrBad,
	}, {
		name:  "bad message line, header of another UIDVALIDITY: the session's",
		in:    Input{Data: impText("0000000200 0000000007", "a 0000000001 S-------"), Exists: true, Known: State{100, 2}, Mtime: 555},
		msgs:  []string{"a 1 --------"},
		want:  []string{"a 1 --------"},
		state: State{100, 2},
		write: true,
		bad:   ErrBad,
	}, {
		name:  "UIDVALIDITY changed under the session: keep ours, rewrite",
		in:    Input{Data: impText("0000000200 0000000009", "a 0000000001 s-------"), Exists: true, Known: State{100, 2}},
		msgs:  []string{"a 1 --------", "b 0 --------"},
		want:  []string{"a 1 --------", "b 2 -----r--"},
		state: State{100, 3},
		write: true,
		bad:   ErrRejected,
	}, {
		name:  "UIDNEXT went down: keep ours, rewrite",
		in:    Input{Data: impText("0000000100 0000000002", "a 0000000001 s-------"), Exists: true, Known: State{100, 3}},
		msgs:  []string{"a 1 --------", "b 2 --------"},
		want:  []string{"a 1 --------", "b 2 --------"},
		state: State{100, 3},
		write: true,
		bad:   ErrRejected,
	}})
}

func TestReconcileInconsistent(t *testing.T) {
	runReconcile(t, []reconcileCase{{
		name:    "uid on another digest",
		in:      Input{Data: impText("0000000100 0000000003", "a 0000000001 --------", "b 0000000002 --------"), Exists: true, Known: State{100, 3}},
		msgs:    []string{"a 1 --------", "c 2 --------"},
		wantErr: ErrInconsistent,
	}, {
		name:    "a message without uid before one with a uid",
		in:      Input{Known: State{100, 6}},
		msgs:    []string{"a 0 --------", "b 5 --------"},
		wantErr: ErrInconsistent,
	}, {
		name:    "uids out of order",
		in:      Input{Known: State{100, 6}},
		msgs:    []string{"a 5 --------", "b 4 --------"},
		wantErr: ErrInconsistent,
	}})
}
