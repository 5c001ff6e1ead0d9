package imap

// closeCmd: CLOSE expunges (unless read-only) and deselects (RFC 3501
// §6.4.2); UNSELECT only deselects (RFC 3691).
func (s *session) closeCmd(tag, cmd string) error {
	if !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	mb := s.sel
	if cmd == "CLOSE" && !mb.readOnly {
		if err := mb.expungeDeleted(nil); err != nil {
			s.cfg.Log.Warn("imap close expunge", "user", s.user, "err", err)
		}
	}
	mb.close()
	s.sel, s.state = nil, authenticated
	return nil
}
