package imap

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"p9mail/ninep"
	"p9mail/protocol"
	"p9mail/protocol/imap/wire"
	"p9mail/upasfs"
)

type state int

const (
	notAuthenticated state = iota
	authenticated
	selected
	logout
)

// A session is one IMAP connection (RFC 3501 §3).
type session struct {
	srv  *Server
	cfg  *Config
	id   int64
	conn net.Conn
	r    *bufio.Reader
	w    *bufio.Writer
	dec  *wire.Decoder
	enc  *wire.Encoder
	tls  bool
	peer netip.Addr

	state    state
	user     string
	ns       *ninep.NS
	fs       *upasfs.Client
	boxSeq   int
	sel      *mailbox
	failures int
	loginBy  time.Time         // the end of LoginTimeout
	replied  bool              // the command at hand has had its tagged reply
	p9cr     map[string]string // user → outstanding p9cr challenge (spec §2.3)
	turns    map[string]int    // lock queue key → times this session holds its turn (lock.go)
	enabled  map[string]bool   // extensions ENABLE turned on (enable.go)

	rec protocol.SessionLog // the start and end records (docs/operations.md, "Logs")
}

func newSession(srv *Server, c net.Conn) *session {
	s := &session{srv: srv, cfg: &srv.cfg, conn: c, id: srv.ids.Add(1)}
	s.loginBy = time.Now().Add(s.cfg.LoginTimeout)
	_, s.tls = c.(*tls.Conn)
	s.peer = srv.cfg.Peer
	if !s.peer.IsValid() {
		if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
			s.peer = ap.Addr().Unmap()
		}
	}
	s.setConn(c)
	s.rec = protocol.SessionLog{Log: s.cfg.Log, Proto: "imap", ID: uint64(s.id), Peer: s.peer}
	return s
}

// setConn (re)builds the reader, writer, decoder and encoder on c (at
// the start and after STARTTLS).
func (s *session) setConn(c net.Conn) {
	s.conn = c
	var rw io.ReadWriter = c
	if s.cfg.Debug != nil {
		rw = debugConn{c, s}
	}
	s.r = bufio.NewReaderSize(rw, 16<<10)
	s.w = bufio.NewWriterSize(rw, 32<<10)
	s.dec = wire.NewDecoder(s.r, wire.Options{
		Limits:      s.limits(),
		LiteralPlus: true,
		Continue: func() error {
			s.w.WriteString("+ Ready for literal data\r\n")
			return s.w.Flush()
		},
	})
	s.enc = wire.NewEncoder(s.w)
}

// limits are the decoder's limits in the session's state: small until
// the client has logged in, so that nobody without an account can make
// the server hold more than a few KiB per connection.
func (s *session) limits() wire.Limits {
	if s.state == notAuthenticated {
		l := wire.Limits{MaxLine: min(s.cfg.MaxLine, s.cfg.MaxPreauthLine),
			MaxLiteral: min(s.cfg.MaxLiteral, s.cfg.MaxPreauthLiteral)}
		if s.literalCap() == "LITERAL-" {
			l.MaxNonSync = literalMinus
		}
		return l
	}
	return wire.Limits{MaxLine: s.cfg.MaxLine, MaxLiteral: s.cfg.MaxLiteral, MaxHeld: s.cfg.MaxStrings}
}

// debugConn copies the conversation to Config.Debug: client bytes as
// read, server bytes prefixed "-> ", each with the session's id.
type debugConn struct {
	c net.Conn
	s *session
}

func (d debugConn) Read(p []byte) (int, error) {
	n, err := d.c.Read(p)
	d.log("", p[:n])
	return n, err
}

func (d debugConn) Write(p []byte) (int, error) {
	d.log("-> ", p)
	return d.c.Write(p)
}

func (d debugConn) log(prefix string, p []byte) {
	if len(p) == 0 {
		return
	}
	d.s.srv.debugMu.Lock()
	defer d.s.srv.debugMu.Unlock()
	fmt.Fprintf(d.s.cfg.Debug, "%d %s%q\n", d.s.id, prefix, p)
}

func (s *session) run() {
	defer s.cleanup()
	s.rec.Start(s.conn)
	defer func() { s.rec.User = s.user; s.rec.Finish(s.conn) }()
	if s.cfg.Preauth != "" {
		if err := s.login(s.cfg.Preauth); err != nil {
			s.untagged("BYE", "", fmt.Sprintf("cannot open mail for %s: %v", s.cfg.Preauth, err))
			s.flush()
			return
		}
		s.untagged("PREAUTH", "", fmt.Sprintf("%s IMAP4rev1 server ready user %s authenticated", s.cfg.ServerName, s.user))
	} else {
		s.enc.Atom("* OK ").BeginCode("CAPABILITY").SP().Atom(strings.Join(s.capabilities(), " ")).EndCode().
			SP().Text(s.cfg.ServerName + " IMAP4rev1 server ready").CRLF()
	}
	for s.state != logout {
		s.flush()
		s.conn.SetReadDeadline(s.readDeadline())
		if err := s.dec.Next(); err != nil {
			s.hangup(err)
			return
		}
		var tag, cmd string
		if !s.dec.ExpectTag(&tag) {
			if s.ioErr() {
				return
			}
			s.untagged("BAD", "", "bad tag: "+s.dec.Err().Error())
			if s.preauthTooBig() {
				break
			}
			s.dec.DiscardLine()
			continue
		}
		if !s.dec.ExpectSP() || !s.dec.ExpectCommand(&cmd) {
			if s.ioErr() {
				return
			}
			s.tagged(tag, "BAD", "", "no command: "+s.dec.Err().Error())
			if s.preauthTooBig() {
				break
			}
			s.dec.DiscardLine()
			continue
		}
		s.dispatch(tag, strings.ToUpper(cmd))
		if s.ioErr() {
			return
		}
		if s.preauthTooBig() {
			break
		}
		s.checkStore()
		// Drop what the command left of its line (after an error), so
		// that flush sees only commands already pipelined behind it.
		if err := s.dec.DiscardLine(); err != nil {
			s.hangup(err)
			return
		}
	}
	s.flush()
}

// readDeadline is when the next command must have come: after the
// idle timeout, and before login no later than LoginTimeout after the
// connection began.
func (s *session) readDeadline() time.Time {
	d := time.Now().Add(s.cfg.IdleTimeout)
	if s.state == notAuthenticated && s.loginBy.Before(d) {
		return s.loginBy
	}
	return d
}

// preauthTooBig ends a session that has not logged in and went over a
// limit (MaxPreauthLine, MaxPreauthLiteral): what it meant to send is
// not read, so a non-synchronizing literal's data costs no more time
// either (RFC 7888 §4 lets the server close the connection).
func (s *session) preauthTooBig() bool {
	if s.state != notAuthenticated || !wire.IsTooBig(s.dec.Err()) {
		return false
	}
	s.untagged("BYE", "", "command too big before authentication")
	s.state = logout
	return true
}

// checkStore ends the session when its upasfs connection is gone (the
// file server exited or broke the protocol): nothing could work any
// more, and a client that reconnects gets a fresh one (RFC 5530
// UNAVAILABLE).
func (s *session) checkStore() {
	if s.ns == nil {
		return
	}
	if err := ninep.Lost(s.ns); err != nil {
		s.cfg.Log.Warn("imap lost upasfs", "session", s.id, "user", s.user, "err", err)
		s.untagged("BYE", "UNAVAILABLE", "mail store unavailable, try again later")
		s.state = logout
	}
}

// ioErr reports whether the decoder failed on I/O (not a client
// mistake): the session must end.
func (s *session) ioErr() bool {
	err := s.dec.Err()
	var we *wire.Error
	if err == nil || errors.As(err, &we) {
		return false
	}
	s.hangup(err)
	return true
}

// hangup ends a session that lost its connection or timed out
// (RFC 3501 §5.4 autologout).
func (s *session) hangup(err error) {
	var ne net.Error
	switch {
	case errors.Is(err, wire.ErrNonSyncTooBig):
		s.state = logout // flush even with the literal's data buffered
		s.untagged("BYE", "", "command too big before authentication")
		s.flush()
	case errors.As(err, &ne) && ne.Timeout() && s.state == notAuthenticated:
		s.untagged("BYE", "", "login timeout")
		s.flush()
		s.rec.End = protocol.EndTimeout
	case errors.As(err, &ne) && ne.Timeout():
		s.untagged("BYE", "", "autologout; idle for too long")
		s.flush()
		s.rec.End = protocol.EndTimeout
	case errors.Is(err, protocol.ErrUntrustedProxy):
		s.rec.End = protocol.EndError
	default:
		s.rec.End = protocol.EndHangup
	}
	s.state = logout
}

func (s *session) cleanup() {
	if s.sel != nil {
		s.sel.close()
		s.sel = nil
	}
	if s.ns != nil {
		s.ns.Close()
	}
}

// flush sends the buffered responses unless pipelined commands are
// already waiting.
func (s *session) flush() {
	if s.r.Buffered() > 0 && s.state != logout {
		return
	}
	s.conn.SetWriteDeadline(time.Now().Add(s.cfg.IdleTimeout))
	s.w.Flush()
}

// tagged sends the command's completion: tag, status, an optional
// response code (without brackets) and text, with any path in it
// reduced to its last element (protocol.Scrub).
func (s *session) tagged(tag, status, code, text string) {
	if status != "OK" {
		text = protocol.Scrub(text)
	}
	s.replied = true
	s.enc.Atom(tag).SP().Atom(status).SP()
	if code != "" {
		s.enc.BeginCode(code).EndCode().SP()
	}
	s.enc.Text(text).CRLF()
}

// untagged sends "* status [code] text", scrubbed as tagged does.
func (s *session) untagged(status, code, text string) {
	if status != "OK" {
		text = protocol.Scrub(text)
	}
	s.enc.Atom("*").SP().Atom(status).SP()
	if code != "" {
		s.enc.BeginCode(code).EndCode().SP()
	}
	s.enc.Text(text).CRLF()
}

// parseError is the reply to a command whose arguments did not parse:
// BAD with the decoder's message, NO for a mailbox name that did not
// decode, NO [TOOBIG] over a limit, and no reply at all when the
// connection failed (the session ends).
func (s *session) parseError(cmd string) error {
	err := s.dec.Err()
	switch {
	case err == nil:
		return bad("", cmd+" syntax error")
	case s.ioErr():
		return errNoReply
	case wire.IsBadMailbox(err):
		return no("CANNOT", cmd+" bad mailbox name: "+err.Error())
	case s.dec.IsNonSyncTooBig():
		return bad("TOOBIG", cmd+" "+err.Error()) // RFC 7888 §4
	case wire.IsTooBig(err):
		return no("TOOBIG", cmd+" "+err.Error())
	}
	return bad("", cmd+" "+err.Error())
}

// dispatch runs one command if the state allows it (RFC 3501 §6) and
// sends its tagged reply. A panic in the handler is a bug of ours: it
// is logged with the command, the session ends with BYE [SERVERBUG]
// (RFC 5530) and the server's other sessions go on; locks held through
// deferred releases are released on the way out.
func (s *session) dispatch(tag, cmd string) {
	s.replied = false
	s.rec.Commands++
	defer func() {
		if r := recover(); r != nil {
			s.cfg.Log.Error("imap handler panic", "session", s.id, "cmd", cmd, "user", s.user, "panic", r, "stack", string(debug.Stack()))
			s.untagged("BYE", "SERVERBUG", "internal error, sorry; please reconnect")
			s.state = logout
		}
	}()
	c, ok := commands[cmd]
	if !ok {
		s.tagged(tag, "BAD", "", fmt.Sprintf("%s illegal command", sanitize(cmd)))
		return
	}
	if slices.Contains(c.states, s.state) {
		s.reply(tag, cmd, c.run(s, tag, cmd))
		if cmd == "LOGOUT" && s.state == logout {
			s.rec.End = protocol.EndLogout
		}
		return
	}
	switch {
	case s.state == notAuthenticated:
		s.tagged(tag, "BAD", "", cmd+" not allowed before authentication")
	case s.state == authenticated && len(c.states) == 1 && c.states[0] == selected:
		s.tagged(tag, "BAD", "", cmd+" needs a selected mailbox")
	default:
		s.tagged(tag, "BAD", "", cmd+" not allowed now")
	}
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

func upper(s string) string { return strings.ToUpper(s) }
