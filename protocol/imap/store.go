package imap

import (
	"slices"

	"p9mail/protocol/imap/imp"
	"p9mail/protocol/imap/wire"
)

// store runs STORE and UID STORE (RFC 3501 §6.4.6). System flags
// persist in the .imp; keywords live for the session (decision 8).
// \Recent cannot be changed.
func (s *session) store(tag, cmd string, uid bool) error {
	var set wire.SeqArg
	var st wire.Store
	var mods wire.StoreModifiers // UNCHANGEDSINCE (condstore.go)
	if !s.dec.ExpectSP() || !s.dec.ExpectSeqArg(&set, uid) || !s.dec.ExpectSP() ||
		s.dec.Peek() == '(' && (!s.dec.ExpectStoreModifiers(&mods) || !s.dec.ExpectSP()) ||
		!s.dec.ExpectStore(&st) || !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	if mods.HasUnchangedSince {
		s.enableCondstore()
	}
	mb := s.sel
	if mb.readOnly {
		return no("READ-ONLY", cmd+" mailbox is read-only")
	}
	s.update(uid)
	targets, ok := s.resolveArg(set, uid)
	if !ok {
		return bad("", cmd+" invalid message sequence number")
	}
	var bits imp.Flags
	var keywords []string
	for _, f := range st.Flags {
		if b, ok := flagBits[f]; ok {
			bits |= b
		} else if f != `\Recent` && !slices.Contains(keywords, f) {
			keywords = append(keywords, f)
		}
	}
	var limit error       // a keyword limit: nothing changes
	var modified []target // failed UNCHANGEDSINCE: left as they were
	before := make(map[*msg]uint64, len(targets))
	for _, t := range targets {
		before[t.m] = t.m.modseq
	}
	err := mb.commit(func() bool {
		// Inside commit, after the state file was read: keyword
		// numbers are the file's, and the limits count what other
		// sessions added.
		if st.Op != wire.StoreRemove {
			limit = mb.keywordsFit(targets, keywords, st.Op == wire.StoreAdd, s.cfg.MaxMessageKeywords)
			if limit == nil {
				_, limit = mb.addKeywords(keywords, s.cfg.MaxKeywords)
			}
			if limit != nil {
				return false
			}
		}
		var kw []int // the keywords' numbers (known ones only for -FLAGS)
		for _, k := range keywords {
			if i, ok := mb.keyword(k); ok {
				kw = append(kw, i)
			}
		}
		changed := false
		modified = modified[:0]
		for _, t := range targets {
			m := t.m
			if m.Expunged {
				continue
			}
			if mods.HasUnchangedSince && (mods.UnchangedSince == 0 || m.modseq > mods.UnchangedSince) {
				modified = append(modified, t)
				continue
			}
			old := m.Flags
			switch st.Op {
			case wire.StoreReplace:
				m.Flags = m.Flags&^imp.System | bits
				m.keywords = nil
			case wire.StoreAdd:
				m.Flags |= bits
			case wire.StoreRemove:
				m.Flags &^= bits
			}
			for _, i := range kw {
				if st.Op == wire.StoreRemove {
					m.keywords.unset(i)
				} else {
					m.keywords.set(i)
				}
			}
			changed = changed || m.Flags != old
		}
		return changed
	})
	switch {
	case err != nil:
		return no("", cmd+" failed: "+err.Error())
	case limit != nil:
		return no("LIMIT", cmd+" "+limit.Error())
	}
	// New keywords, this session's or (read with the state file)
	// another's, are announced before a FETCH names them.
	mb.tellFlags(false)
	cs := s.isEnabled(condstore)
	for _, t := range targets {
		if t.m.Expunged || slices.Contains(modified, t) {
			continue
		}
		// Under CONDSTORE a silent STORE still tells the new
		// mod-sequence of what it changed (RFC 7162 §3.1.3).
		moved := cs && t.m.modseq != before[t.m]
		if st.Silent && !moved {
			continue
		}
		s.enc.Atom("*").SP().Number(t.seq).Atom(" FETCH (")
		if uid {
			s.enc.Atom("UID ").Number(t.m.UID).SP()
		}
		if !st.Silent {
			s.enc.Atom("FLAGS ").Flags(t.m.flagList(mb.kwNames()))
			if cs {
				s.enc.SP()
			}
		}
		if cs {
			writeModSeq(s.enc, t.m)
		}
		s.enc.Atom(")").CRLF()
	}
	s.tellSearchUpdates()
	if len(modified) > 0 {
		s.tagged(tag, "OK", "MODIFIED "+modifiedSet(modified, uid), "conditional STORE failed")
	}
	return nil
}

// flagNames is the FLAGS response: the system flags and the keywords
// used in this session.
func (mb *mailbox) flagNames() []string {
	names := append([]string(nil), systemFlags...)
	return append(names, mb.kwNames()...)
}
