package pop3

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/emersion/go-sasl"

	"p9mail/protocol"
	"p9mail/protocol/auth"
	"p9mail/protocol/mailfs"
)

// authCommand handles the AUTHORIZATION state commands (RFC 1939 §4,
// RFC 5034, RFC 2595).
func (s *session) authCommand(verb, arg string) {
	switch verb {
	case "USER":
		if arg == "" {
			s.reply("-ERR USER requires argument")
			return
		}
		s.user = arg
		s.reply("+OK")
	case "PASS":
		s.pass(arg)
	case "APOP":
		s.apop(arg)
	case "AUTH":
		s.authSASL(arg)
	case "STLS":
		s.stls()
	}
}

func (s *session) pass(arg string) {
	if !s.plainAllowed() {
		s.reply("-ERR [AUTH] password in the clear disallowed; use STLS or APOP")
		return
	}
	if s.user == "" {
		s.reply("-ERR USER first")
		return
	}
	user := s.user
	s.user = ""
	s.authResult(user, s.cfg.Keys.CheckPassword(user, arg))
}

// apop checks "APOP name digest" against the greeting's challenge
// (RFC 1939 §7, spec §3.2).
func (s *session) apop(arg string) {
	f := strings.Fields(arg)
	if len(f) != 2 {
		s.reply("-ERR APOP requires a name and a digest")
		return
	}
	s.authResult(f[0], s.cfg.Keys.CheckAPOP(f[0], s.challenge, f[1]))
}

// authSASL runs "AUTH mechanism [initial-response]" (RFC 5034 §4).
// AUTH alone lists the mechanisms, as many clients expect.
func (s *session) authSASL(arg string) {
	mechs := []string{"CRAM-MD5"}
	if s.plainAllowed() {
		mechs = append(mechs, "PLAIN", "LOGIN")
	}
	if arg == "" {
		s.reply("+OK")
		for _, m := range mechs {
			s.reply("%s", m)
		}
		s.reply(".")
		return
	}
	name, initial, hasInitial := strings.Cut(arg, " ")
	name = strings.ToUpper(name)
	var user string
	done := func(u string) { user = u }
	var srv sasl.Server
	switch {
	case name == "CRAM-MD5":
		srv = auth.NewCRAMMD5Server(s.cfg.Keys, auth.NewChallenge(s.cfg.Domain), done)
	case name == "PLAIN" && s.plainAllowed():
		srv = auth.NewPlainServer(s.cfg.Keys, done)
	case name == "LOGIN" && s.plainAllowed():
		srv = auth.NewLoginServer(s.cfg.Keys, done)
	default:
		s.reply("-ERR unsupported authentication mechanism %s", sanitize(name))
		return
	}
	var resp []byte
	if hasInitial {
		if initial != "=" {
			var err error
			if resp, err = base64.StdEncoding.DecodeString(initial); err != nil {
				s.reply("-ERR invalid base64 in initial response")
				return
			}
		} else {
			resp = []byte{}
		}
	}
	for {
		chal, finished, err := srv.Next(resp)
		if err != nil {
			s.authResult(user, err)
			return
		}
		if finished {
			break
		}
		s.reply("+ %s", base64.StdEncoding.EncodeToString(chal))
		s.flush()
		line, err := s.readLine()
		if err != nil {
			if err == errLineTooLong {
				s.reply("-ERR line too long")
				return
			}
			s.quit = true
			return
		}
		if line == "*" {
			s.reply("-ERR authentication cancelled")
			return
		}
		if resp, err = base64.StdEncoding.DecodeString(line); err != nil {
			s.reply("-ERR invalid base64 in response")
			return
		}
	}
	if user == "" {
		s.authResult("", errors.New("no user"))
		return
	}
	s.authResult(user, nil)
}

// stls starts TLS on the connection (RFC 2595 §4).
func (s *session) stls() {
	switch {
	case s.tls:
		s.reply("-ERR tls already started")
		return
	case s.cfg.TLS == nil:
		s.reply("-ERR don't have any tls credentials")
		return
	case s.r.Buffered() > 0:
		// Plaintext pipelined after STLS could be injected into the
		// TLS session (CVE-2011-0411 style): refuse.
		s.reply("-ERR data after STLS")
		s.quit = true
		return
	}
	s.reply("+OK Begin TLS negotiation")
	s.w.Flush()
	tc := tls.Server(s.conn, s.cfg.TLS)
	tc.SetDeadline(time.Now().Add(time.Minute))
	if err := tc.Handshake(); err != nil {
		s.cfg.Log.Info("stls handshake", "peer", s.peer, "err", err)
		s.quit = true
		return
	}
	tc.SetDeadline(time.Time{})
	s.conn, s.tls = tc, true
	s.r.Reset(tc)
	s.w.Reset(tc)
	s.user = "" // RFC 2595 §4: forget what was said in the clear
}

// authResult finishes a login attempt whose credentials have been
// checked (err). The answer waits out the server-wide penalty of the
// user and of the client's address (auth.Throttle), right or wrong; a
// failure adds to it and sleeps it off. A client that hangs up or runs
// out of LoginTimeout meanwhile ends the session at once, giving up its
// slot. Past Delay.Limit failures the session ends (spec §3.2).
func (s *session) authResult(user string, err error) {
	s.flush()
	deadline, cancel := context.WithDeadline(context.Background(), s.loginBy)
	defer cancel()
	ctx, stop := protocol.WatchHangup(deadline, s.conn, s.r)
	defer stop()
	if e := s.cfg.Throttle.Admit(ctx, user, s.peer); errors.Is(e, auth.ErrThrottled) {
		s.reply("-ERR [SYS/TEMP] %v", e)
		s.quit = true
		return
	} else if e != nil {
		s.waitEnded(deadline)
		return
	}
	if err == nil {
		s.loggedIn(user)
		return
	}
	s.failures++
	s.cfg.Log.Info("pop3 login failed", "session", s.id, "user", sanitize(user), "peer", s.peer, "err", err)
	if e := auth.Sleep(ctx, s.cfg.Throttle.Fail(user, s.peer)); e != nil {
		s.waitEnded(deadline)
		return
	}
	if s.cfg.Delay.Limit > 0 && s.failures >= s.cfg.Delay.Limit {
		s.reply("-ERR [AUTH] authentication failed; server exiting")
		s.quit = true
		return
	}
	s.reply("-ERR [AUTH] authentication failed")
}

// waitEnded ends a session whose login wait was cut short: by the
// login timeout (deadline done: say so) or by the client hanging up.
func (s *session) waitEnded(deadline context.Context) {
	s.rec.End = protocol.EndHangup
	if deadline.Err() != nil {
		s.reply("-ERR login timeout")
		s.rec.End = protocol.EndTimeout
	}
	s.quit = true
}

// loggedIn opens the maildrop of a user whose credentials are good.
func (s *session) loggedIn(user string) {
	err := s.login(user, "mbox")
	switch {
	case errors.Is(err, errInUse):
		s.reply("-ERR [IN-USE] maildrop is locked by another session")
		return
	case err != nil:
		s.cfg.Log.Warn("pop3 maildrop", "user", user, "err", err)
		s.reply("-ERR [SYS/TEMP] cannot open maildrop: %v", err)
		return
	}
	if s.cfg.RatifyDir != "" && s.peer.IsValid() {
		if err := auth.Ratify(s.cfg.RatifyDir, s.peer); err != nil {
			s.cfg.Log.Warn("pop3 ratify", "peer", s.peer, "err", err)
		}
	}
	s.cfg.Log.Info("pop3 login", "session", s.id, "user", user, "peer", s.peer)
	s.rec.User = user
	n, size := s.drop.stat()
	s.reply("+OK mailbox is %s has %d message%s (%d octets)", mailfs.MboxPath(user, s.drop.file), n, plural(n), size)
}

// login opens user's mailbox file as the session's maildrop.
func (s *session) login(user, file string) error {
	d, err := openMaildrop(s.srv, user, file)
	if err != nil {
		return err
	}
	s.drop = d
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
