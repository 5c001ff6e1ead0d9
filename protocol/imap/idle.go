package imap

import (
	"strings"
	"time"
)

// idle runs IDLE (RFC 2177): the mailbox is checked every IdlePoll
// and changes are sent at once, until the client sends DONE. The
// autologout timer still runs (RFC 2177 §3: clients re-issue IDLE).
func (s *session) idle(tag, cmd string) error {
	if !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	s.w.WriteString("+ idling, waiting for DONE\r\n")
	s.update(true)
	s.w.Flush()
	lines := make(chan string, 1)
	errs := make(chan error, 1)
	s.conn.SetReadDeadline(time.Now().Add(s.cfg.IdleTimeout))
	go func() {
		line, err := s.r.ReadString('\n')
		if err != nil {
			errs <- err
			return
		}
		lines <- line
	}()
	tick := time.NewTicker(s.cfg.IdlePoll)
	defer tick.Stop()
	for {
		select {
		case line := <-lines:
			if !strings.EqualFold(strings.TrimRight(line, "\r\n"), "DONE") {
				return bad("", "IDLE expected DONE")
			}
			s.tagged(tag, "OK", "", "IDLE terminated")
			return nil
		case err := <-errs:
			s.hangup(err)
			return errNoReply
		case <-tick.C:
			s.update(true)
			s.ratify()
			s.w.Flush()
		}
	}
}
