package imp

import (
	"errors"
	"fmt"
	"math"
)

// ErrInconsistent: the .imp gives a UID this session already uses for
// another message. imap4d ends the session with "* bye inconsistent
// uid" (spec §2.5 step 3); so should the caller. The messages may have
// been partly updated.
var ErrInconsistent = errors.New("inconsistent uid")

// ErrRejected is wrapped by Merge when a well-formed file does not fit
// what the session knows (spec §2.5 step 1): the caller keeps its own
// state and rewrites the file, as imap4d does.
var ErrRejected = errors.New(".imp rejected")

// State is what a session knows of a mailbox's UIDs: zero before it has
// read or made a .imp.
type State struct {
	UIDValidity, UIDNext uint32
}

// A Msg is a message as the session knows it; the caller passes them in
// mailbox order.
type Msg struct {
	Digest   string // upasfs digest: 40 lowercase hex digits
	UID      uint32 // 0: not known yet
	Flags    Flags  // the System flags; a Recent bit here is ignored, see Recent
	Expunged bool   // gone from upasfs, not yet reported; never matched, never written
	Recent   bool   // \Recent in this session (RFC 3501 §2.3.2)
}

// Merge applies f, read from disk, to msgs (spec §2.5 steps 1–3).
//
// It first rejects, with an error wrapping ErrRejected and before
// touching msgs, a file whose UIDVALIDITY differs from known's (when
// known has one) or whose UIDNEXT is below known's. Otherwise the
// session's state becomes f.State() and the lines are walked with a
// cursor over msgs:
//
//   - A line with a UID skips messages that are expunged or have a
//     smaller UID; the message at the cursor must then either have this
//     UID or have none and the line's digest, else the line is dropped
//     (its message is gone). The same UID on another digest is
//     ErrInconsistent. A match takes the line's UID and flags; a message
//     that had no UID loses \Recent unless the line carries 'r' (another
//     server has seen it), one that had keeps its own \Recent or'ed with
//     'r'.
//   - A UID-0 line (APPEND, COPY) gives its flags to the next message at
//     or after the cursor that has no UID, is not expunged and has the
//     line's digest; the cursor moves past it. That message is \Recent:
//     no server has given it a UID, so no session has seen it.
//
// changed lists, by index into msgs, the messages that already had a
// UID and whose flags or \Recent changed: the client is owed an
// unsolicited FETCH FLAGS for them.
//
// Two deliberate differences from imap4d: a UID-0 line never gives its
// flags to a message that already has a UID, and the message it matches
// stays \Recent (imap4d cleared \Recent there, so APPENDed and COPYed
// messages were never \Recent, against RFC 3501 §6.3.11 and §6.4.7).
func Merge(f *File, known State, msgs []*Msg) (changed []int, err error) {
	if err := accept(f.State(), known); err != nil {
		return nil, err
	}
	mg := merger{msgs: msgs}
	for _, l := range f.Lines {
		if l.UID == 0 {
			mg.appended(l)
			continue
		}
		if err := mg.uidLine(l); err != nil {
			return mg.changed, err
		}
	}
	return mg.changed, nil
}

// accept is step 1 of spec §2.5 for a well-formed file.
func accept(st, known State) error {
	if known.UIDValidity != 0 && st.UIDValidity != known.UIDValidity {
		return fmt.Errorf("%w: uidvalidity %d, session has %d", ErrRejected, st.UIDValidity, known.UIDValidity)
	}
	if st.UIDNext < known.UIDNext {
		return fmt.Errorf("%w: uidnext %d below the session's %d", ErrRejected, st.UIDNext, known.UIDNext)
	}
	return nil
}

// A merger walks the lines of one file over the messages.
type merger struct {
	msgs    []*Msg
	i       int // cursor: msgs before it are matched or passed over
	changed []int
	waiting map[string][]int // digest → uid-less message indexes ≥ i, in order; built at the first UID-0 line
}

// uidLine is step 3 of spec §2.5.
func (mg *merger) uidLine(l Line) error {
	ms := mg.msgs
	for mg.i < len(ms) && (ms[mg.i].Expunged || ms[mg.i].UID != 0 && ms[mg.i].UID < l.UID) {
		mg.i++
	}
	if mg.i == len(ms) {
		return nil
	}
	m := ms[mg.i]
	match := m.Digest == l.Digest
	if m.UID != l.UID && (m.UID != 0 || !match) {
		return nil // the line's message is gone
	}
	if !match {
		return fmt.Errorf("%w: uid %d is %s in the .imp, %s in the mailbox", ErrInconsistent, l.UID, l.Digest, m.Digest)
	}
	fl, recent := l.Flags&System, l.Flags&Recent != 0
	if m.UID != 0 {
		recent = recent || m.Recent
		if fl != m.Flags&System || recent != m.Recent {
			mg.changed = append(mg.changed, mg.i)
		}
	}
	m.UID, m.Flags, m.Recent = l.UID, fl, recent
	mg.i++
	return nil
}

// appended is step 2 of spec §2.5: a UID-0 line.
func (mg *merger) appended(l Line) {
	if mg.waiting == nil {
		mg.waiting = map[string][]int{}
		for j := mg.i; j < len(mg.msgs); j++ {
			if m := mg.msgs[j]; m.UID == 0 && !m.Expunged {
				mg.waiting[m.Digest] = append(mg.waiting[m.Digest], j)
			}
		}
	}
	q := mg.waiting[l.Digest]
	for len(q) > 0 && (q[0] < mg.i || mg.msgs[q[0]].UID != 0) {
		q = q[1:]
	}
	if len(q) == 0 {
		mg.waiting[l.Digest] = q
		return
	}
	m := mg.msgs[q[0]]
	m.Flags, m.Recent = l.Flags&System, true
	mg.i = q[0] + 1
	mg.waiting[l.Digest] = q[1:]
}

// Assign gives the messages that have no UID and are not expunged
// fresh UIDs from next on, in order, and marks them \Recent: they are
// new to every server (spec §2.5 step 4). It returns the new UIDNEXT.
// A next of 0 counts as 1. Messages are left without a UID once UIDs
// run out at 2³²−1.
//
// UIDs must ascend in mailbox order (RFC 3501 §2.3.1.1), so messages
// without a UID must follow every message with one, as they do when
// new mail is only ever added at the end; Assign does not check this
// (Reconcile does).
func Assign(msgs []*Msg, next uint32) uint32 {
	next = max(next, 1)
	for _, m := range msgs {
		if m.UID != 0 || m.Expunged || next == math.MaxUint32 {
			continue
		}
		m.UID, m.Recent = next, true
		next++
	}
	return next
}

// Snapshot builds the file a rewrite writes (spec §2.5 "Writing"): the
// messages that are not expunged, in order, each with its System flags,
// and 'r' for \Recent only when keepRecent. A SELECT session passes
// false: it has consumed \Recent. STATUS and SUBSCRIBE sessions pass
// true, so that a later SELECT still sees the message as \Recent.
//
// Messages without a UID (Assign not run, or UIDs exhausted) are
// written as UID-0 lines after the others, as APPEND would, and
// messages whose digest is not 40 lowercase hex digits are left out,
// so that the file parses whenever the UIDs ascend and stay below next.
func Snapshot(validity, next uint32, msgs []*Msg, keepRecent bool) *File {
	f := &File{UIDValidity: validity, UIDNext: next, Lines: make([]Line, 0, len(msgs))}
	var later []Line
	for _, m := range msgs {
		if m.Expunged || !validDigest(m.Digest) {
			continue
		}
		l := Line{Digest: m.Digest, UID: m.UID, Flags: m.Flags & System}
		if keepRecent && m.Recent {
			l.Flags |= Recent
		}
		if m.UID == 0 {
			later = append(later, l)
			continue
		}
		f.Lines = append(f.Lines, l)
	}
	f.Lines = append(f.Lines, later...)
	return f
}
