package pop3

import (
	"io"
	"strconv"
	"strings"
	"time"
)

// transaction handles the TRANSACTION state commands (RFC 1939 §5, §7)
// and Plan 9's SYNC (spec §3.4).
func (s *session) transaction(verb, arg string) {
	d := s.drop
	switch verb {
	case "STAT":
		n, size := d.stat()
		s.reply("+OK %d %d", n, size)
	case "LIST":
		if arg == "" {
			n, size := d.stat()
			s.reply("+OK %d message%s (%d octets)", n, plural(n), size)
			for i, m := range d.msgs {
				if !m.deleted {
					s.reply("%d %d", i+1, m.size)
				}
			}
			s.reply(".")
			return
		}
		if i, m := s.message(arg); m != nil {
			s.reply("+OK %d %d", i, m.size)
		}
	case "UIDL":
		if arg == "" {
			s.reply("+OK unique-id listing follows")
			for i, m := range d.msgs {
				if !m.deleted {
					s.reply("%d %s", i+1, m.uidl)
				}
			}
			s.reply(".")
			return
		}
		if i, m := s.message(arg); m != nil {
			s.reply("+OK %d %s", i, m.uidl)
		}
	case "RETR":
		if _, m := s.message(arg); m != nil {
			s.send(m, -1)
		}
	case "TOP":
		f := strings.Fields(arg)
		if len(f) != 2 {
			s.reply("-ERR TOP requires a message number and a line count")
			return
		}
		k, err := strconv.Atoi(f[1])
		if err != nil || k < 0 {
			s.reply("-ERR bad line count %s", sanitize(f[1]))
			return
		}
		if _, m := s.message(f[0]); m != nil {
			s.send(m, k)
		}
	case "DELE":
		if i, m := s.message(arg); m != nil {
			m.deleted = true
			s.reply("+OK message %d deleted", i)
		}
	case "RSET":
		d.reset()
		n, size := d.stat()
		s.reply("+OK maildrop has %d message%s (%d octets)", n, plural(n), size)
	case "SYNC":
		if err := d.commit(); err != nil {
			s.reply("-ERR [SYS/TEMP] error deleting messages: %v", err)
			return
		}
		s.reply("+OK")
	}
}

// message parses a message-number argument and returns the message, or
// replies with the error and returns nil.
func (s *session) message(arg string) (int, *message) {
	if arg == "" {
		s.reply("-ERR message number required")
		return 0, nil
	}
	n, err := strconv.Atoi(arg)
	if err != nil || strings.ContainsAny(arg, "+- ") {
		s.reply("-ERR bad message number %s", sanitize(arg))
		return 0, nil
	}
	if n >= 1 && n <= len(s.drop.msgs) && s.drop.msgs[n-1].deleted {
		s.reply("-ERR message %d already deleted", n)
		return 0, nil
	}
	m := s.drop.get(n)
	if m == nil {
		s.reply("-ERR no such message")
		return 0, nil
	}
	return n, m
}

// send streams message m, whole (lines < 0) or as TOP with that many
// body lines, dot-stuffed and terminated (RFC 1939 §3).
func (s *session) send(m *message, lines int) {
	r, err := s.drop.raw(m)
	if err != nil {
		s.reply("-ERR [SYS/TEMP] message disappeared: %v", err)
		return
	}
	defer r.Close()
	if lines < 0 {
		s.reply("+OK %d octets", m.size)
	} else {
		s.reply("+OK top of message follows")
	}
	ww := newWireWriter(s.w, true)
	s.conn.SetWriteDeadline(time.Now().Add(s.cfg.IdleTimeout))
	if lines < 0 {
		// Exactly the stored size: no read that only finds the end.
		bp := copyBufs.Get().(*[]byte)
		_, err = io.CopyBuffer(ww, io.LimitReader(r, m.stored), *bp)
		copyBufs.Put(bp)
		if err == nil {
			err = ww.finish()
		}
	} else {
		err = writeTop(ww, r, lines)
	}
	if err != nil {
		// The reply has begun: the only honest thing left is to hang up.
		s.cfg.Log.Warn("pop3 send", "user", s.drop.user, "err", err)
		s.quit = true
		return
	}
	s.w.WriteString(".\r\n")
	s.debugf("-> <message %d, %d octets>\n.\n", m.num, ww.n)
}
