package imap

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-sasl"

	"p9mail/protocol"
	"p9mail/protocol/auth"
	"p9mail/protocol/mailfs"
	"p9mail/upasfs"
)

// plainAllowed: clear-text passwords only with -p or under TLS (RFC
// 3501 §6.2.3, spec §5.9).
func (s *session) plainAllowed() bool { return s.cfg.AllowPlain || s.tls }

func (s *session) starttls(tag, cmd string) error {
	if !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	switch {
	case s.cfg.TLS == nil:
		return no("", "STARTTLS not available: no certificate")
	case s.tls:
		return bad("", "TLS already active")
	case s.r.Buffered() > 0:
		// Commands pipelined after STARTTLS in the clear could be
		// injected into the TLS session: refuse (RFC 3501 §6.2.1).
		s.state = logout
		return bad("", "data after STARTTLS")
	}
	s.tagged(tag, "OK", "", "begin TLS negotiation now")
	s.w.Flush()
	tc := tls.Server(s.conn, s.cfg.TLS)
	tc.SetDeadline(time.Now().Add(time.Minute))
	if err := tc.Handshake(); err != nil {
		s.cfg.Log.Info("starttls handshake", "peer", s.peer, "err", err)
		s.state = logout
		return nil
	}
	tc.SetDeadline(time.Time{})
	s.tls = true
	s.setConn(tc)
	return nil
}

// loginCmd: LOGIN user password (RFC 3501 §6.2.3), or Plan 9's
// challenge/response through LOGIN with -c (spec §2.3).
func (s *session) loginCmd(tag, cmd string) error {
	var user, pass string
	if !s.dec.ExpectSP() || !s.dec.ExpectAString(&user) || !s.dec.ExpectSP() ||
		!s.dec.ExpectAString(&pass) || !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	switch {
	case s.cfg.P9CR && !s.plainAllowed():
		chal, ok := s.p9cr[user]
		if !ok {
			chal = auth.NewP9CRChallenge()
			if s.p9cr == nil {
				s.p9cr = map[string]string{}
			}
			s.p9cr[user] = chal
			s.untagged("NO", "ALERT", " encrypt challenge: "+chal)
			return no("", "LOGIN answer the challenge with the encrypted response as password")
		}
		delete(s.p9cr, user)
		return s.authResult(tag, user, s.cfg.Keys.CheckP9CR(user, chal, pass))
	case !s.plainAllowed():
		return no("PRIVACYREQUIRED", "LOGIN plaintext passwords disallowed; use STARTTLS or AUTHENTICATE CRAM-MD5")
	}
	return s.authResult(tag, user, s.cfg.Keys.CheckPassword(user, pass))
}

// authenticate runs AUTHENTICATE mechanism [initial-response] (RFC
// 3501 §6.2.2, RFC 4959).
func (s *session) authenticate(tag, cmd string) error {
	var mech, initial string
	if !s.dec.ExpectSP() || !s.dec.ExpectAtom(&mech) {
		return s.parseError(cmd)
	}
	// mutt (through Cyrus SASL) sends "AUTHENTICATE CRAM-MD5 " when
	// SASL-IR is announced and the mechanism has no initial response:
	// a space before the line end is taken as no initial response.
	hasInitial := s.dec.SP() && !s.dec.AtEOL()
	if hasInitial && !s.dec.ExpectAtom(&initial) || !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	var user string
	done := func(u string) { user = u }
	var srv sasl.Server
	switch m := strings.ToUpper(mech); {
	case m == "CRAM-MD5":
		srv = auth.NewCRAMMD5Server(s.cfg.Keys, auth.NewChallenge(s.cfg.MailDomain), done)
	case m == "PLAIN" && s.plainAllowed():
		srv = auth.NewPlainServer(s.cfg.Keys, done)
	case m == "LOGIN" && s.plainAllowed():
		srv = auth.NewLoginServer(s.cfg.Keys, done)
	default:
		return no("", fmt.Sprintf("%s unsupported authentication mechanism %s", cmd, sanitize(mech)))
	}
	var resp []byte
	if hasInitial {
		var err error
		if resp, err = auth.DecodeInitial(initial); err != nil {
			return bad("", cmd+" invalid base64 in initial response")
		}
	}
	err := auth.Converse(srv, resp, func(chal string) error {
		s.w.WriteString("+ " + chal + "\r\n")
		return s.w.Flush()
	}, func() (string, error) {
		var line string
		if err := s.dec.Next(); err != nil {
			return "", err
		}
		if !s.dec.ExpectLine(&line) {
			return "", s.dec.Err()
		}
		return line, nil
	})
	switch {
	case errors.Is(err, auth.ErrCancelled):
		return bad("", cmd+" authentication cancelled")
	case errors.Is(err, auth.ErrMalformed) && user == "":
		return bad("", cmd+" malformed response")
	case err == nil && user == "":
		return s.authResult(tag, "", errors.New("no user"))
	}
	return s.authResult(tag, user, err)
}

// authResult finishes a login attempt whose credentials have been
// checked (err). The answer waits out the server-wide penalty of the
// user and of the client's address (auth.Throttle), right or wrong; a
// failure adds to it and sleeps it off. A client that hangs up or runs
// out of LoginTimeout meanwhile ends the session at once, giving up its
// slot. Past Delay.Limit failures the session ends (spec §3.2, §5.9).
// It returns the command's result.
func (s *session) authResult(tag, user string, err error) error {
	s.flush()
	deadline, cancel := context.WithDeadline(context.Background(), s.loginBy)
	defer cancel()
	ctx, stop := protocol.WatchHangup(deadline, s.conn, s.r)
	defer stop()
	if e := s.cfg.Throttle.Admit(ctx, user, s.peer); errors.Is(e, auth.ErrThrottled) {
		s.untagged("BYE", "", "too many failed logins")
		s.state = logout
		return no("UNAVAILABLE", e.Error())
	} else if e != nil {
		return s.waitEnded(deadline)
	}
	if err == nil {
		if err = s.login(user); err != nil {
			s.cfg.Log.Warn("imap login", "user", user, "err", err)
			return no("UNAVAILABLE", "cannot open your mail: "+err.Error())
		}
		s.cfg.Log.Info("imap login", "session", s.id, "user", user, "peer", s.peer)
		s.tagged(tag, "OK", "CAPABILITY "+strings.Join(s.capabilities(), " "), "authenticated as "+user)
		return nil
	}
	s.failures++
	s.cfg.Log.Info("imap login failed", "session", s.id, "user", sanitize(user), "peer", s.peer, "err", err)
	if e := auth.Sleep(ctx, s.cfg.Throttle.Fail(user, s.peer)); e != nil {
		return s.waitEnded(deadline)
	}
	if s.cfg.Delay.Limit > 0 && s.failures >= s.cfg.Delay.Limit {
		s.untagged("BYE", "", "too many failed logins")
		s.state = logout
	}
	return no("AUTHENTICATIONFAILED", "authentication failed")
}

// waitEnded ends a session whose login wait was cut short: by the
// login timeout (deadline done: say so) or by the client hanging up.
// The command gets no tagged reply.
func (s *session) waitEnded(deadline context.Context) error {
	s.rec.End = protocol.EndHangup
	if deadline.Err() != nil {
		s.untagged("BYE", "", "login timeout")
		s.rec.End = protocol.EndTimeout
	}
	s.state = logout
	return errNoReply
}

// login opens user's name space: the session is authenticated.
func (s *session) login(user string) error {
	ns, err := s.cfg.Source.Namespace(user)
	if err != nil {
		return err
	}
	s.ns, s.user, s.state = ns, user, authenticated
	s.dec.SetLimits(s.limits())
	s.fs = upasfs.New(ns, mailfs.FSDir)
	s.ratify()
	if s.cfg.CreateSpecialUse {
		if err := s.createSpecialUse(); err != nil {
			s.cfg.Log.Warn("imap special-use mailboxes", "user", user, "err", err)
		}
	}
	return nil
}

// ratify refreshes the peer's SMTP relay permission (spec §2.12).
func (s *session) ratify() {
	if s.cfg.RatifyDir == "" || !s.peer.IsValid() || s.user == "" {
		return
	}
	if err := auth.Ratify(s.cfg.RatifyDir, s.peer); err != nil {
		s.cfg.Log.Warn("imap ratify", "peer", s.peer, "err", err)
	}
}
