package imap

import (
	"p9mail/ninep"
	"p9mail/protocol/mailfs"
	"path"
	"strings"
)

const subscribedFile = "imap.subscribed"

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

// subscribe runs SUBSCRIBE and UNSUBSCRIBE (RFC 3501 §6.3.6, §6.3.7),
// editing imap.subscribed under the top-level lock (spec §2.10).
func (s *session) subscribe(tag, cmd string) error {
	var name string
	if !s.dec.ExpectSP() || !s.dec.ExpectMailbox(&name) || !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	file, err := fileName(name, s.allowList(), false)
	if err != nil {
		return no("CANNOT", cmd+" bad mailbox name")
	}
	if isInbox(name) {
		name = inbox
	}
	if cmd == "SUBSCRIBE" {
		if _, err := s.ns.Stat(path.Join(s.boxDir(), file)); err != nil {
			return no("NONEXISTENT", cmd+" mailbox does not exist")
		}
	}
	lock, err := s.lock(subscribedFile)
	if err != nil {
		return storeError(cmd, "failed", err)
	}
	defer lock.Close()
	names, err := s.subscriptions()
	if err != nil {
		return storeError(cmd, "failed", err)
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
		return storeError(cmd, "failed", err)
	}
	return nil
}
