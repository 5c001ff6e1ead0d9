// Package pop3 is a POP3 server over a upasfs: RFC 1939 with CAPA (RFC
// 2449), STLS (RFC 2595), AUTH (RFC 5034) and Plan 9's SYNC, speaking
// the wire text of Plan 9's upas/pop3 (spec §3) where the RFCs allow,
// with its bugs (spec §5.10) fixed. All mail is reached through 9P:
// the session's name space (protocol/mailfs) and package upasfs.
package pop3

import (
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"p9mail/protocol"
	"p9mail/protocol/auth"
	"p9mail/protocol/index"
	"p9mail/protocol/mailfs"
)

// Limits and their defaults. Each is a Config field.
const (
	// DefaultIdleTimeout: RFC 1939 §3 asks for at least 10 minutes.
	DefaultIdleTimeout = 10 * time.Minute
	// DefaultMaxLine bounds a command line, CRLF included. RFC 2449 §4
	// allows 255 octets for a command; SASL responses (RFC 5034 §4) are
	// longer, so the bound is that of Plan 9's pop3, 1024.
	DefaultMaxLine = 1024
	// DefaultMaxConns bounds concurrent connections per Serve.
	DefaultMaxConns = 200
)

// Config is what a Server needs. Zero values get the defaults above.
type Config struct {
	Source *mailfs.Source // the mail
	Keys   *auth.Keys     // the users' secrets

	// TLS, if set, enables STLS and implicit TLS (-t, -k).
	TLS *tls.Config
	// AllowPlain accepts clear-text passwords (USER/PASS, AUTH PLAIN and
	// LOGIN) without TLS (-p). With TLS active they are always accepted.
	AllowPlain bool
	// Preauth, if set, makes every session pre-authenticated as this
	// user on this mailbox file (-a), as under a login that already
	// happened.
	Preauth, PreauthBox string
	// Domain is the domain in APOP challenges (spec §3.2).
	Domain string
	// RatifyDir, if set, gets <dir>/trusted/<peer>#32 after each login
	// (-r, spec §3.1); Peer overrides the connection's remote address.
	RatifyDir string
	Peer      netip.Addr
	// Debug, if set, gets a protocol trace (-d): client lines as read,
	// replies prefixed "-> ".
	Debug io.Writer
	Log   *slog.Logger

	IdleTimeout time.Duration
	MaxLine     int
	MaxConns    int
	// MaxPerAddr bounds the connections from one client address at
	// once (protocol.PerAddr); 0 takes DefaultMaxPerAddr, < 0 none.
	MaxPerAddr int
	// LoginTimeout bounds the time from connecting to logging in.
	LoginTimeout time.Duration
	// Delay gives the failed-login delays and the failures after which
	// a session ends; Throttle, if set, counts failures across sessions
	// (else New makes one from Delay).
	Delay    auth.Delay
	Throttle *auth.Throttle
	// IndexDir, if set, keeps the RETR sizes of the messages by digest
	// on disk (protocol/index), so that a login after a restart need not
	// read every message again; "" keeps them in memory only.
	IndexDir string
}

// A Server serves POP3 sessions.
type Server struct {
	cfg Config

	debugMu  sync.Mutex
	ids      atomic.Int64 // the last session's id
	perAddr  protocol.PerAddr
	sizes    mailfs.ByDigest[sizes] // RETR sizes by digest, shared by sessions
	index    *index.Dir             // IndexDir's, or nil
	measured atomic.Int64           // messages whose raw file was read for its size
	digests  mailfs.DigestCache     // digests of unchanged mailboxes
}

// New returns a Server for cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Source == nil || cfg.Keys == nil && cfg.Preauth == "" {
		return nil, errors.New("pop3: no mail source or keys")
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxLine <= 0 {
		cfg.MaxLine = DefaultMaxLine
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.MaxPerAddr == 0 {
		cfg.MaxPerAddr = protocol.DefaultMaxPerAddr
	}
	if cfg.LoginTimeout <= 0 {
		cfg.LoginTimeout = protocol.DefaultLoginTimeout
	}
	if cfg.Throttle == nil {
		cfg.Throttle = auth.NewThrottle(cfg.Delay, 0, 0)
	}
	if cfg.Domain == "" {
		cfg.Domain = "localhost"
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.PreauthBox == "" {
		cfg.PreauthBox = "mbox"
	}
	srv := &Server{cfg: cfg, perAddr: protocol.PerAddr{Max: cfg.MaxPerAddr}}
	if cfg.IndexDir != "" {
		d, err := index.OpenDir(cfg.IndexDir)
		if err != nil {
			return nil, err
		}
		srv.index = d
		// Beside the users' directories: index escapes a leading '.'.
		srv.digests.Dir = filepath.Join(cfg.IndexDir, ".digests")
	}
	return srv, nil
}

// Serve accepts connections on l until it is closed. With implicitTLS
// each connection starts with a TLS handshake (port 995 style).
func (s *Server) Serve(l net.Listener, implicitTLS bool) error {
	busy := protocol.Busy{All: "-ERR [SYS/TEMP] too many connections, try later\r\n",
		Addr: "-ERR [SYS/TEMP] too many connections from your address, try later\r\n"}
	return protocol.Accept(l, s.cfg.MaxConns, &s.perAddr, busy, func(c net.Conn) {
		s.ServeConn(c, implicitTLS)
	})
}

// ServeConn runs one session on c and closes it.
func (s *Server) ServeConn(c net.Conn, implicitTLS bool) {
	defer c.Close()
	count := &protocol.CountConn{Conn: c}
	c = count
	if implicitTLS {
		if c = protocol.Handshake(c, s.cfg.TLS, s.cfg.Log); c == nil {
			return
		}
	}
	ss := newSession(s, c)
	ss.rec.Count = count
	ss.run()
}

// ServeStdio runs one session on standard input and output, as
// listen(8), inetd or a systemd socket unit with Accept=yes start it.
func (s *Server) ServeStdio(c net.Conn) {
	s.ServeConn(c, false)
}
