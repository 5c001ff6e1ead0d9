// Command imap4d is an IMAP4rev1 server over a upasfs, after Plan 9's
// ip/imap4d (pop3(8)).
//
// Usage:
//
//	imap4d [-acpv] [-d smtpdomain] [-s servername] [-r peeraddr] [-t cert [-k key]]
//	       [-l addr]... [-ltls addr]... [-fs addr] [-root dir] [-keys dir] ...
//
// With neither -l nor -ltls it serves one connection on standard input
// and output. See README.md for every flag.
package main

import (
	"flag"
	"log"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"p9mail/ninep"
	"p9mail/protocol"
	"p9mail/protocol/auth"
	"p9mail/protocol/imap"
	"p9mail/protocol/mailfs"
	"p9mail/upasfs/demo"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	log.SetFlags(0)
	log.SetPrefix("imap4d: ")
	var (
		preauth    = flag.Bool("a", false, "pre-authenticate every session as the user running imap4d (-user to name another)")
		preUser    = flag.String("user", "", "with -a: the `user` sessions are authenticated as")
		p9cr       = flag.Bool("c", false, "LOGIN uses Plan 9 challenge/response (p9cr)")
		allowPass  = flag.Bool("p", false, "allow clear-text passwords (LOGIN, AUTHENTICATE PLAIN/LOGIN) without TLS")
		verbose    = flag.Bool("v", false, "log logins and errors to standard error")
		mailDomain = flag.String("d", "", "mail `domain` for addresses without one (default: the server name)")
		serverName = flag.String("s", "", "server `name` in the greeting (default: the host name)")
		peer       = flag.String("r", "", "peer `address` for ratification and logs (default: the connection's)")
		certFile   = flag.String("t", "", "TLS certificate `file` (PEM chain, and the key unless -k)")
		keyFile    = flag.String("k", "", "TLS key `file` (PEM)")
		fsAddr     = flag.String("fs", "", "attach to the running upasfs at `addr` instead of the built-in emulator")
		root       = flag.String("root", "", "mail root `dir` holding box/<user>/ (default: a demo root with sample mail)")
		keysDir    = flag.String("keys", "", "secrets `dir` in keyfs layout (default: <root>/keys)")
		ratify     = flag.String("ratify", "", "ratify `dir`: after each login create <dir>/trusted/<peer>#32")
		debugFile  = flag.String("debug", "", "write a protocol trace to `file`")
		idle       = flag.Duration("idle", imap.DefaultIdleTimeout, "autologout after this idle `time` (RFC 3501: at least 30m)")
		maxLine    = flag.Int("maxline", imap.DefaultMaxLine, "longest command line in `bytes`, literals excluded")
		maxLiteral = flag.Int64("maxliteral", imap.DefaultMaxLiteral, "largest literal (APPEND) in `bytes`")
		maxConns   = flag.Int("maxconns", imap.DefaultMaxConns, "most concurrent connections per listener")
		delay      = flag.Duration("faildelay", auth.DefaultDelay.Base, "delay after the first failed login, doubling after each")
		maxDelay   = flag.Duration("maxfaildelay", auth.DefaultDelay.Max, "longest delay after a failed login")
		maxFail    = flag.Int("maxfail", auth.DefaultDelay.Limit, "failed logins after which a session is ended (0: no limit)")
		listen     listFlag
		listenTLS  listFlag
	)
	flag.Var(&listen, "l", "listen on `addr` (host:port or tcp!host!port); repeatable")
	flag.Var(&listenTLS, "ltls", "listen with implicit TLS on `addr` (port 993 style); repeatable")
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if *p9cr && *allowPass {
		log.Fatal("-c and -p are mutually exclusive")
	}
	if *root == "" && *fsAddr == "" {
		dir, users, err := demo.Root()
		if err != nil {
			log.Fatal(err)
		}
		*root = dir
		log.Printf("serving the demo mail root %s: users %s, password %q", dir, strings.Join(users, ", "), demo.Secret)
	}
	host, _ := os.Hostname()
	cfg := imap.Config{
		Source:      &mailfs.Source{Addr: *fsAddr, Root: *root},
		AllowPlain:  *allowPass,
		P9CR:        *p9cr,
		ServerName:  firstOf(*serverName, host),
		MailDomain:  *mailDomain,
		RatifyDir:   *ratify,
		IdleTimeout: *idle,
		MaxLine:     *maxLine,
		MaxLiteral:  *maxLiteral,
		MaxConns:    *maxConns,
		Delay:       auth.Delay{Base: *delay, Max: *maxDelay, Limit: *maxFail},
	}
	if err := cfg.Source.Check(); err != nil {
		log.Fatal(err)
	}
	if *peer != "" {
		a, err := netip.ParseAddr(strings.SplitN(*peer, "!", 2)[0])
		if err != nil {
			log.Fatalf("-r: %v", err)
		}
		cfg.Peer = a
	}
	if *verbose {
		cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	var err error
	if cfg.TLS, err = protocol.LoadTLS(*certFile, *keyFile); err != nil {
		log.Fatal(err)
	}
	if *preauth {
		cfg.Preauth = *preUser
		if cfg.Preauth == "" {
			cfg.Preauth = os.Getenv("USER")
		}
		if !mailfs.ValidUser(cfg.Preauth) {
			log.Fatalf("-a: bad user %q", cfg.Preauth)
		}
	} else {
		if *keysDir == "" {
			*keysDir = filepath.Join(*root, "keys")
		}
		if cfg.Keys, err = auth.OpenKeys(*keysDir); err != nil {
			log.Fatal(err)
		}
	}
	if *debugFile != "" {
		f, err := os.OpenFile(*debugFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0600)
		if err != nil {
			log.Fatal(err)
		}
		cfg.Debug = f
	}
	srv, err := imap.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	if len(listen) == 0 && len(listenTLS) == 0 {
		srv.ServeConn(protocol.StdioConn(), false)
		return
	}
	protocol.ServeAll(listen, listenTLS, cfg.TLS != nil, ninep.Listen, srv.Serve)
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
