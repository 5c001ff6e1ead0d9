package imap

import (
	"errors"
	"path"
	"strings"
	"unicode/utf8"
)

// Mailbox names (spec §2.4, decisions 9–11). A name is a UTF-8 path
// with "/" as separator, relative to the user's mail directory; INBOX
// (any case) is the file "mbox".

var errBadName = errors.New("bad mailbox")

// inbox is the canonical name and file of the inbox (decision 9).
const (
	inbox     = "INBOX"
	inboxFile = "mbox"
)

// stopNames are the files in a mail directory that are never mailboxes
// (spec §2.4 okMbox), checked on the last path element.
var stopNames = map[string]bool{
	"mbox": true, "pipeto": true, "forward": true, "names": true, "pipefrom": true,
	"headers": true, "imap.ok": true, "imap.subscribed": true,
	"imap.specialuse": true, // its .imp would be specialUseFile
}

// okElem reports whether a path element may name a mailbox, by the
// stop-list of spec §2.4, or by the imap.ok allow-list when there is one.
func okElem(elem string, allow map[string]bool) bool {
	if allow != nil {
		return allow[strings.ToLower(elem)]
	}
	switch {
	case stopNames[elem],
		strings.HasPrefix(elem, "L."),
		strings.HasPrefix(elem, "imap-tmp."),
		strings.HasSuffix(elem, ".imp"),
		strings.HasSuffix(elem, ".tmp"),
		strings.HasSuffix(elem, ".lock"):
		return false
	}
	return true
}

// fileName maps a decoded IMAP mailbox name to its file, relative to
// the user's mail directory, refusing anything that could leave it
// (decision 11): "..", ".", empty elements, a leading "/", NUL, or an
// element the stop-list refuses. INBOX maps to mbox. A trailing "/"
// (a directory, for CREATE) is allowed when dir is true.
func fileName(name string, allow map[string]bool, dir bool) (string, error) {
	if strings.EqualFold(name, inbox) {
		return inboxFile, nil
	}
	if dir {
		name = strings.TrimSuffix(name, "/")
	}
	if name == "" || strings.HasPrefix(name, "/") || strings.ContainsAny(name, "\x00\r\n") ||
		!utf8.ValidString(name) || len(name)+len(".imp") > 255 {
		return "", errBadName
	}
	elems := strings.Split(name, "/")
	for _, e := range elems {
		if e == "" || e == "." || e == ".." {
			return "", errBadName
		}
	}
	if !okElem(elems[len(elems)-1], allow) {
		return "", errBadName
	}
	return path.Join(elems...), nil
}

// isInbox reports whether name is the inbox.
func isInbox(name string) bool { return strings.EqualFold(name, inbox) }

// allowList reads imap.ok, the allow-list that replaces the stop-list
// when present (spec §2.4); nil when there is none.
func (s *session) allowList() map[string]bool {
	data, err := s.ns.ReadFile(s.boxDir() + "/imap.ok")
	if err != nil || len(data) > 4096 {
		return nil
	}
	allow := map[string]bool{}
	for _, w := range strings.Fields(string(data)) {
		allow[strings.ToLower(w)] = true
	}
	return allow
}

// boxDir is the user's mail directory in the session's name space.
func (s *session) boxDir() string { return "/mail/box/" + s.user }
