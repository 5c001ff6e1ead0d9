package imap

import (
	"bytes"
	"fmt"
	"io"

	"p9mail/protocol/imap/message"
	"p9mail/protocol/imap/wire"
)

// CATENATE (RFC 4469) with URL-PARTIAL (RFC 5550): APPEND's message
// may be CATENATE's parts, TEXT literals and IMAP URLs naming messages
// or sections of this user's mailboxes. Each such message is put
// together in memory, at most Config.MaxLiteral octets (the APPEND
// limit, APPENDLIMIT), checked before each part is read: a TEXT
// literal against its announced size, an URL against the size of its
// section. An URL's data is exactly what FETCH BODY.PEEK[section]<partial>
// returns (openSections, fetch.go).
//
// The URLs are read before the mailbox appended to is locked: the
// message list of an URL's mailbox is brought up to date under that
// directory's lock (mailbox.commit), which an append holding it would
// wait for itself (imaptest's catenate-multiappend names the mailbox
// appended to). appendAll therefore opens its writer only once the
// first message is assembled. In a MULTIAPPEND whose earlier message
// already holds the lock, a later message's URLs may name only the
// selected mailbox, read as the session last saw it (no update, no
// lock: upasfs reads a message's files without the lock); another
// mailbox there is NO [BADURL].

// catenate reads one CATENATE message's parts, after "CATENATE (", and
// returns the message (CRLF lines, as an APPEND literal brings it).
// locked: this APPEND holds the lock of its mailbox's directory already.
func (s *session) catenate(locked bool) ([]byte, error) {
	limit := s.cfg.MaxLiteral
	var msg bytes.Buffer
	for more := true; more; {
		var p wire.CatPart
		if !s.dec.ExpectCatPart(&p) {
			return nil, errParse
		}
		if p.IsURL {
			if err := s.readURL(p.URL, locked, &msg, limit); err != nil {
				return nil, err
			}
		} else {
			if int64(msg.Len())+p.Text.Size > limit {
				return nil, tooBigCat(limit)
			}
			var r io.Reader
			if !s.dec.ExpectLiteralData(&r) {
				return nil, errParse
			}
			// The buffer grows as the data comes, not by the count.
			if _, err := io.CopyN(&msg, r, p.Text.Size); err != nil {
				return nil, errParse // the decoder has the I/O error
			}
		}
		if !s.dec.ExpectCatNext(&more) {
			return nil, errParse
		}
	}
	return msg.Bytes(), nil
}

func tooBigCat(limit int64) error {
	return no("TOOBIG", fmt.Sprintf("APPEND CATENATE message over the limit of %d octets", limit))
}

// badURL is the NO [BADURL url] of an URL that names nothing this
// server can give (RFC 4469 §3). The code's text is the URL as sent
// (url-resp-text), cut at a character that may not go there.
func badURL(raw, why string) error {
	const maxShown = 1024
	end := min(len(raw), maxShown)
	for i := 0; i < end; i++ {
		if c := raw[i]; c <= ' ' || c == ']' || c >= 0x7f {
			end = i
		}
	}
	return no("BADURL "+raw[:end], "APPEND CATENATE "+why)
}

// readURL appends to out the data of the URL raw: a message or section
// of one of this user's mailboxes (wire.ParseURL), over limit octets
// in all being TOOBIG.
func (s *session) readURL(raw string, locked bool, out *bytes.Buffer, limit int64) error {
	u, err := wire.ParseURL(raw)
	if err != nil {
		return badURL(raw, err.Error())
	}
	file, err := fileName(u.Mailbox, s.allowList(), false)
	if err != nil {
		return badURL(raw, "bad mailbox name in URL")
	}
	var mb *mailbox
	switch {
	case s.sel != nil && s.sel.file == file:
		mb = s.sel
		if !locked {
			if err := mb.sync(); err != nil {
				return badURL(raw, "cannot read the URL's mailbox")
			}
		}
	case locked:
		return badURL(raw, "URL after a message of this MULTIAPPEND names a mailbox that is not selected: send it in an APPEND of its own")
	default:
		if mb, err = s.openMailbox(u.Mailbox, file, true, true); err != nil {
			return badURL(raw, "no such mailbox")
		}
		defer mb.close()
	}
	if u.UIDValidity != 0 && u.UIDValidity != mb.validity {
		return badURL(raw, "UIDVALIDITY does not match")
	}
	var m *msg
	for _, x := range mb.msgs {
		if x.UID == u.UID && !x.Expunged {
			m = x
			break
		}
	}
	if m == nil {
		return badURL(raw, "no message with that UID")
	}
	src := message.UpasfsSource(s.fs, mb.box, m.num)
	st, err := s.urlStructure(mb, m, src)
	if err != nil {
		return badURL(raw, "message unreadable")
	}
	it := wire.FetchItem{Att: wire.FetchBodySection, Peek: true, Partial: u.Partial}
	if u.Section != nil {
		it.Section = *u.Section
		sec := message.Section{Specifier: string(it.Section.Specifier)}
		for _, p := range it.Section.Part {
			sec.Part = append(sec.Part, int(p))
		}
		if !st.SectionExists(sec) {
			return badURL(raw, "no such section")
		}
	}
	secs, err := s.openSections([]wire.FetchItem{it}, st, src)
	if err != nil {
		return badURL(raw, "no such section")
	}
	defer closeSections(secs)
	o := secs[0]
	if int64(out.Len())+o.size > limit {
		return tooBigCat(limit)
	}
	if _, err := io.CopyN(out, o.r, o.size); err != nil {
		return no("", "APPEND CATENATE cannot read the URL's data: "+err.Error())
	}
	return nil
}

// urlStructure returns the structure of m of mb: as FETCH gets it for
// the selected mailbox, else from the shared cache or upasfs.
func (s *session) urlStructure(mb *mailbox, m *msg, src message.Source) (*message.Structure, error) {
	if mb == s.sel {
		return s.structure(m)
	}
	if st := s.srv.cache.get(m.Digest); st != nil {
		return st, nil
	}
	st, err := message.LoadLimited(src, s.cfg.MaxHeader)
	if err != nil {
		return nil, err
	}
	s.srv.cache.put(m.Digest, st)
	return st, nil
}
