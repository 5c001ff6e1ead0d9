package imap

// XPANIC, for the tests only, takes this server's turn at the INBOX's
// lock, as a mailbox write would, and panics: dispatch must end that
// session alone and the lock must be released on the way out.
func init() {
	commands["XPANIC"] = command{authed, func(s *session, tag, cmd string) error {
		if !s.dec.ExpectCRLF() {
			return s.parseError(cmd)
		}
		release, err := s.queue("mbox")
		if err != nil {
			return err
		}
		defer release()
		panic("XPANIC")
	}}
}

// Loads is how many message structures the server has loaded from
// upasfs (not from its caches or index).
func (s *Server) Loads() int64 { return s.loads.Load() }

// MaxStructs is the bound of the in-memory structure cache.
func (s *Server) MaxStructs() int {
	if s.cache.max > 0 {
		return s.cache.max
	}
	return maxStructs
}

// SetFront bounds the in-memory structure cache.
func (s *Server) SetFront(n int) { s.cache.max = n }

// Searched reports how many messages srv's SEARCHes have looked at.
func Searched(srv *Server) int64 { return srv.searched.Load() }

// Two extensions ENABLE knows in tests only (enable.txt): one offered,
// one not, until the next issue registers real ones. XENABLED reports
// whether the session has enabled X-P9-TEST.
func init() {
	registerEnable("X-P9-TEST", enableExt{})
	registerEnable("X-P9-OFF", enableExt{offered: func(*session) bool { return false }})
	commands["XENABLED"] = command{authed, func(s *session, tag, cmd string) error {
		if !s.dec.ExpectCRLF() {
			return s.parseError(cmd)
		}
		s.enc.Atom("* XENABLED ").Atom(map[bool]string{true: "X-P9-TEST", false: "NONE"}[s.isEnabled("X-P9-TEST")]).CRLF()
		return nil
	}}
}
