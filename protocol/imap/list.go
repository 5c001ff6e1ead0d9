package imap

import (
	"path"
	"strings"

	"9fans.net/go/plan9"

	"p9mail/protocol/imap/wire"
)

// list runs LSUB (RFC 3501 §6.3.9) over the user's mail directory
// (decision 10); LIST is listCmd (listext.go).
func (s *session) list(tag, cmd string) error {
	var ref, pattern string
	if !s.dec.ExpectSP() || !s.dec.ExpectMailbox(&ref) || !s.dec.ExpectSP() ||
		!s.dec.ExpectListMailbox(&pattern) || !s.dec.ExpectCRLF() {
		if wire.IsBadMailbox(s.dec.Err()) {
			s.tagged(tag, "OK", "", cmd+" completed") // no mailbox has such a name
			return nil
		}
		return s.parseError(cmd)
	}
	s.update(true)
	full := pattern
	if ref != "" && !strings.HasPrefix(pattern, "/") {
		full = ref + pattern
	}
	for _, e := range strings.Split(full, "/") {
		if e == ".." || e == "." {
			return no("", cmd+" illegal mailbox pattern")
		}
	}
	if strings.HasPrefix(full, "/") {
		return no("", cmd+" illegal mailbox pattern")
	}
	entries, err := s.lsub(full)
	if err != nil {
		return no("", cmd+" failed: "+err.Error())
	}
	for _, e := range entries {
		s.enc.Atom("* " + cmd + " ").Flags(e.attrs).Atom(` "/" `).Mailbox(e.name).CRLF()
	}
	return nil
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
