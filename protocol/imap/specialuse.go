package imap

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"9fans.net/go/plan9"

	"p9mail/ninep"
	"p9mail/protocol/mailfs"
)

// Special-use mailboxes (RFC 6154). A user's Sent, Drafts, Trash, Junk
// and Archive mailboxes are named in specialUseFile in the mail
// directory, one "<attribute> <mailbox>" a line, written by CREATE
// ... (USE (...)) or by hand; '#' lines are comments. An attribute the
// file does not name goes to the top-level mailbox of its default name
// (specialUses), matched case-insensitively, if there is one. LIST
// shows the attributes; with Config.CreateSpecialUse the first login
// creates the mailboxes that are missing.

// specialUseFile ends in ".imp" so that Plan 9's imap4d never lists
// it (spec §2.4), and its stem is on the stop-list, so no mailbox can
// have it as its .imp. specialUseTemp is where a new one is written
// before it replaces the old (the "imap-tmp." prefix hides it too).
const (
	specialUseFile = "imap.specialuse.imp"
	specialUseTemp = "imap-tmp.imap.specialuse"
)

// specialUses are the attributes this server gives, in LIST's order,
// with the default name of each one's mailbox.
var specialUses = []struct{ attr, name string }{
	{`\Archive`, "Archive"}, {`\Drafts`, "Drafts"}, {`\Junk`, "Junk"},
	{`\Sent`, "Sent"}, {`\Trash`, "Trash"},
}

// canonicalUse returns the attribute use names in its canonical case,
// or "" when the server does not give it (RFC 6154's \All and
// \Flagged are virtual mailboxes it lacks).
func canonicalUse(use string) string {
	for _, u := range specialUses {
		if strings.EqualFold(u.attr, use) {
			return u.attr
		}
	}
	return ""
}

// readSpecialUse reads specialUseFile: attribute → mailbox name. A
// missing file, or one a crash left under specialUseTemp only, is read
// as what there is; exists reports whether there was either. Lines the
// server cannot use are skipped.
func (s *session) readSpecialUse() (uses map[string]string, exists bool, err error) {
	data, err := s.ns.ReadFile(path.Join(s.boxDir(), specialUseFile))
	if ninep.IsNotExist(err) {
		data, err = s.ns.ReadFile(path.Join(s.boxDir(), specialUseTemp))
	}
	if ninep.IsNotExist(err) {
		return map[string]string{}, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	uses = map[string]string{}
	for _, l := range strings.Split(string(data), "\n") {
		attr, name, ok := strings.Cut(strings.TrimSuffix(l, "\r"), " ")
		if !ok || strings.HasPrefix(l, "#") {
			continue
		}
		if a := canonicalUse(attr); a != "" && name != "" {
			if isInbox(name) {
				name = inbox
			}
			uses[a] = name
		}
	}
	return uses, true, nil
}

// writeSpecialUse replaces specialUseFile with uses. The caller holds
// the lock of the mail directory. The new file is written whole under
// specialUseTemp, the old one removed and the new one renamed into
// place (9P's wstat cannot rename over a file); readSpecialUse takes
// the temporary file when a crash left it alone, so a crash never
// leaves a cut file.
func (s *session) writeSpecialUse(uses map[string]string) error {
	var b strings.Builder
	b.WriteString("# special-use mailboxes (RFC 6154): attribute and mailbox name\n")
	for _, u := range specialUses {
		if n, ok := uses[u.attr]; ok {
			fmt.Fprintf(&b, "%s %s\n", u.attr, n)
		}
	}
	tmp, final := path.Join(s.boxDir(), specialUseTemp), path.Join(s.boxDir(), specialUseFile)
	// imap4d's 0664 for what it keeps in the mail directory, masked by
	// the directory's bits (spec §2.10).
	if err := mailfs.WriteFile(s.ns, tmp, []byte(b.String()), mailfs.ModeIn(s.ns, tmp, 0664)); err != nil {
		return fmt.Errorf("write special-use list: %w", err)
	}
	if err := s.ns.Remove(final); err != nil && !ninep.IsNotExist(err) {
		return fmt.Errorf("replace special-use list: %w", err)
	}
	d := plan9.Dir{}
	d.Null()
	d.Name = specialUseFile
	if err := s.ns.Wstat(tmp, &d); err != nil {
		return fmt.Errorf("rename special-use list: %w", err)
	}
	return nil
}

// specialUseMap resolves the attributes: mailbox name → its attributes
// in canonical order. A name from the file counts when that mailbox
// exists; an attribute the file leaves out takes the top-level mailbox
// of its default name in any case (the exact case first).
func (s *session) specialUseMap() (map[string][]string, error) {
	uses, _, err := s.readSpecialUse()
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	var top []*plan9.Dir
	topRead := false
	allow := s.allowList()
	for _, u := range specialUses {
		if n, ok := uses[u.attr]; ok {
			if s.mailboxExists(n, allow) {
				out[n] = append(out[n], u.attr)
			}
			continue
		}
		if !topRead {
			topRead = true
			if top, err = s.ns.ReadDir(s.boxDir()); err != nil {
				return nil, err
			}
			sort.Slice(top, func(i, j int) bool { return top[i].Name < top[j].Name })
		}
		if n := defaultUseBox(s, top, u.name, allow); n != "" {
			out[n] = append(out[n], u.attr)
		}
	}
	return out, nil
}

// defaultUseBox finds the top-level mailbox named name in any case
// among the mail directory's entries, the exact case first; "" if none.
func defaultUseBox(s *session, top []*plan9.Dir, name string, allow map[string]bool) string {
	found := ""
	for _, d := range top {
		if d.Qid.Type&plan9.QTDIR != 0 || !strings.EqualFold(d.Name, name) || !okElem(d.Name, allow) ||
			!isMboxFile(s.ns, path.Join(s.boxDir(), d.Name), d) {
			continue
		}
		if d.Name == name {
			return d.Name
		}
		if found == "" {
			found = d.Name
		}
	}
	return found
}

// mailboxExists reports whether name is a mailbox file (not a
// directory) of the user's.
func (s *session) mailboxExists(name string, allow map[string]bool) bool {
	if isInbox(name) {
		return true
	}
	file, err := fileName(name, allow, false)
	if err != nil {
		return false
	}
	d, err := s.ns.Stat(path.Join(s.boxDir(), file))
	return err == nil && d.Qid.Type&plan9.QTDIR == 0
}

// useAttrs checks CREATE's USE attributes (RFC 6154 §3) for the new
// mailbox name: each must be one the server gives and not already held
// by another mailbox. It returns them canonical, or the NO [USEATTR].
func (s *session) useAttrs(cmd, name string, use []string) ([]string, error) {
	if strings.HasSuffix(name, "/") {
		return nil, no("USEATTR", cmd+" a directory cannot have a special use")
	}
	held, err := s.specialUseMap()
	if err != nil {
		return nil, no("", cmd+" failed: "+err.Error())
	}
	var out []string
	for _, u := range use {
		a := canonicalUse(u)
		if a == "" {
			return nil, no("USEATTR", cmd+" special use "+sanitize(u)+" not supported")
		}
		for other, attrs := range held {
			for _, h := range attrs {
				if h == a && other != name {
					return nil, no("USEATTR", cmd+" "+a+" is already "+other)
				}
			}
		}
		out = append(out, a)
	}
	return out, nil
}

// setSpecialUse records name as the mailbox of each of attrs.
func (s *session) setSpecialUse(name string, attrs []string) error {
	if len(attrs) == 0 {
		return nil
	}
	return s.editSpecialUse(func(uses map[string]string) bool {
		for _, a := range attrs {
			uses[a] = name
		}
		return len(attrs) > 0
	})
}

// specialUseMoved follows a RENAME (to != "") or DELETE (to == "") of
// the mailbox or directory from in the special-use list. A failure is
// logged: the mailbox operation has happened.
func (s *session) specialUseMoved(from, to string) {
	dir := strings.TrimSuffix(from, "/") + "/"
	uses, _, err := s.readSpecialUse()
	named := false
	for _, n := range uses {
		named = named || n == from || strings.HasPrefix(n, dir)
	}
	if err == nil && !named {
		return // the common case: no lock taken
	}
	err = s.editSpecialUse(func(uses map[string]string) bool {
		changed := false
		for a, n := range uses {
			rest, under := strings.CutPrefix(n, dir)
			switch {
			case n == from && to == "", under && to == "":
				delete(uses, a)
			case n == from:
				uses[a] = to
			case under:
				uses[a] = strings.TrimSuffix(to, "/") + "/" + rest
			default:
				continue
			}
			changed = true
		}
		return changed
	})
	if err != nil {
		s.cfg.Log.Warn("imap special-use list", "user", s.user, "err", err)
	}
}

// editSpecialUse changes the special-use list under the mail
// directory's lock; edit reports whether it changed anything to write.
func (s *session) editSpecialUse(edit func(map[string]string) bool) error {
	lock, err := s.lock(specialUseFile)
	if err != nil {
		return err
	}
	defer lock.Close()
	uses, _, err := s.readSpecialUse()
	if err != nil {
		return err
	}
	if !edit(uses) {
		return nil
	}
	return s.writeSpecialUse(uses)
}

// createSpecialUse runs at login with Config.CreateSpecialUse: the
// first time (no special-use list yet), each attribute without a
// mailbox gets one of its default name, and the list records them
// all, which marks the work done. A crash before the list is written
// leaves mailboxes the next login finds and keeps.
func (s *session) createSpecialUse() error {
	if _, exists, err := s.readSpecialUse(); err != nil || exists {
		return err
	}
	held, err := s.specialUseMap()
	if err != nil {
		return err
	}
	uses := map[string]string{}
	for n, attrs := range held {
		for _, a := range attrs {
			uses[a] = n
		}
	}
	for _, u := range specialUses {
		if _, ok := uses[u.attr]; ok {
			continue
		}
		if _, err := s.ns.Stat(path.Join(s.boxDir(), u.name)); err == nil {
			continue // a directory of that name: no mailbox for it
		}
		f, err := mailfs.Create(s.ns, path.Join(s.boxDir(), u.name), plan9.OREAD, 0664) // spec §2.10
		if err == nil {
			err = f.Close()
		}
		if err != nil {
			return fmt.Errorf("create %s: %w", u.name, err)
		}
		uses[u.attr] = u.name
	}
	return s.editSpecialUse(func(m map[string]string) bool {
		for a, n := range uses {
			if _, ok := m[a]; !ok {
				m[a] = n
			}
		}
		return true
	})
}
