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
	"p9mail/protocol/imap/wire"
	"p9mail/protocol/mailfs"
	"p9mail/upasfs"
)

func init() {
	register("CAPABILITY", (*session).capability, anyState...)
	register("NOOP", (*session).noop, anyState...)
	register("LOGOUT", (*session).logout, anyState...)
	register("ID", (*session).idCmd, anyState...)
	register("STARTTLS", (*session).starttls, notAuthenticated)
	register("LOGIN", (*session).loginCmd, notAuthenticated)
	register("AUTHENTICATE", (*session).authenticate, notAuthenticated)
}

// plainAllowed: clear-text passwords only with -p or under TLS (RFC
// 3501 §6.2.3, spec §5.9).
func (s *session) plainAllowed() bool { return s.cfg.AllowPlain || s.tls }

// capabilities lists what the server offers now (RFC 3501 §6.1.1).
func (s *session) capabilities() []string {
	caps := []string{"IMAP4rev1", "LITERAL+", "IDLE", "NAMESPACE", "UNSELECT", "UIDPLUS", "MOVE", "ID"}
	if s.state == notAuthenticated {
		if s.cfg.TLS != nil && !s.tls {
			caps = append(caps, "STARTTLS")
		}
		caps = append(caps, "AUTH=CRAM-MD5")
		if s.plainAllowed() {
			caps = append(caps, "AUTH=PLAIN", "AUTH=LOGIN")
		} else if !s.cfg.P9CR {
			caps = append(caps, "LOGINDISABLED")
		}
	}
	return caps
}

func (s *session) capability(tag, cmd string) {
	if !s.dec.ExpectCRLF() {
		s.parseError(tag, cmd)
		return
	}
	s.enc.Atom("* CAPABILITY ").Atom(strings.Join(s.capabilities(), " ")).CRLF()
	s.tagged(tag, "OK", "", "CAPABILITY completed")
}

func (s *session) noop(tag, cmd string) {
	if !s.dec.ExpectCRLF() {
		s.parseError(tag, cmd)
		return
	}
	if s.sel != nil {
		s.update(true)
	}
	s.ratify()
	s.tagged(tag, "OK", "", cmd+" completed")
}

// idCmd answers ID (RFC 2971) with the server's name only, and logs what
// the client says of itself.
func (s *session) idCmd(tag, cmd string) {
	var params []wire.IDParam
	if !s.dec.ExpectSP() || !s.dec.ExpectIDParams(&params) || !s.dec.ExpectCRLF() {
		s.parseError(tag, cmd)
		return
	}
	if len(params) > 0 {
		args := []any{"peer", s.peer}
		for _, p := range params {
			args = append(args, "client."+p.Field, p.Value)
		}
		s.cfg.Log.Info("imap id", args...)
	}
	s.enc.Atom(`* ID ("name" "p9mail imap4d")`).CRLF()
	s.tagged(tag, "OK", "", "ID completed")
}

// logout never expunges (decision 12).
func (s *session) logout(tag, cmd string) {
	if !s.dec.ExpectCRLF() {
		s.parseError(tag, cmd)
		return
	}
	s.untagged("BYE", "", "logging out")
	s.tagged(tag, "OK", "", "LOGOUT completed")
	s.state = logout
}

func (s *session) starttls(tag, cmd string) {
	if !s.dec.ExpectCRLF() {
		s.parseError(tag, cmd)
		return
	}
	switch {
	case s.cfg.TLS == nil:
		s.tagged(tag, "NO", "", "STARTTLS not available: no certificate")
		return
	case s.tls:
		s.tagged(tag, "BAD", "", "TLS already active")
		return
	case s.r.Buffered() > 0:
		// Commands pipelined after STARTTLS in the clear could be
		// injected into the TLS session: refuse (RFC 3501 §6.2.1).
		s.tagged(tag, "BAD", "", "data after STARTTLS")
		s.state = logout
		return
	}
	s.tagged(tag, "OK", "", "begin TLS negotiation now")
	s.w.Flush()
	tc := tls.Server(s.conn, s.cfg.TLS)
	tc.SetDeadline(time.Now().Add(time.Minute))
	if err := tc.Handshake(); err != nil {
		s.cfg.Log.Info("starttls handshake", "peer", s.peer, "err", err)
		s.state = logout
		return
	}
	tc.SetDeadline(time.Time{})
	s.tls = true
	s.setConn(tc)
}

// loginCmd: LOGIN user password (RFC 3501 §6.2.3), or Plan 9's
// challenge/response through LOGIN with -c (spec §2.3).
func (s *session) loginCmd(tag, cmd string) {
	var user, pass string
	if !s.dec.ExpectSP() || !s.dec.ExpectAString(&user) || !s.dec.ExpectSP() ||
		!s.dec.ExpectAString(&pass) || !s.dec.ExpectCRLF() {
		s.parseError(tag, cmd)
		return
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
			s.tagged(tag, "NO", "", "LOGIN answer the challenge with the encrypted response as password")
			return
		}
		delete(s.p9cr, user)
		s.authResult(tag, user, s.cfg.Keys.CheckP9CR(user, chal, pass))
	case !s.plainAllowed():
		s.tagged(tag, "NO", "PRIVACYREQUIRED", "LOGIN plaintext passwords disallowed; use STARTTLS or AUTHENTICATE CRAM-MD5")
	default:
		s.authResult(tag, user, s.cfg.Keys.CheckPassword(user, pass))
	}
}

// authenticate runs AUTHENTICATE mechanism [initial-response] (RFC
// 3501 §6.2.2, RFC 4959).
func (s *session) authenticate(tag, cmd string) {
	var mech, initial string
	if !s.dec.ExpectSP() || !s.dec.ExpectAtom(&mech) {
		s.parseError(tag, cmd)
		return
	}
	hasInitial := s.dec.SP()
	if hasInitial && !s.dec.ExpectAtom(&initial) || !s.dec.ExpectCRLF() {
		s.parseError(tag, cmd)
		return
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
		s.tagged(tag, "NO", "", fmt.Sprintf("%s unsupported authentication mechanism %s", cmd, sanitize(mech)))
		return
	}
	var resp []byte
	if hasInitial {
		var err error
		if resp, err = auth.DecodeInitial(initial); err != nil {
			s.tagged(tag, "BAD", "", cmd+" invalid base64 in initial response")
			return
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
		s.tagged(tag, "BAD", "", cmd+" authentication cancelled")
	case errors.Is(err, auth.ErrMalformed) && user == "":
		s.tagged(tag, "BAD", "", cmd+" malformed response")
	case err == nil && user == "":
		s.authResult(tag, "", errors.New("no user"))
	default:
		s.authResult(tag, user, err)
	}
}

// authResult finishes a login attempt whose credentials have been
// checked (err). The answer waits out the server-wide penalty of the
// user and of the client's address (auth.Throttle), right or wrong; a
// failure adds to it and sleeps it off. A client that hangs up or runs
// out of LoginTimeout meanwhile ends the session at once, giving up its
// slot. Past Delay.Limit failures the session ends (spec §3.2, §5.9).
func (s *session) authResult(tag, user string, err error) {
	s.flush()
	deadline, cancel := context.WithDeadline(context.Background(), s.loginBy)
	defer cancel()
	ctx, stop := protocol.WatchHangup(deadline, s.conn, s.r)
	defer stop()
	if e := s.cfg.Throttle.Admit(ctx, user, s.peer); errors.Is(e, auth.ErrThrottled) {
		s.untagged("BYE", "", "too many failed logins")
		s.tagged(tag, "NO", "UNAVAILABLE", e.Error())
		s.state = logout
		return
	} else if e != nil {
		s.waitEnded(deadline)
		return
	}
	if err == nil {
		if err = s.login(user); err != nil {
			s.cfg.Log.Warn("imap login", "user", user, "err", err)
			s.tagged(tag, "NO", "UNAVAILABLE", "cannot open your mail: "+err.Error())
			return
		}
		s.cfg.Log.Info("imap login", "user", user, "peer", s.peer)
		s.enc.Atom(tag).Atom(" OK ").BeginCode("CAPABILITY").SP().Atom(strings.Join(s.capabilities(), " ")).
			EndCode().SP().Text("authenticated as " + user).CRLF()
		return
	}
	s.failures++
	s.cfg.Log.Info("imap login failed", "user", sanitize(user), "peer", s.peer, "err", err)
	if e := auth.Sleep(ctx, s.cfg.Throttle.Fail(user, s.peer)); e != nil {
		s.waitEnded(deadline)
		return
	}
	if s.cfg.Delay.Limit > 0 && s.failures >= s.cfg.Delay.Limit {
		s.untagged("BYE", "", "too many failed logins")
		s.tagged(tag, "NO", "AUTHENTICATIONFAILED", "authentication failed")
		s.state = logout
		return
	}
	s.tagged(tag, "NO", "AUTHENTICATIONFAILED", "authentication failed")
}

// waitEnded ends a session whose login wait was cut short: by the
// login timeout (deadline done: say so) or by the client hanging up.
func (s *session) waitEnded(deadline context.Context) {
	if deadline.Err() != nil {
		s.untagged("BYE", "", "login timeout")
	}
	s.state = logout
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
