package imap

func (s *session) namespace(tag, cmd string) error {
	if !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	s.enc.Atom(`* NAMESPACE (("" "/")) NIL NIL`).CRLF()
	return nil
}
