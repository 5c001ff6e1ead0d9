// Command pop3 is a POP3 server over a upasfs, after Plan 9's
// upas/pop3 (pop3(8)).
//
// Usage:
//
//	pop3 [-p] [-a mailbox] [-d debugfile] [-r peeraddr] [-t cert [-k key]]
//	     [-l addr]... [-ltls addr]... [-fs addr] [-root dir] [-keys dir] ...
//
// With neither -l nor -ltls it serves one connection on standard input
// and output. See README.md for every flag.
package main

import (
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"p9mail/ninep"
	"p9mail/protocol"
	"p9mail/protocol/auth"
	"p9mail/protocol/mailfs"
	"p9mail/protocol/pop3"
	"p9mail/upasfs/demo"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	log.SetFlags(0)
	log.SetPrefix("pop3: ")
	var (
		preauth   = flag.String("a", "", "pre-authenticate every session on `mailbox` (user, or /mail/box/user/file)")
		debugFile = flag.String("d", "", "write a protocol trace to `debugfile`")
		allowPass = flag.Bool("p", false, "allow clear-text passwords without TLS")
		peer      = flag.String("r", "", "peer `address` for ratification and logs (default: the connection's)")
		certFile  = flag.String("t", "", "TLS certificate `file` (PEM chain, and the key unless -k)")
		keyFile   = flag.String("k", "", "TLS key `file` (PEM)")
		fsAddr    = flag.String("fs", "", "attach to the running upasfs at `addr` instead of the built-in emulator")
		root      = flag.String("root", "", "mail root `dir` holding box/<user>/ (default: a demo root with sample mail)")
		keysDir   = flag.String("keys", "", "secrets `dir` in keyfs layout (default: <root>/keys)")
		ratify    = flag.String("ratify", "", "ratify `dir`: after each login create <dir>/trusted/<peer>#32")
		domain    = flag.String("domain", "", "`domain` of APOP challenges (default: the host name)")
		idle      = flag.Duration("idle", pop3.DefaultIdleTimeout, "autologout after this idle `time` (RFC 1939: at least 10m)")
		maxLine   = flag.Int("maxline", pop3.DefaultMaxLine, "longest command line in `bytes`")
		maxConns  = flag.Int("maxconns", pop3.DefaultMaxConns, "most concurrent connections per listener")
		delay     = flag.Duration("faildelay", auth.DefaultDelay.Base, "delay after the first failed login, doubling after each")
		maxDelay  = flag.Duration("maxfaildelay", auth.DefaultDelay.Max, "longest delay after a failed login")
		maxFail   = flag.Int("maxfail", auth.DefaultDelay.Limit, "failed logins after which a session is ended (0: no limit)")
		verbose   = flag.Bool("v", false, "log logins and errors to standard error")
		listen    listFlag
		listenTLS listFlag
	)
	flag.Var(&listen, "l", "listen on `addr` (host:port or tcp!host!port); repeatable")
	flag.Var(&listenTLS, "ltls", "listen with implicit TLS on `addr` (port 995 style); repeatable")
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if *root == "" && *fsAddr == "" {
		dir, users, err := demo.Root()
		if err != nil {
			log.Fatal(err)
		}
		*root = dir
		log.Printf("serving the demo mail root %s: users %s, password %q", dir, strings.Join(users, ", "), demo.Secret)
	}
	cfg := pop3.Config{
		Source:      &mailfs.Source{Addr: *fsAddr, Root: *root},
		AllowPlain:  *allowPass,
		Domain:      *domain,
		RatifyDir:   *ratify,
		IdleTimeout: *idle,
		MaxLine:     *maxLine,
		MaxConns:    *maxConns,
		Delay:       auth.Delay{Base: *delay, Max: *maxDelay, Limit: *maxFail},
	}
	if err := cfg.Source.Check(); err != nil {
		log.Fatal(err)
	}
	if cfg.Domain == "" {
		cfg.Domain, _ = os.Hostname()
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
	if *preauth != "" {
		cfg.Preauth, cfg.PreauthBox, err = parseMailbox(*preauth)
		if err != nil {
			log.Fatal(err)
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
	srv, err := pop3.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	if len(listen) == 0 && len(listenTLS) == 0 {
		srv.ServeConn(protocol.StdioConn(), false)
		return
	}
	protocol.ServeAll(listen, listenTLS, cfg.TLS != nil, ninep.Listen, srv.Serve)
}

// parseMailbox reads -a: "user" (the user's mbox) or
// "/mail/box/<user>/<file>".
func parseMailbox(s string) (user, file string, err error) {
	if rest, ok := strings.CutPrefix(s, mailfs.BoxDir+"/"); ok {
		user, file, _ = strings.Cut(rest, "/")
	} else {
		user, file = s, "mbox"
	}
	if !mailfs.ValidUser(user) || file == "" || strings.Contains(file, "..") {
		return "", "", fmt.Errorf("-a: bad mailbox %q", s)
	}
	return user, file, nil
}
