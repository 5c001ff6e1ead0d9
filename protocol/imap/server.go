// Package imap is an IMAP4rev1 server (RFC 3501) over a upasfs, after
// Plan 9's ip/imap4d (spec §2) with its bugs (spec §5) fixed: every
// mailbox operation becomes 9P operations on the session's name space
// (protocol/mailfs), and the state upasfs lacks lives in Plan 9's
// byte-compatible .imp files (package imp).
//
// commands.go is the dispatch table: every command, the states it is
// allowed in, and its handler. A handler returns nil or the error that
// is its tagged NO or BAD (errors.go); session.go reads commands,
// dispatches them and recovers a handler's panic for its session only.
// One file per command or tight group:
//
//	any.go        CAPABILITY, NOOP (and CHECK), LOGOUT, ID
//	enable.go     ENABLE and its registry of extensions
//	auth.go       STARTTLS, LOGIN, AUTHENTICATE
//	select.go     SELECT, EXAMINE
//	close.go      CLOSE, UNSELECT
//	expunge.go    EXPUNGE, UID EXPUNGE
//	listext.go    LIST (LIST-EXTENDED, CHILDREN, LIST-STATUS, SPECIAL-USE)
//	list.go       LSUB
//	subscribe.go  SUBSCRIBE, UNSUBSCRIBE
//	namespace.go  NAMESPACE
//	status.go     STATUS (STATUS=SIZE, APPENDLIMIT)
//	specialuse.go the special-use mailboxes (RFC 6154), CREATE's USE
//	create.go     CREATE
//	delete.go     DELETE
//	rename.go     RENAME
//	append.go     APPEND
//	copy.go       COPY, UID COPY
//	move.go       MOVE, UID MOVE
//	fetch.go      FETCH, UID FETCH
//	store.go      STORE, UID STORE
//	search.go     SEARCH, UID SEARCH
//	uid.go        UID
//	idle.go       IDLE
//
// and the mailbox machinery they share: selected.go (the selected
// mailbox and its updates), keywords.go, lock.go (L.mbox and this
// server's turns at it), names.go and tree.go (mailbox names and files).
package imap

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
	"p9mail/protocol/imap/message"
	"p9mail/protocol/index"
	"p9mail/protocol/mailfs"
)

// Limits and their defaults; each is a Config field.
const (
	// DefaultIdleTimeout: RFC 3501 §5.4 asks for at least 30 minutes.
	DefaultIdleTimeout = 30 * time.Minute
	// DefaultMaxLine bounds a command line, literals excluded.
	DefaultMaxLine = 64 << 10
	// DefaultMaxLiteral bounds one literal (an APPENDed message).
	DefaultMaxLiteral = 64 << 20
	// DefaultMaxStrings bounds the literal strings one command may make
	// the server hold in memory (APPEND's message is streamed and does
	// not count): a SEARCH string or a mailbox name is never near it.
	DefaultMaxStrings = 1 << 20
	// DefaultMaxPreauthLine and DefaultMaxPreauthLiteral bound a command
	// line and a literal from a client that has not logged in. The line
	// fits the largest ID RFC 2971 §3.3 allows (30 fields, values of up
	// to 1024 octets: clients send ID before LOGIN; imaptest's id script
	// does); LOGIN and AUTHENTICATE fit in far less. 200 connections at
	// these sizes hold at most a few MB (a 60 MB LOGIN literal took 60
	// MB).
	DefaultMaxPreauthLine    = 40 << 10
	DefaultMaxPreauthLiteral = 4 << 10
	// DefaultMaxConns bounds concurrent connections per listener.
	DefaultMaxConns = 200
	// DefaultIdlePoll is how often IDLE looks for changes (4e: 15 s):
	// a look is two stats, so new mail can show within seconds.
	DefaultIdlePoll = 5 * time.Second
)

// Config is what a Server needs. Zero values get the defaults above.
type Config struct {
	Source *mailfs.Source
	Keys   *auth.Keys

	TLS        *tls.Config // STARTTLS and implicit TLS (-t, -k)
	AllowPlain bool        // -p: LOGIN and AUTHENTICATE PLAIN/LOGIN without TLS
	P9CR       bool        // -c: LOGIN is Plan 9 challenge/response (spec §2.3)
	Preauth    string      // -a: every session is this user, already authenticated
	ServerName string      // -s: in the greeting
	MailDomain string      // -d: host for addresses that lack one
	RatifyDir  string      // -r ratification, as pop3
	Peer       netip.Addr
	Log        *slog.Logger // -v
	Debug      io.Writer    // protocol trace

	IdleTimeout time.Duration
	MaxLine     int
	MaxLiteral  int64
	MaxStrings  int64
	// MaxPreauthLine and MaxPreauthLiteral replace MaxLine and both
	// literal limits until the session is authenticated; a client over
	// them gets NO [TOOBIG] and BYE (its literal data is not read).
	MaxPreauthLine    int
	MaxPreauthLiteral int64
	MaxConns          int
	// MaxPerAddr bounds the connections from one client address at
	// once (protocol.PerAddr); 0 takes DefaultMaxPerAddr, < 0 none.
	MaxPerAddr   int
	LoginTimeout time.Duration
	IdlePoll     time.Duration
	LockTimeout  time.Duration
	// Delay gives the failed-login delays and the failures after which
	// a session ends; Throttle, if set, counts failures across sessions
	// (else New makes one from Delay).
	Delay    auth.Delay
	Throttle *auth.Throttle
	// MaxKeywords and MaxMessageKeywords bound the keywords of a
	// mailbox and of a message (keywords.go); MaxSearchKeys the keys of
	// a SEARCH (search.go). Over them: NO [LIMIT].
	MaxKeywords        int
	MaxMessageKeywords int
	MaxSearchKeys      int
	// MaxSearchUpdates bounds the searches with RETURN (UPDATE) a
	// session keeps updating (context.go); past it: NO [NOUPDATE].
	MaxSearchUpdates int
	// MaxBinaryAppend bounds an APPENDed literal8 message (RFC 3516),
	// held in memory to be re-encoded (appendbinary.go); over it: NO
	// [TOOBIG]. 0 takes DefaultMaxBinaryAppend.
	MaxBinaryAppend int64
	// MaxCompressRatio bounds, under COMPRESS=DEFLATE (compress.go),
	// the octets a client's data inflates to over its compressed
	// octets, past a first MiB; over it the session ends. 0 takes
	// DefaultMaxCompressRatio.
	MaxCompressRatio int
	// IndexDir is the directory of the persistent index of message
	// structures (protocol/index; docs/architecture.md "The index");
	// "" for none. One the server cannot make is logged and ignored.
	IndexDir string
	// MaxHeader bounds the bytes of a header block the engine holds to
	// parse (message.DefaultMaxHeader); longer ones are streamed.
	MaxHeader int64
	// CreateSpecialUse makes a user's first login create the Sent,
	// Drafts, Trash, Junk and Archive mailboxes that are missing
	// (specialuse.go, RFC 6154).
	CreateSpecialUse bool
}

// A Server serves IMAP sessions.
type Server struct {
	cfg      Config
	ids      atomic.Int64
	debugMu  sync.Mutex
	perAddr  protocol.PerAddr
	cache    structCache                // message structures by digest, hot ones when there is an index
	index    *index.Dir                 // the persistent index, or nil
	loads    atomic.Int64               // messages loaded from upasfs (structures.go)
	searched atomic.Int64               // messages SEARCH has looked at (search.go)
	idates   mailfs.ByDigest[time.Time] // digest → INTERNALDATE
	sortKeys mailfs.ByDigest[*sortKey]  // digest → SORT/THREAD keys (sortkey.go)
	locks    sync.Map                   // user and directory → semaphore (lock.go)
	digests  mailfs.DigestCache

	validityMu   sync.Mutex
	lastValidity uint32
}

// newValidity returns max(mtime, the last one given + 1).
func (s *Server) newValidity(mtime uint32) uint32 {
	s.validityMu.Lock()
	defer s.validityMu.Unlock()
	v := max(mtime, s.lastValidity+1, 1)
	s.lastValidity = v
	return v
}

// New returns a Server for cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Source == nil || cfg.Keys == nil && cfg.Preauth == "" {
		return nil, errors.New("imap: no mail source or keys")
	}
	if cfg.AllowPlain && cfg.P9CR {
		return nil, errors.New("-c and -p are mutually exclusive")
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxLine <= 0 {
		cfg.MaxLine = DefaultMaxLine
	}
	if cfg.MaxLiteral <= 0 {
		cfg.MaxLiteral = DefaultMaxLiteral
	}
	if cfg.MaxCompressRatio <= 0 {
		cfg.MaxCompressRatio = DefaultMaxCompressRatio
	}
	if cfg.MaxBinaryAppend <= 0 {
		cfg.MaxBinaryAppend = DefaultMaxBinaryAppend
	}
	if cfg.MaxStrings <= 0 {
		cfg.MaxStrings = DefaultMaxStrings
	}
	if cfg.MaxPreauthLine <= 0 {
		cfg.MaxPreauthLine = DefaultMaxPreauthLine
	}
	if cfg.MaxPreauthLiteral <= 0 {
		cfg.MaxPreauthLiteral = DefaultMaxPreauthLiteral
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
	if cfg.MaxKeywords <= 0 {
		cfg.MaxKeywords = DefaultMaxKeywords
	}
	if cfg.MaxMessageKeywords <= 0 {
		cfg.MaxMessageKeywords = DefaultMaxMessageKeywords
	}
	if cfg.MaxHeader <= 0 {
		cfg.MaxHeader = message.DefaultMaxHeader
	}
	if cfg.MaxSearchKeys <= 0 {
		cfg.MaxSearchKeys = DefaultMaxSearchKeys
	}
	if cfg.MaxSearchUpdates <= 0 {
		cfg.MaxSearchUpdates = DefaultMaxSearchUpdates
	}
	if cfg.IdlePoll <= 0 {
		cfg.IdlePoll = DefaultIdlePoll
	}
	if cfg.LockTimeout <= 0 {
		cfg.LockTimeout = DefaultLockTimeout
	}
	if cfg.ServerName == "" {
		cfg.ServerName = "localhost"
	}
	if cfg.MailDomain == "" {
		cfg.MailDomain = cfg.ServerName
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{cfg: cfg, perAddr: protocol.PerAddr{Max: cfg.MaxPerAddr}}
	if cfg.IndexDir != "" {
		d, err := index.OpenDir(cfg.IndexDir)
		if err != nil {
			cfg.Log.Warn("imap: no index", "err", err)
		} else {
			s.index = d
			s.cache.max = indexFront
			// Beside the users' directories: index escapes a leading '.'.
			s.digests.Dir = filepath.Join(cfg.IndexDir, ".digests")
		}
	}
	return s, nil
}

// Serve accepts connections on l until it is closed. With implicitTLS
// each connection starts with a TLS handshake (port 993 style).
func (s *Server) Serve(l net.Listener, implicitTLS bool) error {
	busy := protocol.Busy{All: "* BYE [UNAVAILABLE] too many connections, try later\r\n",
		Addr: "* BYE [UNAVAILABLE] too many connections from your address, try later\r\n"}
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
