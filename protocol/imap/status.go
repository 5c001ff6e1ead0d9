package imap

import (
	"math"
	"strconv"

	"p9mail/ninep"
	"p9mail/protocol/imap/imp"
	"p9mail/protocol/imap/message"
	"p9mail/protocol/imap/wire"
	"p9mail/protocol/index"
)

// status runs STATUS (RFC 3501 §6.3.10). It gives new messages UIDs and
// writes the .imp as a SELECT would, but leaves \Recent for the next
// SELECT (spec §2.10).
func (s *session) status(tag, cmd string) error {
	var name string
	var items []wire.StatusItem
	if !s.dec.ExpectSP() || !s.dec.ExpectMailbox(&name) || !s.dec.ExpectSP() ||
		!s.dec.ExpectStatusItems(&items) || !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	file, err := fileName(name, s.allowList(), false)
	if err != nil {
		return no("CANNOT", cmd+" bad mailbox name")
	}
	if err := s.statusOf(name, file, items); err != nil {
		if ninep.IsNotExist(err) {
			return no("NONEXISTENT", cmd+" mailbox does not exist")
		}
		return no("", cmd+" can't open mailbox: "+err.Error())
	}
	return nil
}

// statusOf sends the STATUS response for the mailbox name (file), for
// STATUS and LIST's RETURN (STATUS) (RFC 5819). Nothing is sent when
// it fails.
func (s *session) statusOf(name, file string, items []wire.StatusItem) error {
	if wire.Has(statusNames(items), string(wire.StatusHighestModSeq)) {
		s.enableCondstore()
	}
	mb := s.sel
	if mb == nil || mb.file != file {
		var err error
		if mb, err = s.openMailbox(name, file, false, true); err != nil {
			return err
		}
		defer mb.close()
	} else {
		s.update(true)
	}
	var n, recent, unseen uint32
	for _, m := range mb.msgs {
		if m.Expunged {
			continue
		}
		n++
		if m.Recent {
			recent++
		}
		if m.Flags&imp.Seen == 0 {
			unseen++
		}
	}
	var size int64
	if wire.Has(statusNames(items), string(wire.StatusSize)) {
		var err error
		if size, err = s.mailboxSize(mb); err != nil {
			return err
		}
	}
	s.enc.Atom("* STATUS ").Mailbox(name).Atom(" (")
	for i, it := range items {
		if i > 0 {
			s.enc.SP()
		}
		s.enc.Atom(string(it)).SP()
		switch it {
		case wire.StatusMessages:
			s.enc.Number(n)
		case wire.StatusRecent:
			s.enc.Number(recent)
		case wire.StatusUIDNext:
			s.enc.Number(mb.next)
		case wire.StatusUIDValidity:
			s.enc.Number(mb.validity)
		case wire.StatusUnseen:
			s.enc.Number(unseen)
		case wire.StatusSize:
			s.enc.Number64(uint64(size))
		case wire.StatusAppendLimit:
			s.enc.Number(s.appendLimit())
		case wire.StatusHighestModSeq:
			s.enc.Number64(mb.highestModSeq()) // condstore.go
		}
	}
	s.enc.Atom(")").CRLF()
	return nil
}

func statusNames(items []wire.StatusItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = string(it)
	}
	return out
}

// appendLimitCap announces APPENDLIMIT (RFC 7889 §3.1): every mailbox
// takes messages up to appendLimit octets.
func (s *session) appendLimitCap() string {
	return "APPENDLIMIT=" + strconv.FormatUint(uint64(s.appendLimit()), 10)
}

// appendLimit is MaxLiteral, APPEND's literal limit, within RFC 7889's
// 32-bit number (a larger limit is announced as the largest number).
func (s *session) appendLimit() uint32 {
	return uint32(min(s.cfg.MaxLiteral, math.MaxUint32))
}

// mailboxSize is STATUS=SIZE's SIZE (RFC 8438): the RFC822.SIZEs FETCH
// reports, summed over the mailbox's messages. Each comes from the
// structure the server already keeps by digest (the structure cache,
// then the mailbox's index file); only messages never seen are read
// from upasfs, messagesAtOnce at a time, and kept for next time.
func (s *session) mailboxSize(mb *mailbox) (int64, error) {
	x := mb.indexFile()
	live := make([]*msg, 0, len(mb.msgs))
	for _, m := range mb.msgs {
		if !m.Expunged {
			live = append(live, m)
		}
	}
	sizes := make([]int64, len(live))
	missing := make([]bool, len(live))
	for i, m := range live {
		if st := s.srv.cache.get(m.Digest); st != nil {
			sizes[i] = st.Size()
			continue
		}
		if x != nil {
			if b, ok := x.Get(m.Digest); ok {
				if st, err := message.Unmarshal(b); err == nil && st.MaxHeader() == s.cfg.MaxHeader {
					s.srv.cache.put(m.Digest, st)
					sizes[i] = st.Size()
					continue
				}
			}
		}
		missing[i] = true
	}
	errs := make([]error, len(live))
	recs := make([]index.Record, len(live))
	inParallel(len(live), func(i int) bool { return missing[i] }, func(i int) {
		m := live[i]
		s.srv.loads.Add(1)
		st, err := message.LoadLimited(message.UpasfsSource(s.fs, mb.box, m.num), s.cfg.MaxHeader)
		if err != nil {
			errs[i] = err
			return
		}
		s.srv.cache.put(m.Digest, st)
		sizes[i] = st.Size()
		recs[i] = index.Record{Digest: m.Digest, Payload: st.Marshal()}
	})
	var total int64
	var put []index.Record
	for i := range live {
		if errs[i] != nil {
			return 0, errs[i]
		}
		total += sizes[i]
		if missing[i] {
			put = append(put, recs[i])
		}
	}
	if x != nil && len(put) > 0 {
		if err := x.PutMany(put); err != nil {
			s.cfg.Log.Warn("imap index", "user", s.user, "err", err)
		}
	}
	return total, nil
}
