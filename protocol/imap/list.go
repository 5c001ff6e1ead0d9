package imap

import (
	"path"
	"strings"

	"9fans.net/go/plan9"

	"p9mail/ninep"
	"p9mail/protocol/imap/imp"
	"p9mail/protocol/imap/wire"
	"p9mail/protocol/mailfs"
)

func init() {
	register("LIST", (*session).list, authenticated, selected)
	register("LSUB", (*session).list, authenticated, selected)
	register("SUBSCRIBE", (*session).subscribe, authenticated, selected)
	register("UNSUBSCRIBE", (*session).subscribe, authenticated, selected)
	register("NAMESPACE", (*session).namespace, authenticated, selected)
	register("STATUS", (*session).status, authenticated, selected)
}

const subscribedFile = "imap.subscribed"

// list runs LIST and LSUB (RFC 3501 §6.3.8, §6.3.9) over the user's
// mail directory (decision 10).
func (s *session) list(tag, cmd string) {
	var ref, pattern string
	if !s.dec.ExpectSP() || !s.dec.ExpectMailbox(&ref) || !s.dec.ExpectSP() ||
		!s.dec.ExpectListMailbox(&pattern) || !s.dec.ExpectCRLF() {
		if wire.IsBadMailbox(s.dec.Err()) {
			s.tagged(tag, "OK", "", cmd+" completed") // no mailbox has such a name
			return
		}
		s.parseError(tag, cmd)
		return
	}
	s.update(true)
	if pattern == "" && cmd == "LIST" {
		root := ""
		if i := strings.Index(ref, "/"); i >= 0 {
			root = ref[:i+1]
		}
		s.enc.Atom("* LIST ").Flags([]string{`\Noselect`}).Atom(` "/" `).Mailbox(root).CRLF()
		s.tagged(tag, "OK", "", cmd+" completed")
		return
	}
	full := pattern
	if ref != "" && !strings.HasPrefix(pattern, "/") {
		full = ref + pattern
	}
	for _, e := range strings.Split(full, "/") {
		if e == ".." || e == "." {
			s.tagged(tag, "NO", "", cmd+" illegal mailbox pattern")
			return
		}
	}
	if strings.HasPrefix(full, "/") {
		s.tagged(tag, "NO", "", cmd+" illegal mailbox pattern")
		return
	}
	var entries []listEntry
	var err error
	if cmd == "LIST" {
		entries, err = walkMailboxes(s.ns, s.boxDir(), full, s.allowList())
	} else {
		entries, err = s.lsub(full)
	}
	if err != nil {
		s.tagged(tag, "NO", "", cmd+" failed: "+err.Error())
		return
	}
	for _, e := range entries {
		s.enc.Atom("* " + cmd + " ").Flags(e.attrs).Atom(` "/" `).Mailbox(e.name).CRLF()
	}
	s.tagged(tag, "OK", "", cmd+" completed")
}

// subscriptions reads imap.subscribed (spec §2.10): one name a line,
// '#' lines are comments.
func (s *session) subscriptions() ([]string, error) {
	data, err := s.ns.ReadFile(path.Join(s.boxDir(), subscribedFile))
	if ninep.IsNotExist(err) {
		return []string{inbox}, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, l := range strings.Split(string(data), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			names = append(names, l)
		}
	}
	return names, nil
}

// lsub lists the subscribed names that match: existing mailboxes as
// LIST shows them, directories and vanished names as \Noselect.
func (s *session) lsub(pattern string) ([]listEntry, error) {
	names, err := s.subscriptions()
	if err != nil {
		return nil, err
	}
	var out []listEntry
	subscribed := map[string]bool{}
	for _, n := range names {
		subscribed[n] = true
	}
	parents := map[string]bool{}
	for _, n := range names {
		if !match(pattern, n) && !(isInbox(n) && match(strings.ToUpper(pattern), inbox)) {
			// A level the pattern stops at, above a subscribed name,
			// is listed \Noselect (RFC 3501 §6.3.9).
			elems := strings.Split(n, "/")
			for i := 1; i < len(elems); i++ {
				p := strings.Join(elems[:i], "/")
				if match(pattern, p) && !subscribed[p] && !parents[p] {
					parents[p] = true
					out = append(out, listEntry{name: p, attrs: []string{`\Noselect`}})
				}
			}
			continue
		}
		if isInbox(n) {
			out = append(out, listEntry{name: inbox, attrs: []string{`\Noinferiors`}})
			continue
		}
		attrs := []string{`\Noselect`}
		if file, err := fileName(n, nil, false); err == nil {
			if d, err := s.ns.Stat(path.Join(s.boxDir(), file)); err == nil && d.Qid.Type&plan9.QTDIR == 0 {
				attrs = []string{`\Noinferiors`}
			}
		}
		out = append(out, listEntry{name: n, attrs: attrs})
	}
	return out, nil
}

// subscribe runs SUBSCRIBE and UNSUBSCRIBE (RFC 3501 §6.3.6, §6.3.7),
// editing imap.subscribed under the top-level lock (spec §2.10).
func (s *session) subscribe(tag, cmd string) {
	var name string
	if !s.dec.ExpectSP() || !s.dec.ExpectMailbox(&name) || !s.dec.ExpectCRLF() {
		s.parseError(tag, cmd)
		return
	}
	file, err := fileName(name, s.allowList(), false)
	if err != nil {
		s.tagged(tag, "NO", "", cmd+" bad mailbox")
		return
	}
	if isInbox(name) {
		name = inbox
	}
	if cmd == "SUBSCRIBE" {
		if _, err := s.ns.Stat(path.Join(s.boxDir(), file)); err != nil {
			s.tagged(tag, "NO", "NONEXISTENT", cmd+" mailbox does not exist")
			return
		}
	}
	lock, err := s.lock(subscribedFile)
	if err != nil {
		s.tagged(tag, "NO", "", cmd+" failed: "+err.Error())
		return
	}
	defer lock.Close()
	names, err := s.subscriptions()
	if err != nil {
		s.tagged(tag, "NO", "", cmd+" failed: "+err.Error())
		return
	}
	var out []string
	found := false
	for _, n := range names {
		if n == name {
			found = true
			if cmd == "UNSUBSCRIBE" {
				continue
			}
		}
		out = append(out, n)
	}
	if cmd == "SUBSCRIBE" && !found {
		out = append(out, name)
	}
	data := "#imap4 subscription list\n" + strings.Join(out, "\n")
	if len(out) > 0 {
		data += "\n"
	}
	// A new imap.subscribed gets imap4d's 0664 as create(5) masks it
	// with the mail directory's bits (spec §2.10).
	subs := path.Join(s.boxDir(), subscribedFile)
	if err := mailfs.WriteFile(s.ns, subs, []byte(data), mailfs.ModeIn(s.ns, subs, 0664)); err != nil {
		s.tagged(tag, "NO", "", cmd+" failed: "+err.Error())
		return
	}
	s.tagged(tag, "OK", "", cmd+" completed")
}

func (s *session) namespace(tag, cmd string) {
	if !s.dec.ExpectCRLF() {
		s.parseError(tag, cmd)
		return
	}
	s.enc.Atom(`* NAMESPACE (("" "/")) NIL NIL`).CRLF()
	s.tagged(tag, "OK", "", cmd+" completed")
}

// status runs STATUS (RFC 3501 §6.3.10). It gives new messages UIDs and
// writes the .imp as a SELECT would, but leaves \Recent for the next
// SELECT (spec §2.10).
func (s *session) status(tag, cmd string) {
	var name string
	var items []wire.StatusItem
	if !s.dec.ExpectSP() || !s.dec.ExpectMailbox(&name) || !s.dec.ExpectSP() ||
		!s.dec.ExpectStatusItems(&items) || !s.dec.ExpectCRLF() {
		s.parseError(tag, cmd)
		return
	}
	file, err := fileName(name, s.allowList(), false)
	if err != nil {
		s.tagged(tag, "NO", "", cmd+" bad mailbox")
		return
	}
	mb := s.sel
	if mb == nil || mb.file != file {
		if mb, err = s.openMailbox(name, file, false, true); err != nil {
			if ninep.IsNotExist(err) {
				s.tagged(tag, "NO", "NONEXISTENT", cmd+" mailbox does not exist")
				return
			}
			s.tagged(tag, "NO", "", cmd+" can't open mailbox: "+err.Error())
			return
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
		}
	}
	s.enc.Atom(")").CRLF()
	s.tagged(tag, "OK", "", cmd+" completed")
}
