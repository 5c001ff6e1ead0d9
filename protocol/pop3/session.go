package pop3

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"time"

	"p9mail/ninep"
	"p9mail/protocol"
	"p9mail/protocol/auth"
)

// A session is one POP3 conversation (RFC 1939 §3).
type session struct {
	srv  *Server
	cfg  *Config
	conn net.Conn
	r    *bufio.Reader
	w    *bufio.Writer

	tls       bool
	challenge string    // of the greeting, for APOP (spec §3.2)
	user      string    // named by USER, waiting for PASS
	failures  int       // failed logins
	loginBy   time.Time // the end of LoginTimeout
	peer      netip.Addr
	drop      *maildrop // set once authenticated: TRANSACTION state
	quit      bool

	id  int64               // of the session's -d trace lines and log records
	rec protocol.SessionLog // the start and end records (docs/operations.md, "Logs")
}

var errLineTooLong = errors.New("line too long")

func newSession(srv *Server, c net.Conn) *session {
	s := &session{srv: srv, cfg: &srv.cfg, conn: c, id: srv.ids.Add(1)}
	s.loginBy = time.Now().Add(s.cfg.LoginTimeout)
	s.r = bufio.NewReaderSize(c, 4096)
	s.w = bufio.NewWriterSize(c, 32<<10)
	_, s.tls = c.(*tls.Conn)
	s.peer = srv.cfg.Peer
	if !s.peer.IsValid() {
		if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
			s.peer = ap.Addr().Unmap()
		}
	}
	s.rec = protocol.SessionLog{Log: s.cfg.Log, Proto: "pop3", ID: uint64(s.id), Peer: s.peer}
	return s
}

func (s *session) run() {
	s.rec.Start(s.conn)
	defer func() { s.rec.Finish(s.conn) }()
	defer func() {
		if s.drop != nil {
			s.drop.close() // no QUIT: nothing is deleted (RFC 1939 §6)
		}
	}()
	s.challenge = auth.NewChallenge(s.cfg.Domain)
	if s.cfg.Preauth != "" {
		if err := s.login(s.cfg.Preauth, s.cfg.PreauthBox); err != nil {
			s.reply("-ERR [SYS/TEMP] %v", err)
			s.flush()
			return
		}
	}
	s.reply("+OK POP3 server ready %s", s.challenge)
	for !s.quit {
		s.flush()
		line, err := s.readLine()
		if err == errLineTooLong {
			s.reply("-ERR line too long")
			continue
		}
		if err != nil {
			s.rec.End = protocol.EndHangup
			if errors.Is(err, protocol.ErrUntrustedProxy) {
				s.rec.End = protocol.EndError
			}
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				s.rec.End = protocol.EndTimeout
				if s.drop == nil {
					s.reply("-ERR login timeout")
				} else {
					s.reply("-ERR autologout: idle for too long")
				}
				s.flush()
			}
			return
		}
		s.command(line)
		if s.drop != nil {
			if err := ninep.Lost(s.drop.ns); err != nil {
				// The upasfs is gone: nothing could work any more. The
				// command has had its -ERR; end the session without
				// deleting anything (RFC 1939 §6).
				s.cfg.Log.Warn("pop3 lost upasfs", "session", s.id, "user", s.user, "err", err)
				s.quit = true
			}
		}
	}
	s.flush()
}

// readLine reads one command line without its CRLF (or bare LF). A
// line longer than MaxLine is consumed and reported as too long, never
// split into commands (spec §5.10).
func (s *session) readLine() (string, error) {
	deadline := time.Now().Add(s.cfg.IdleTimeout)
	if s.drop == nil && s.loginBy.Before(deadline) {
		deadline = s.loginBy // not logged in yet: LoginTimeout
	}
	s.conn.SetReadDeadline(deadline)
	var b []byte
	for {
		frag, err := s.r.ReadSlice('\n')
		if len(b)+len(frag) > s.cfg.MaxLine {
			for err == bufio.ErrBufferFull {
				_, err = s.r.ReadSlice('\n')
			}
			if err != nil {
				return "", err
			}
			s.debugf("%s", "<line too long>\n")
			return "", errLineTooLong
		}
		b = append(b, frag...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err == io.EOF && len(b) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return "", err
		}
		break
	}
	s.debugf("%s", b)
	line := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	return line, nil
}

// reply sends one response line; an -ERR line's paths are reduced to
// their last element (protocol.Scrub).
func (s *session) reply(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	if strings.HasPrefix(line, "-ERR") {
		line = protocol.Scrub(line)
	}
	s.debugf("-> %s\n", line)
	s.w.WriteString(line)
	s.w.WriteString("\r\n")
}

// flush sends what is buffered, unless more pipelined commands are
// already waiting (RFC 2449 PIPELINING).
func (s *session) flush() {
	if s.r.Buffered() > 0 && !s.quit {
		return
	}
	s.conn.SetWriteDeadline(time.Now().Add(s.cfg.IdleTimeout))
	s.w.Flush()
}

func (s *session) debugf(format string, args ...any) {
	if s.cfg.Debug == nil {
		return
	}
	s.srv.debugMu.Lock()
	fmt.Fprintf(s.cfg.Debug, "%d "+format, append([]any{s.id}, args...)...)
	s.srv.debugMu.Unlock()
}

// command dispatches one line (RFC 1939 §3: keywords are
// case-insensitive).
func (s *session) command(line string) {
	verb, arg, _ := strings.Cut(line, " ")
	verb = strings.ToUpper(verb)
	s.rec.Commands++
	switch verb {
	case "CAPA":
		s.capa()
		return
	case "QUIT":
		s.quitCmd()
		return
	case "NOOP":
		if s.drop != nil {
			s.reply("+OK")
			return
		}
	case "USER", "PASS", "APOP", "AUTH", "STLS":
		if s.drop != nil {
			s.reply("-ERR already authenticated")
			return
		}
		s.authCommand(verb, arg)
		return
	case "STAT", "LIST", "RETR", "DELE", "RSET", "TOP", "UIDL", "SYNC":
		if s.drop == nil {
			s.reply("-ERR %s requires authentication", verb)
			return
		}
		s.transaction(verb, arg)
		return
	}
	if verb == "" {
		s.reply("-ERR empty command")
		return
	}
	if verb == "NOOP" {
		s.reply("-ERR NOOP requires authentication")
		return
	}
	s.reply("-ERR unknown command %s", sanitize(verb))
}

// sanitize keeps a client's word printable and short in replies.
func sanitize(s string) string {
	if len(s) > 40 {
		s = s[:40]
	}
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

// plainAllowed reports whether clear-text passwords are accepted now:
// with -p, or once TLS protects them (RFC 2595 §2.1).
func (s *session) plainAllowed() bool { return s.cfg.AllowPlain || s.tls }

// capa lists the capabilities for the current state (RFC 2449 §5),
// without the original's bugs: STLS only with a certificate and before
// TLS, USER only when a clear-text password would be accepted
// (spec §5.10).
func (s *session) capa() {
	s.reply("+OK capability list follows")
	s.reply("TOP")
	if s.drop == nil && s.plainAllowed() {
		s.reply("USER")
	}
	if s.drop == nil {
		if s.plainAllowed() {
			s.reply("SASL CRAM-MD5 PLAIN LOGIN")
		} else {
			s.reply("SASL CRAM-MD5")
		}
	}
	s.reply("RESP-CODES")
	s.reply("AUTH-RESP-CODE")
	s.reply("PIPELINING")
	s.reply("UIDL")
	s.reply("EXPIRE NEVER")
	if s.drop == nil && s.cfg.TLS != nil && !s.tls {
		s.reply("STLS")
	}
	s.reply("IMPLEMENTATION p9mail")
	s.reply(".")
}

func (s *session) quitCmd() {
	s.quit = true
	s.rec.End = protocol.EndLogout
	if s.drop == nil {
		s.reply("+OK POP3 server signing off")
		return
	}
	// UPDATE state (RFC 1939 §6): commit the deletions.
	d := s.drop
	s.drop = nil
	err := d.commit()
	d.close()
	if err != nil {
		s.cfg.Log.Warn("pop3 commit", "user", d.user, "err", err)
		s.reply("-ERR [SYS/TEMP] some deleted messages not removed: %v", err)
		return
	}
	s.reply("+OK POP3 server signing off")
}
