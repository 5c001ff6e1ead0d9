// Package daemon is what cmd/pop3 and cmd/imap4d share to start: the
// flags both take, their resolution into a server's settings (exiting
// on a bad one, as a start-up should), standard input as a connection
// for inetd and systemd, and serving a set of listeners.
package daemon

import (
	"crypto/tls"
	"flag"
	"io"
	"log"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"p9mail/ninep"
	"p9mail/protocol"
	"p9mail/protocol/auth"
	"p9mail/protocol/mailfs"
	"p9mail/upasfs/demo"
)

// ListFlag is a repeatable flag (-l, -ltls).
type ListFlag []string

func (l *ListFlag) String() string     { return strings.Join(*l, ",") }
func (l *ListFlag) Set(s string) error { *l = append(*l, s); return nil }

// Flags are the options cmd/pop3 and cmd/imap4d share (README.md).
type Flags struct {
	Peer, Cert, Key, FS, AuthKey, Root, Keys, Ratify, Debug string
	Verbose                                                 bool
	Listen, ListenTLS                                       ListFlag
	Idle, FailDelay, MaxFailDelay, FailHalfLife             time.Duration
	LoginTimeout                                            time.Duration
	MaxLine, MaxConns, MaxPerAddr, MaxFail                  int
	// Index is the cache directory of -index: "" the default, "off"
	// none.
	Index string
	// ProxyFrom is -proxyfrom: the networks whose connections open
	// with a PROXY header; "" none.
	ProxyFrom    string
	ProxyTimeout time.Duration
	// LogJSON is -logjson: the log records in JSON (implies -v).
	LogJSON bool
}

// Register defines the shared flags on the default flag set. debug
// names the trace flag (pop3 keeps Plan 9's -d; imap4d's -d is the mail
// domain); tlsPort is for the -ltls help.
func (f *Flags) Register(debug, tlsPort string, idle time.Duration, idleRFC string, maxLine, maxConns int) {
	flag.StringVar(&f.Peer, "r", "", "peer `address` for ratification and logs (default: the connection's)")
	flag.StringVar(&f.Cert, "t", "", "TLS certificate `file` (PEM chain, and the key unless -k)")
	flag.StringVar(&f.Key, "k", "", "TLS key `file` (PEM)")
	flag.StringVar(&f.FS, "fs", "", "attach to the running upasfs at `addr` instead of the built-in emulator")
	flag.StringVar(&f.AuthKey, "authkey", "", "authenticate to the -fs upasfs with the shared key in `file` (as upasfs -authkey)")
	flag.StringVar(&f.Index, "index", "", "keep the indexes (the built-in emulator's parses in <dir>/upasfs, imap4d's message structures in <dir>/imap, pop3's sizes in <dir>/pop3) in `dir` (default: p9mail in the user's cache directory, none for the demo root; \"off\": none)")
	flag.StringVar(&f.Root, "root", "", "mail root `dir` holding box/<user>/ (default: a demo root with sample mail)")
	flag.StringVar(&f.Keys, "keys", "", "secrets `dir` in keyfs layout (default: <root>/keys)")
	flag.StringVar(&f.Ratify, "ratify", "", "ratify `dir`: after each login create <dir>/trusted/<peer>#32")
	flag.StringVar(&f.Debug, debug, "", "append a protocol trace to `file`")
	flag.BoolVar(&f.Verbose, "v", false, "log sessions, logins and errors to standard error")
	flag.BoolVar(&f.LogJSON, "logjson", false, "log as -v does, one JSON object per record")
	flag.DurationVar(&f.Idle, "idle", idle, "autologout after this idle `time` ("+idleRFC+")")
	flag.IntVar(&f.MaxLine, "maxline", maxLine, "longest command line in `bytes`")
	flag.IntVar(&f.MaxConns, "maxconns", maxConns, "most concurrent connections per listener")
	flag.IntVar(&f.MaxPerAddr, "maxperaddr", protocol.DefaultMaxPerAddr, "most concurrent connections from one client address (IPv6: one /64); 0: no bound")
	flag.DurationVar(&f.LoginTimeout, "logintimeout", protocol.DefaultLoginTimeout, "cut off a client that has not logged in this `long` after connecting")
	flag.DurationVar(&f.FailHalfLife, "failhalflife", auth.DefaultHalfLife, "failed logins counted per user and address halve after this `long` without more")
	flag.DurationVar(&f.FailDelay, "faildelay", auth.DefaultDelay.Base, "delay after the first failed login, doubling after each")
	flag.DurationVar(&f.MaxFailDelay, "maxfaildelay", auth.DefaultDelay.Max, "longest delay after a failed login")
	flag.IntVar(&f.MaxFail, "maxfail", auth.DefaultDelay.Limit, "failed logins after which a session is ended (0: no limit)")
	flag.StringVar(&f.ProxyFrom, "proxyfrom", "", "connections from these `networks` (comma-separated, e.g. 127.0.0.1/32,::1/128) must open with a PROXY protocol header (v1 or v2) naming the client; a header from elsewhere is refused")
	flag.DurationVar(&f.ProxyTimeout, "proxytimeout", protocol.DefaultProxyTimeout, "time a -proxyfrom source has to send its PROXY header")
	flag.Var(&f.Listen, "l", "listen on `addr` (host:port or tcp!host!port); repeatable")
	flag.Var(&f.ListenTLS, "ltls", "listen with implicit TLS on `addr` (port "+tlsPort+" style); repeatable")
}

// Setup is what the shared flags give a server.
type Setup struct {
	Source *mailfs.Source
	TLS    *tls.Config
	Keys   *auth.Keys // nil when preauth
	Peer   netip.Addr
	Log    *slog.Logger
	Debug  io.Writer
	Delay  auth.Delay
	// Throttle counts failed logins across the server's sessions.
	Throttle *auth.Throttle
	// Index is the directory of the front ends' indexes (imap4d's in
	// its imap subdirectory, pop3's in pop3), "" for none.
	Index string
	// MaxPerAddr is the per-address bound as a Config takes it (-1: none).
	MaxPerAddr int
	// ProxyFrom are the trusted networks of -proxyfrom (nil: none).
	ProxyFrom    []netip.Prefix
	ProxyTimeout time.Duration
}

// Listen listens on addr as ninep.Listen does; with -proxyfrom the
// listener reads the PROXY headers of the trusted networks' connections
// and refuses them from anywhere else.
func (s Setup) Listen(addr string) (net.Listener, error) {
	l, err := ninep.Listen(addr)
	if err != nil {
		return nil, err
	}
	return s.proxy(l), nil
}

// ProxyAll applies -proxyfrom to inherited listeners (systemd's).
func (s Setup) ProxyAll(ls []Listener) []Listener {
	for i := range ls {
		ls[i].Listener = s.proxy(ls[i].Listener)
	}
	return ls
}

func (s Setup) proxy(l net.Listener) net.Listener {
	if s.ProxyFrom == nil {
		return l
	}
	return protocol.NewProxyListener(l, s.ProxyFrom, s.ProxyTimeout, s.Log)
}

// GCPercent is the servers' garbage-collection target unless GOGC is
// set: a session allocates mostly short-lived 9P messages, so letting
// the heap grow to 4x its live size before a collection (Go's default
// is 2x) takes 10-15% off the CPU of a large FETCH (bench/imap.sh);
// the peak RSS of that benchmark's server stayed about the same (166
// MB against 169 MB).
const GCPercent = 300

// Resolve turns the flags into a Setup, exiting on a bad one as a
// server's start-up should: the demo root when neither -root nor -fs is
// given, the TLS certificate, the keys (unless preauth), the peer, the
// log and the trace file.
func (f *Flags) Resolve(preauth bool) Setup {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
	index := IndexDir(f.Index)
	if f.Root == "" && f.FS == "" {
		index = "" // a fresh demo root each run: nothing worth keeping
		dir, users, err := demo.Root()
		if err != nil {
			log.Fatal(err)
		}
		f.Root = dir
		log.Printf("serving the demo mail root %s: users %s, password %q", dir, strings.Join(users, ", "), demo.Secret)
	}
	s := Setup{
		// The emulator's index directory is given here, before Check
		// starts the emulator.
		Source: &mailfs.Source{Addr: f.FS, Root: f.Root},
		Delay:  auth.Delay{Base: f.FailDelay, Max: f.MaxFailDelay, Limit: f.MaxFail},
	}
	if index != "" {
		s.Index = index
		if f.FS == "" {
			s.Source.Index = filepath.Join(index, "upasfs")
		}
	}
	s.Throttle = auth.NewThrottle(s.Delay, f.FailHalfLife, 0)
	if s.MaxPerAddr = f.MaxPerAddr; s.MaxPerAddr == 0 {
		s.MaxPerAddr = -1
	}
	if f.ProxyFrom != "" {
		nets, err := protocol.ParseProxyFrom(f.ProxyFrom)
		if err != nil {
			log.Fatal(err)
		}
		s.ProxyFrom, s.ProxyTimeout = nets, f.ProxyTimeout
	}
	if f.AuthKey != "" {
		key, err := ninep.ReadAuthKey(f.AuthKey)
		if err != nil {
			log.Fatal(err)
		}
		s.Source.Key = key
	}
	if err := s.Source.Check(); err != nil {
		log.Fatal(err)
	}
	if f.Peer != "" {
		a, err := netip.ParseAddr(strings.SplitN(f.Peer, "!", 2)[0])
		if err != nil {
			log.Fatalf("-r: %v", err)
		}
		s.Peer = a
	}
	switch {
	case f.LogJSON:
		s.Log = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	case f.Verbose:
		s.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	var err error
	if s.TLS, err = LoadTLS(f.Cert, f.Key); err != nil {
		log.Fatal(err)
	}
	if !preauth {
		if f.Keys == "" {
			f.Keys = filepath.Join(f.Root, "keys")
		}
		if s.Keys, err = auth.OpenKeys(f.Keys); err != nil {
			log.Fatal(err)
		}
	}
	if f.Debug != "" {
		fd, err := os.OpenFile(f.Debug, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0600)
		if err != nil {
			log.Fatal(err)
		}
		s.Debug = fd
	}
	return s
}

// IndexDir resolves -index: "off" is none; "" the default,
// os.UserCacheDir()/p9mail ($XDG_CACHE_HOME or ~/.cache on Unix,
// $home/lib/cache on Plan 9), or none, with a log line, when there is
// no such directory.
func IndexDir(flag string) string {
	switch flag {
	case "off":
		return ""
	case "":
		dir, err := os.UserCacheDir()
		if err != nil {
			log.Printf("no index: %v (set -index)", err)
			return ""
		}
		return filepath.Join(dir, "p9mail")
	}
	return flag
}
