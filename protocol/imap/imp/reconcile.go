package imp

import (
	"errors"
	"fmt"
)

// Input is what Reconcile needs besides the messages.
type Input struct {
	Data       []byte // the .imp file's content, when Exists
	Exists     bool   // false: there is no .imp file
	Known      State  // what the session already knows; zero at its first read
	Mtime      uint32 // the mailbox's mtime in seconds: UIDVALIDITY of a new file (spec §2.5)
	KeepRecent bool   // a session that leaves \Recent for others (STATUS, SUBSCRIBE); see Snapshot
}

// Result is what Reconcile decided.
type Result struct {
	State   State // UIDVALIDITY and UIDNEXT from now on
	Changed []int // as Merge's: indexes of messages owed an unsolicited FETCH FLAGS
	Write   bool  // rewrite the file: Snapshot(State.UIDValidity, State.UIDNext, msgs, KeepRecent)
	Given   bool  // some message got a new UID: one the file did not record
	Bad     error // why the file's content was not used, for the log; nil if it was, or was absent
}

// Reconcile is the read side of spec §2.5 in one call, as imap4d's
// openImp and boxFlags do it; the caller holds the L.mbox lock and
// writes the file under it when Result.Write says so.
//
//   - No file: the session keeps what it knows; knowing nothing, it
//     starts at UIDVALIDITY = Mtime (1 if that is 0) and UIDNEXT 1.
//   - A file Parse rejects: the same, except that a second line that
//     parses and fits Known is kept (imap4d kept it too), so a damaged
//     message line does not change UIDVALIDITY.
//   - A file Merge rejects (ErrRejected): the session keeps its state.
//   - Otherwise the file is merged into msgs (Merge).
//
// Then Assign numbers the remaining messages. The file must be
// rewritten when it was missing or unused, when new UIDs were given, or
// when a session that consumes \Recent read an 'r'.
//
// The only error is ErrInconsistent (wrapped): from Merge, or when
// messages without a UID come before one with a UID so that UIDs could
// not ascend. The session must end then.
func Reconcile(in Input, msgs []*Msg) (Result, error) {
	r := Result{State: start(in.Known, in.Mtime), Write: true}
	if in.Exists {
		if err := r.read(in, msgs); err != nil {
			return r, err
		}
	}
	next := Assign(msgs, r.State.UIDNext)
	r.Given = next != r.State.UIDNext
	r.Write = r.Write || r.Given
	r.State.UIDNext = next
	return r, ascending(msgs)
}

// read parses and merges in.Data into r and msgs.
func (r *Result) read(in Input, msgs []*Msg) error {
	f, err := Parse(in.Data)
	if err != nil {
		r.Bad = err
		if st, herr := parseHeader(string(in.Data)); herr == nil && accept(st, in.Known) == nil {
			r.State = st
		}
		return nil
	}
	changed, err := Merge(f, in.Known, msgs)
	switch {
	case errors.Is(err, ErrInconsistent):
		return err
	case err != nil:
		r.Bad = err
		return nil
	}
	r.State, r.Changed = f.State(), changed
	r.Write = !in.KeepRecent && f.hasRecent()
	return nil
}

// start is the state of a session whose .imp is missing or unusable.
func start(known State, mtime uint32) State {
	if known.UIDValidity == 0 {
		return State{UIDValidity: max(mtime, 1), UIDNext: 1}
	}
	return State{UIDValidity: known.UIDValidity, UIDNext: max(known.UIDNext, 1)}
}

func (f *File) hasRecent() bool {
	for _, l := range f.Lines {
		if l.Flags&Recent != 0 {
			return true
		}
	}
	return false
}

// ascending checks that the UIDs of the messages not expunged ascend,
// with any messages still without a UID last (RFC 3501 §2.3.1.1).
func ascending(msgs []*Msg) error {
	var prev uint32
	gap := false
	for i, m := range msgs {
		switch {
		case m.Expunged:
		case m.UID == 0:
			gap = true
		case gap || m.UID <= prev:
			return fmt.Errorf("%w: message %d has uid %d after uid %d or a message without one", ErrInconsistent, i+1, m.UID, prev)
		default:
			prev = m.UID
		}
	}
	return nil
}
