package imap

// moveMsgs runs MOVE and UID MOVE (RFC 6851): a COPY, then the
// messages copied are expunged from the selected mailbox, the COPYUID
// in an untagged OK before the EXPUNGE responses (§4.3). Each message
// is moved or left alone: the copies are committed before any original
// is deleted (§3.3).
func (s *session) moveMsgs(tag, cmd string, uid bool) error {
	targets, code, err := s.copyTargets(cmd, uid, true)
	if err != nil {
		return err
	}
	if code != "" {
		s.untagged("OK", code, "moved")
	}
	var nums []int
	for _, t := range targets {
		nums = append(nums, t.m.num)
	}
	if err := s.sel.expunge(nums); err != nil {
		return no("", cmd+" copied but could not expunge: "+err.Error())
	}
	s.update(true)
	return nil
}
