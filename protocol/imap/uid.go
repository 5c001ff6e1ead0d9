package imap

// uidCmd dispatches UID COPY, FETCH, SEARCH, STORE, EXPUNGE, MOVE
// (RFC 3501 §6.4.8, RFC 4315 §2.1, RFC 6851).
func (s *session) uidCmd(tag, cmd string) error {
	var sub string
	if !s.dec.ExpectSP() || !s.dec.ExpectCommand(&sub) {
		return s.parseError(cmd)
	}
	sub = upper(sub)
	run, ok := uidCommands[sub]
	if !ok {
		return bad("", "UID illegal uid command "+sanitize(sub))
	}
	s.reply(tag, "UID "+sub, run(s, tag, "UID "+sub))
	return errNoReply // replied as "UID <command>"
}
