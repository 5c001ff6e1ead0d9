// Package lmtp is an LMTP server (RFC 2033) that delivers mail into
// users' mailboxes through the mailbox layer (upasfs/mbox): a From
// line, "From " escaping, Plan 9's L.mbox with the Unix dotlock and
// fcntl lock, and an append record so that a delivery cut short never
// leaves a torn message behind. A mail transfer agent such as Postfix
// hands it mail (mailbox_transport = lmtp:inet:host:port); it answers
// once per recipient after DATA, and addresses user+detail@domain to
// the mailbox named detail when the user has one.
package lmtp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"p9mail/protocol"
	"p9mail/upasfs/mbox"
)

// Defaults of the Config's limits.
const (
	// DefaultMaxSize is the largest message accepted, in bytes, as
	// DATA carries it (announced as SIZE, RFC 1870).
	DefaultMaxSize = 32 << 20
	// DefaultMaxRcpts bounds the recipients of one transaction (RFC
	// 5321 §4.5.3.1.8 asks for at least 100).
	DefaultMaxRcpts = 100
	// DefaultMaxLine bounds a command line, CRLF included (RFC 5321
	// §4.5.3.1.4: 512).
	DefaultMaxLine = 512
	// DefaultIdleTimeout is how long a command or a DATA line is
	// waited for (RFC 5321 §4.5.3.2: 5 minutes and more).
	DefaultIdleTimeout = 5 * time.Minute
	// DefaultMaxConns bounds concurrent connections per Serve.
	DefaultMaxConns = 64
	// DefaultMaxErrors is how many refused commands end a session.
	DefaultMaxErrors = 20
	// DefaultLockTimeout bounds the wait for a mailbox's locks.
	DefaultLockTimeout = 30 * time.Second
)

// Config is a Server's configuration. Zero limits take the defaults.
type Config struct {
	Deliverer  Deliverer
	ServerName string // in the greeting and LHLO reply
	MaxSize    int64
	MaxRcpts   int
	MaxLine    int
	MaxConns   int
	// MaxPerAddr bounds connections from one address (protocol.PerAddr);
	// 0 takes protocol.DefaultMaxPerAddr, < 0 none.
	MaxPerAddr  int
	MaxErrors   int
	IdleTimeout time.Duration
	Log         *slog.Logger // nil: no log
	// Now is the clock of the From line and Received field (tests).
	Now func() time.Time
}

// A Server serves LMTP sessions.
type Server struct {
	cfg     Config
	perAddr protocol.PerAddr
	seq     atomic.Uint64
}

// New returns a Server for cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Deliverer == nil {
		return nil, errors.New("lmtp: no deliverer")
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&cfg.MaxRcpts, DefaultMaxRcpts)
	def(&cfg.MaxLine, DefaultMaxLine)
	def(&cfg.MaxConns, DefaultMaxConns)
	def(&cfg.MaxErrors, DefaultMaxErrors)
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = DefaultMaxSize
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.ServerName == "" {
		cfg.ServerName = "localhost"
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg}
	switch {
	case cfg.MaxPerAddr == 0:
		s.perAddr.Max = protocol.DefaultMaxPerAddr
	case cfg.MaxPerAddr > 0:
		s.perAddr.Max = cfg.MaxPerAddr
	}
	return s, nil
}

// Serve accepts connections on l until it is closed.
func (s *Server) Serve(l net.Listener) error {
	busy := protocol.Busy{All: "421 4.3.2 too many connections, try later\r\n",
		Addr: "421 4.7.0 too many connections from your address, try later\r\n"}
	return protocol.Accept(l, s.cfg.MaxConns, &s.perAddr, busy, s.ServeConn)
}

// ServeConn runs one session on c and closes it.
func (s *Server) ServeConn(c net.Conn) {
	defer c.Close()
	ss := &session{srv: s, c: c, r: bufio.NewReaderSize(c, 4096), w: bufio.NewWriter(c),
		id: s.seq.Add(1)}
	ss.run()
}

// A recipient accepted by RCPT.
type recipient struct {
	addr, user, box string
}

type session struct {
	srv    *Server
	c      net.Conn
	r      *bufio.Reader
	w      *bufio.Writer
	id     uint64
	helo   string
	from   *string // the reverse-path once MAIL is accepted
	rcpts  []recipient
	errors int
}

func (s *session) reply(format string, args ...any) {
	fmt.Fprintf(s.w, format+"\r\n", args...)
}

// errLineTooLong is a line over the limit (it was read to its end).
var errLineTooLong = errors.New("line too long")

// readLine reads one line of at most max bytes with its CRLF (or LF),
// returning it without them; a longer line is consumed and refused.
func (s *session) readLine(max int) (string, error) {
	s.c.SetReadDeadline(time.Now().Add(s.srv.cfg.IdleTimeout))
	var line []byte
	long := false
	for {
		frag, err := s.r.ReadSlice('\n')
		if !long {
			if len(line)+len(frag) > max {
				long, line = true, nil
			} else {
				line = append(line, frag...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return "", err
		}
		break
	}
	if long {
		return "", errLineTooLong
	}
	line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
	return string(line), nil
}

func (s *session) run() {
	log := s.srv.cfg.Log.With("session", s.id, "peer", s.c.RemoteAddr().String())
	s.reply("220 %s LMTP ready", s.srv.cfg.ServerName)
	for {
		// Replies to pipelined commands (RFC 2920) go together.
		if s.r.Buffered() == 0 {
			if err := s.w.Flush(); err != nil {
				return
			}
		}
		if s.errors >= s.srv.cfg.MaxErrors {
			s.reply("421 4.7.0 too many errors, closing")
			s.w.Flush()
			return
		}
		line, err := s.readLine(s.srv.cfg.MaxLine)
		switch {
		case errors.Is(err, errLineTooLong):
			s.errors++
			s.reply("500 5.5.2 line too long")
			continue
		case isTimeout(err):
			s.reply("421 4.4.2 %s timeout, closing", s.srv.cfg.ServerName)
			s.w.Flush()
			return
		case err != nil:
			if !errors.Is(err, io.EOF) {
				log.Debug("lmtp read", "err", err)
			}
			return
		}
		if !s.command(line, log) {
			s.w.Flush()
			return
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// command runs one command; false ends the session.
func (s *session) command(line string, log *slog.Logger) bool {
	verb, arg := parseCommand(line)
	bad := func(format string, args ...any) bool {
		s.errors++
		s.reply(format, args...)
		return true
	}
	switch verb {
	case "LHLO":
		if strings.TrimSpace(arg) == "" {
			return bad("501 5.5.4 LHLO needs a host name")
		}
		s.reset()
		s.helo = strings.TrimSpace(arg)
		s.reply("250-%s", s.srv.cfg.ServerName)
		s.reply("250-PIPELINING")
		s.reply("250-ENHANCEDSTATUSCODES")
		s.reply("250-8BITMIME")
		s.reply("250 SIZE %d", s.srv.cfg.MaxSize)
	case "HELO", "EHLO":
		return bad("500 5.5.1 this is LMTP: say LHLO")
	case "MAIL":
		switch {
		case s.helo == "":
			return bad("503 5.5.1 LHLO first")
		case s.from != nil:
			return bad("503 5.5.1 a transaction is in progress: RSET first")
		}
		p, err := parsePath(arg, "FROM:")
		if err != nil {
			return bad("501 5.5.4 syntax: MAIL FROM:<address> [SIZE=n] [BODY=7BIT|8BITMIME]")
		}
		for k, v := range p.params {
			switch k {
			case "SIZE":
				n, err := parseSize(v)
				if err != nil {
					return bad("501 5.5.4 bad SIZE")
				}
				if n > s.srv.cfg.MaxSize {
					return bad("552 5.3.4 message too big: at most %d bytes", s.srv.cfg.MaxSize)
				}
			case "BODY":
				if u := strings.ToUpper(v); u != "7BIT" && u != "8BITMIME" {
					return bad("501 5.5.4 BODY is 7BIT or 8BITMIME")
				}
			default:
				return bad("555 5.5.4 unknown MAIL parameter %s", k)
			}
		}
		from := p.addr
		s.from = &from
		s.reply("250 2.1.0 sender ok")
	case "RCPT":
		if s.from == nil {
			return bad("503 5.5.1 MAIL first")
		}
		p, err := parsePath(arg, "TO:")
		if err != nil || len(p.params) > 0 {
			return bad("501 5.5.4 syntax: RCPT TO:<address>")
		}
		if len(s.rcpts) >= s.srv.cfg.MaxRcpts {
			s.reply("452 4.5.3 too many recipients")
			return true
		}
		user, detail, err := splitRecipient(p.addr)
		if err != nil {
			return bad("501 5.1.3 bad recipient address")
		}
		box, err := s.srv.cfg.Deliverer.Resolve(user, detail)
		switch {
		case errors.Is(err, ErrNoUser):
			s.reply("550 5.1.1 <%s> no such user", p.addr)
			return true
		case err != nil:
			log.Warn("lmtp resolve", "rcpt", p.addr, "err", err)
			s.reply("451 4.3.0 <%s> mailbox unavailable, try later", p.addr)
			return true
		}
		s.rcpts = append(s.rcpts, recipient{addr: p.addr, user: user, box: box})
		s.reply("250 2.1.5 recipient ok")
	case "DATA":
		switch {
		case s.from == nil:
			return bad("503 5.5.1 MAIL first")
		case len(s.rcpts) == 0:
			return bad("503 5.5.1 no valid recipients")
		case arg != "":
			return bad("501 5.5.4 DATA takes no argument")
		}
		return s.data(log)
	case "RSET":
		s.reset()
		s.reply("250 2.0.0 ok")
	case "NOOP":
		s.reply("250 2.0.0 ok")
	case "QUIT":
		s.reply("221 2.0.0 %s closing", s.srv.cfg.ServerName)
		return false
	case "VRFY":
		s.reply("252 2.5.0 cannot VRFY a user, but will try delivery")
	case "EXPN":
		return bad("502 5.5.1 EXPN not available")
	case "HELP":
		s.reply("214 2.0.0 LHLO MAIL RCPT DATA RSET NOOP QUIT")
	default:
		return bad("500 5.5.2 command not recognized")
	}
	return true
}

func (s *session) reset() {
	s.from, s.rcpts = nil, nil
}

// data reads the message (RFC 5321 §4.5.2 dot-stuffing) into memory,
// bounded by MaxSize, delivers it to each recipient and answers for
// each in RCPT order (RFC 2033 §4.2); false ends the session.
func (s *session) data(log *slog.Logger) bool {
	s.reply("354 send the message, end with <CRLF>.<CRLF>")
	if err := s.w.Flush(); err != nil {
		return false
	}
	var msg bytes.Buffer
	over, bol := false, true
	for {
		line, err := s.readDataLine()
		if err != nil {
			if isTimeout(err) {
				s.reply("421 4.4.2 %s timeout, closing", s.srv.cfg.ServerName)
			}
			return false
		}
		start := bol
		bol = line[len(line)-1] == '\n'
		if start && (bytes.Equal(line, []byte(".\r\n")) || bytes.Equal(line, []byte(".\n"))) {
			break
		}
		if start && line[0] == '.' {
			line = line[1:]
		}
		if over {
			continue
		}
		if int64(msg.Len()+len(line)) > s.srv.cfg.MaxSize {
			over, msg = true, bytes.Buffer{}
			continue
		}
		msg.Write(line)
	}
	rcpts, from := s.rcpts, *s.from
	s.reset()
	if over {
		for range rcpts {
			s.reply("552 5.3.4 message too big: at most %d bytes", s.srv.cfg.MaxSize)
		}
		return true
	}
	formatted, err := s.format(from, msg.Bytes())
	if err != nil {
		for range rcpts {
			s.reply("451 4.3.0 cannot format the message")
		}
		return true
	}
	digest := Digest(formatted)
	for _, r := range rcpts {
		err := s.srv.cfg.Deliverer.Deliver(r.user, r.box, formatted)
		switch {
		case err == nil:
			log.Info("lmtp delivered", "rcpt", r.addr, "box", r.box, "digest", digest, "bytes", len(formatted))
			s.reply("250 2.0.0 <%s> delivered to %s as %s", r.addr, r.box, digest)
		case errors.Is(err, ErrNoUser):
			s.reply("550 5.1.1 <%s> no such user", r.addr)
		case errors.Is(err, mbox.ErrLocked):
			s.reply("451 4.2.0 <%s> mailbox locked, try later", r.addr)
		default:
			log.Warn("lmtp deliver", "rcpt", r.addr, "box", r.box, "err", err)
			s.reply("451 4.2.0 <%s> delivery failed, try later", r.addr)
		}
	}
	return true
}

// readDataLine reads one line of DATA with its end, whatever its
// length (the message's size is bounded by the caller).
func (s *session) readDataLine() ([]byte, error) {
	s.c.SetReadDeadline(time.Now().Add(s.srv.cfg.IdleTimeout))
	line, err := s.r.ReadSlice('\n')
	if err == nil {
		return line, nil
	}
	if err != bufio.ErrBufferFull {
		return nil, err
	}
	// A long line: its pieces go one by one (none is ".\r\n").
	return append([]byte(nil), line...), nil
}

// format makes the mbox form of the message from sender: a
// Return-Path and a Received field (RFC 5321 §4.4) before it.
func (s *session) format(from string, msg []byte) ([]byte, error) {
	now := s.srv.cfg.Now()
	var hdr bytes.Buffer
	fmt.Fprintf(&hdr, "Return-Path: <%s>\r\n", from)
	fmt.Fprintf(&hdr, "Received: from %s (%s)\r\n\tby %s with LMTP id %x.%d;\r\n\t%s\r\n",
		sanitize(s.helo), sanitize(s.c.RemoteAddr().String()), s.srv.cfg.ServerName,
		now.Unix(), s.id, now.Format(time.RFC1123Z))
	hdr.Write(msg)
	var out bytes.Buffer
	if err := mbox.Format(&out, from, now, hdr.Bytes()); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// sanitize keeps a client-given word printable and short for a
// header field.
func sanitize(s string) string {
	b := []byte(s)
	if len(b) > 100 {
		b = b[:100]
	}
	for i, c := range b {
		if c <= ' ' || c >= 0x7f || c == '(' || c == ')' {
			b[i] = '_'
		}
	}
	return string(b)
}
