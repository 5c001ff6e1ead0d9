package imap

import (
	"path"
	"sort"
	"strings"

	"9fans.net/go/plan9"

	"p9mail/ninep"
	"p9mail/protocol/imap/wire"
)

// listCmd runs LIST (RFC 3501 §6.3.8) with LIST-EXTENDED's selection
// and return options and patterns (RFC 5258), CHILDREN's attributes
// (RFC 3348), LIST-STATUS (RFC 5819) and SPECIAL-USE (RFC 6154), over
// the user's mail directory (decision 10). Directories are \Noselect
// with \HasChildren or \HasNoChildren; mailbox files are \Noinferiors,
// which implies \HasNoChildren (RFC 5258 §4). Special-use attributes
// are always given (RFC 6154 §2 lets the server). REMOTE changes
// nothing: there are no remote mailboxes.
func (s *session) listCmd(tag, cmd string) error {
	var l wire.List
	if !s.dec.ExpectSP() || !s.dec.ExpectList(&l) || !s.dec.ExpectCRLF() {
		if wire.IsBadMailbox(s.dec.Err()) {
			s.tagged(tag, "OK", "", cmd+" completed") // no mailbox has such a name
			return nil
		}
		return s.parseError(cmd)
	}
	s.update(true)
	if !l.Extended && l.Patterns[0] == "" {
		root := ""
		if i := strings.Index(l.Ref, "/"); i >= 0 {
			root = l.Ref[:i+1]
		}
		s.enc.Atom("* LIST ").Flags([]string{`\Noselect`}).Atom(` "/" `).Mailbox(root).CRLF()
		return nil
	}
	var pats []string
	for _, p := range l.Patterns {
		full := p
		if l.Ref != "" && !strings.HasPrefix(p, "/") {
			full = l.Ref + p
		}
		if strings.HasPrefix(full, "/") || slicesHasDots(full) {
			return no("", cmd+" illegal mailbox pattern")
		}
		if full != "" {
			pats = append(pats, full)
		}
	}
	items, err := s.listItems(l, pats)
	if err != nil {
		return no("", cmd+" failed: "+err.Error())
	}
	for _, it := range items {
		s.enc.Atom("* LIST ").Flags(it.attrs).Atom(` "/" `).Mailbox(it.name)
		if len(it.childInfo) > 0 {
			s.enc.Atom(` ("CHILDINFO" (`)
			for i, c := range it.childInfo {
				if i > 0 {
					s.enc.SP()
				}
				s.enc.Quoted(c)
			}
			s.enc.Atom("))")
		}
		s.enc.CRLF()
		if l.Status != nil && it.selectable {
			// A mailbox that cannot be opened just has no STATUS
			// (RFC 5819 §2 lets the server leave it out).
			if file, err := fileName(it.name, s.allowList(), false); err == nil {
				if err := s.statusOf(it.name, file, l.Status); err != nil {
					s.cfg.Log.Info("imap list-status", "user", s.user, "box", it.name, "err", err)
				}
			}
		}
	}
	return nil
}

// slicesHasDots reports whether a pattern has a "." or ".." element.
func slicesHasDots(p string) bool {
	for _, e := range strings.Split(p, "/") {
		if e == ".." || e == "." {
			return true
		}
	}
	return false
}

// A listItem is one LIST response.
type listItem struct {
	name       string
	attrs      []string
	childInfo  []string // RFC 5258 §3.5 CHILDINFO
	selectable bool     // a mailbox file (STATUS can be asked)
	dir        bool
}

// matchAny reports whether name matches one of the patterns, INBOX in
// any case as the one name that is case-insensitive.
func matchAny(pats []string, name string) bool {
	for _, p := range pats {
		if match(p, name) || name == inbox && match(strings.ToUpper(p), inbox) {
			return true
		}
	}
	return false
}

// listItems gathers LIST's answer in order: INBOX first, then by name.
func (s *session) listItems(l wire.List, pats []string) ([]listItem, error) {
	selSubscribed := wire.Has(l.Selection, "SUBSCRIBED")
	selSpecial := wire.Has(l.Selection, "SPECIAL-USE")
	recursive := wire.Has(l.Selection, "RECURSIVEMATCH")
	retSubscribed := selSubscribed || wire.Has(l.Return, "SUBSCRIBED")
	special, err := s.specialUseMap()
	if err != nil {
		return nil, err
	}
	subscribed := map[string]bool{}
	var subs []string
	if retSubscribed {
		if subs, err = s.subscriptions(); err != nil {
			return nil, err
		}
		for i, n := range subs {
			if isInbox(n) {
				subs[i] = inbox
			}
			subscribed[subs[i]] = true
		}
	}
	allow := s.allowList()
	var items []listItem
	seen := map[string]int{}
	add := func(it listItem) {
		if _, dup := seen[it.name]; !dup {
			seen[it.name] = len(items)
			items = append(items, it)
		}
	}
	if selSubscribed {
		for _, n := range subs {
			if !matchAny(pats, n) {
				continue
			}
			it := s.describe(n, allow)
			if selSpecial && len(special[n]) == 0 {
				continue
			}
			add(it)
		}
		if recursive {
			// A name the patterns match gets CHILDINFO when a
			// subscribed name below it is one they do not.
			for _, n := range subs {
				if matchAny(pats, n) || selSpecial && len(special[n]) == 0 {
					continue
				}
				elems := strings.Split(n, "/")
				for i := 1; i < len(elems); i++ {
					p := strings.Join(elems[:i], "/")
					if !matchAny(pats, p) {
						continue
					}
					if _, ok := seen[p]; !ok {
						add(s.describe(p, allow))
					}
					it := &items[seen[p]]
					if len(it.childInfo) == 0 {
						it.childInfo = []string{"SUBSCRIBED"}
					}
				}
			}
		}
	} else {
		for _, p := range pats {
			entries, err := walkMailboxes(s.ns, s.boxDir(), p, allow)
			if err != nil {
				return nil, err
			}
			for _, e := range entries {
				if selSpecial && len(special[e.name]) == 0 {
					continue
				}
				it := listItem{name: e.name, attrs: e.attrs}
				it.dir = len(e.attrs) > 0 && e.attrs[0] == `\Noselect`
				it.selectable = !it.dir
				add(it)
			}
		}
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i].name, items[j].name
		if a == inbox || b == inbox {
			return a == inbox && b != inbox
		}
		return a < b
	})
	// A directory with a listed name below it has children without a
	// look (LIST "" * lists them all).
	parents := map[string]bool{}
	for _, it := range items {
		if i := strings.LastIndexByte(it.name, '/'); i > 0 && it.attrs[0] != `\NonExistent` {
			parents[it.name[:i]] = true
		}
	}
	for i := range items {
		it := &items[i]
		if it.dir {
			if parents[it.name] || s.hasChildren(it.name, allow) {
				it.attrs = append(it.attrs, `\HasChildren`)
			} else {
				it.attrs = append(it.attrs, `\HasNoChildren`)
			}
		}
		if retSubscribed && subscribed[it.name] {
			it.attrs = append(it.attrs, `\Subscribed`)
		}
		it.attrs = append(it.attrs, special[it.name]...)
	}
	return items, nil
}

// describe gives the attributes of a name LIST shows though the walk
// did not find it (a subscribed name): INBOX and mailbox files as the
// walk shows them, directories \Noselect, anything else \NonExistent
// (RFC 5258 §3.4).
func (s *session) describe(name string, allow map[string]bool) listItem {
	if name == inbox {
		return listItem{name: name, attrs: []string{`\Noinferiors`}, selectable: true}
	}
	file, err := fileName(name, allow, false)
	if err != nil {
		return listItem{name: name, attrs: []string{`\NonExistent`}}
	}
	full := path.Join(s.boxDir(), file)
	d, err := s.ns.Stat(full)
	switch {
	case err != nil:
		return listItem{name: name, attrs: []string{`\NonExistent`}}
	case d.Qid.Type&plan9.QTDIR != 0:
		return listItem{name: name, attrs: []string{`\Noselect`}, dir: true}
	case !isMboxFile(s.ns, full, d):
		return listItem{name: name, attrs: []string{`\NonExistent`}}
	}
	attrs := []string{`\Noinferiors`}
	if imp, err := s.ns.Stat(full + ".imp"); err != nil || imp.Mtime < d.Mtime {
		attrs = append(attrs, `\Marked`)
	}
	return listItem{name: name, attrs: attrs, selectable: true}
}

// hasChildren reports whether the directory name holds anything LIST
// would show: a directory or a mailbox file.
func (s *session) hasChildren(name string, allow map[string]bool) bool {
	file, err := fileName(name, nil, false)
	if err != nil {
		return false
	}
	dir := path.Join(s.boxDir(), file)
	ents, err := s.ns.ReadDir(dir)
	if err != nil {
		if !ninep.IsNotExist(err) {
			s.cfg.Log.Info("imap list children", "user", s.user, "dir", name, "err", err)
		}
		return false
	}
	for _, d := range ents {
		if d.Qid.Type&plan9.QTDIR != 0 {
			if !strings.HasPrefix(d.Name, ".") {
				return true
			}
			continue
		}
		if okElem(d.Name, allow) && isMboxFile(s.ns, path.Join(dir, d.Name), d) {
			return true
		}
	}
	return false
}
