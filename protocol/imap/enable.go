package imap

import (
	"slices"
	"strings"
)

// ENABLE (RFC 5161): a client turns on extensions that change how the
// server talks to it. The extensions that can be enabled are the
// entries of enableable, each registered by the file that implements
// it (registerEnable in its init); the session keeps the set it has
// turned on.

// An enableExt is an extension ENABLE can turn on.
type enableExt struct {
	// offered reports whether the session announces the extension now
	// (a configuration may leave it out); ENABLE turns on only those.
	offered func(s *session) bool
	// on, if not nil, runs when the session enables the extension
	// (once: ENABLE of an enabled extension does nothing).
	on func(s *session)
}

// enableable maps an upper-case capability name to its extension.
var enableable = map[string]enableExt{}

// registerEnable makes the capability name (any case) one ENABLE can
// turn on. It panics on a name registered twice: a programming error.
func registerEnable(name string, ext enableExt) {
	name = strings.ToUpper(name)
	if _, dup := enableable[name]; dup {
		panic("imap: ENABLE extension registered twice: " + name)
	}
	if ext.offered == nil {
		ext.offered = func(*session) bool { return true }
	}
	enableable[name] = ext
}

// isEnabled reports whether the session has enabled the capability
// name (upper case).
func (s *session) isEnabled(name string) bool { return s.enabled[name] }

// enable runs ENABLE capability *(SP capability). Allowed only in the
// authenticated state (RFC 5161 §3.1; commands.go). Names the server
// does not know or does not offer are ignored; the untagged ENABLED
// lists, in the order asked, those this command newly turned on, and
// is sent even when it lists none.
func (s *session) enable(tag, cmd string) error {
	if !s.dec.ExpectSP() {
		return s.parseError(cmd)
	}
	var names []string
	for {
		var n string
		if !s.dec.ExpectAtom(&n) {
			return s.parseError(cmd)
		}
		names = append(names, strings.ToUpper(n))
		if !s.dec.SP() {
			break
		}
	}
	if !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	var now []string
	for _, n := range names {
		ext, ok := enableable[n]
		if !ok || s.enabled[n] || slices.Contains(now, n) || !ext.offered(s) {
			continue
		}
		now = append(now, n)
	}
	for _, n := range now {
		if s.enabled == nil {
			s.enabled = map[string]bool{}
		}
		s.enabled[n] = true
		if on := enableable[n].on; on != nil {
			on(s)
		}
	}
	s.enc.Atom("* ENABLED")
	for _, n := range now {
		s.enc.SP().Atom(n)
	}
	s.enc.CRLF()
	return nil
}
