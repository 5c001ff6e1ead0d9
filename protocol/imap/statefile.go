package imap

import (
	"fmt"
	"path"

	"9fans.net/go/plan9"

	"p9mail/ninep"
	"p9mail/protocol/imap/statefile"
	"p9mail/protocol/mailfs"
)

// The state file (package statefile) keeps what .imp cannot: keywords and
// mod-sequences (decision 8). It is read and written in commit, under
// the same lock as the .imp and right after it; the .imp stays the
// truth for UIDs and system flags, so a flag change another writer
// (Plan 9's imap4d, a hand edit) makes in the .imp shows up here as a
// new mod-sequence.

// stateName is the mailbox's state file: <mailbox>.imp.imp.
func (mb *mailbox) stateName() string { return mb.impName() + ".imp" }

// stateTemp is where a new state file is written before it replaces the
// old one: a name the stop-list hides (spec §2.4, "imap-tmp.").
func (mb *mailbox) stateTemp() string {
	return path.Join(path.Dir(mb.impName()), "imap-tmp."+path.Base(mb.file)+".state")
}

// readState reads the state file under the lock. A missing file is a
// fresh state; one cut off by a crash between removing the old file
// and renaming the new one into place is found under its temporary
// name; a garbled one is logged and started afresh (keywords lost,
// mod-sequences moved on: clients resynchronise, nothing else).
func (mb *mailbox) readState() (*statefile.File, error) {
	s := mb.s
	data, err := s.ns.ReadFile(mb.stateName())
	exists := err == nil
	if ninep.IsNotExist(err) {
		data, err = s.ns.ReadFile(mb.stateTemp())
		exists = err == nil
		if ninep.IsNotExist(err) {
			err = nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("read %s state: %w", mb.file, err)
	}
	mb.noteState()
	f, perr := statefile.Load(data, exists, mb.validity)
	if perr != nil {
		s.cfg.Log.Warn("imap state file", "user", s.user, "box", mb.name, "err", perr)
	}
	if mb.st != nil && f.HighestModSeq < mb.st.HighestModSeq && f.UIDValidity == mb.st.UIDValidity {
		// Lost or garbled since this session read it: carry on from
		// what the session knew, so mod-sequences never go back.
		f.HighestModSeq, f.Floor = mb.st.HighestModSeq, mb.st.HighestModSeq
	}
	return f, nil
}

// adoptState makes f the session's view: its keyword list numbers the
// session's keywords, and each message with a record takes the
// record's keywords and mod-sequence (another session may have changed
// them). Messages without a record keep what the session has,
// renumbered.
func (mb *mailbox) adoptState(f *statefile.File) {
	var renumber []int
	if mb.st != nil {
		renumber = make([]int, len(mb.st.Keywords))
		for i, k := range mb.st.Keywords {
			n, ok := f.Keyword(k, statefile.MaxKeywords)
			if !ok {
				n = -1
			}
			renumber[i] = n
		}
	}
	// Both are in ascending UID order (messages without a UID last):
	// one walk pairs them.
	j := 0
	for _, m := range mb.msgs {
		if m.Expunged {
			continue
		}
		for j < len(f.Msgs) && m.UID != 0 && f.Msgs[j].UID < m.UID {
			j++
		}
		var rec *statefile.Msg
		if m.UID != 0 && j < len(f.Msgs) && f.Msgs[j].UID == m.UID {
			rec = &f.Msgs[j]
		}
		if rec == nil {
			m.keywords = m.keywords.renumber(renumber)
			continue
		}
		var kw keywordSet
		for _, k := range rec.Keywords {
			kw.set(int(k))
		}
		if m.told && (!kw.equal(m.keywords) || mb.s.isEnabled(condstore) && m.modseq != 0 && m.modseq != rec.ModSeq) {
			// Under CONDSTORE a new mod-sequence is news even when
			// the flags came back as they were (RFC 7162 §3.1).
			m.flagNews = true
		}
		m.keywords, m.modseq = kw, rec.ModSeq
	}
	mb.st = f
}

// recordState brings the state file up to the session's messages after
// its change: new mod-sequences for what changed, expunges for what
// went; written when it changed, unless the mailbox is open read-only
// (EXAMINE). A STATUS look writes it as it writes the .imp, to record
// the messages it gave UIDs.
func (mb *mailbox) recordState() error {
	entries := make([]statefile.Entry, 0, len(mb.msgs))
	withUID := make([]*msg, 0, len(mb.msgs))
	for _, m := range mb.msgs {
		if m.Expunged || m.UID == 0 {
			continue
		}
		entries = append(entries, statefile.Entry{UID: m.UID, Flags: m.Flags, Keywords: m.keywords.numbers()})
		withUID = append(withUID, m)
	}
	modseqs, changed, err := mb.st.Update(entries)
	if err != nil {
		return err
	}
	for i, m := range withUID {
		m.modseq = modseqs[i]
	}
	if !changed || mb.readOnly {
		return nil
	}
	return mb.writeState(mb.st.Marshal())
}

// writeState replaces the state file: the new one is written under a
// temporary name, the old one removed and the new one renamed into
// place (9P's wstat cannot rename over a file). A crash in between
// leaves the temporary file, which readState finds.
func (mb *mailbox) writeState(data []byte) error {
	s := mb.s
	perm := mailfs.ModeOf(s.ns, mailfs.MboxPath(s.user, mb.file))
	if err := mailfs.WriteFile(s.ns, mb.stateTemp(), data, perm); err != nil {
		return fmt.Errorf("write %s state: %w", mb.file, err)
	}
	if err := s.ns.Remove(mb.stateName()); err != nil && !ninep.IsNotExist(err) {
		return fmt.Errorf("replace %s state: %w", mb.file, err)
	}
	d := plan9.Dir{}
	d.Null()
	d.Name = path.Base(mb.stateName())
	if err := s.ns.Wstat(mb.stateTemp(), &d); err != nil {
		return fmt.Errorf("rename %s state: %w", mb.file, err)
	}
	mb.noteState()
	return nil
}

// noteState records the state file's qid (under the lock, after a read
// or a write), for stateUnchanged.
func (mb *mailbox) noteState() {
	mb.stateQid = nil
	if d, err := mb.s.ns.Stat(mb.stateName()); err == nil {
		mb.stateQid = &d.Qid
	}
}

// stateUnchanged reports whether a stat shows the state file as last
// noted: commit's shortcut, like the .imp's qid.
func (mb *mailbox) stateUnchanged() bool {
	d, err := mb.s.ns.Stat(mb.stateName())
	if err != nil {
		return mb.stateQid == nil && ninep.IsNotExist(err)
	}
	return mb.stateQid != nil && d.Qid == *mb.stateQid
}
