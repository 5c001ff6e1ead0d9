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
