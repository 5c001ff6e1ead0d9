// Command pop3 is a POP3 server over a upasfs, after Plan 9's
// upas/pop3 (pop3(8)).
//
// Usage:
//
//	pop3 [-p] [-a mailbox] [-d debugfile] [-r peeraddr] [-t cert [-k key]]
//	     [-l addr]... [-ltls addr]... [-fs addr [-authkey file]] [-root dir] [-keys dir] ...
//
// With neither -l nor -ltls it serves one connection on standard input
// and output. See README.md for every flag.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"p9mail/cmd/internal/daemon"
	"p9mail/protocol/mailfs"
	"p9mail/protocol/pop3"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("pop3: ")
	var f daemon.Flags
	f.Register("d", "995", pop3.DefaultIdleTimeout, "RFC 1939: at least 10m", pop3.DefaultMaxLine, pop3.DefaultMaxConns)
	var (
		preauth   = flag.String("a", "", "pre-authenticate every session on `mailbox` (user, or /mail/box/user/file)")
		allowPass = flag.Bool("p", false, "allow clear-text passwords without TLS")
		domain    = flag.String("domain", "", "`domain` of APOP challenges (default: the host name)")
	)
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	set := f.Resolve(*preauth != "")
	cfg := pop3.Config{
		Source:       set.Source,
		Keys:         set.Keys,
		TLS:          set.TLS,
		AllowPlain:   *allowPass,
		Domain:       *domain,
		RatifyDir:    f.Ratify,
		Peer:         set.Peer,
		Debug:        set.Debug,
		Log:          set.Log,
		IdleTimeout:  f.Idle,
		MaxLine:      f.MaxLine,
		MaxConns:     f.MaxConns,
		Delay:        set.Delay,
		IndexDir:     subdir(set.Index, "pop3"),
		Throttle:     set.Throttle,
		MaxPerAddr:   set.MaxPerAddr,
		LoginTimeout: f.LoginTimeout,
	}
	if cfg.Domain == "" {
		cfg.Domain, _ = os.Hostname()
	}
	if *preauth != "" {
		var err error
		if cfg.Preauth, cfg.PreauthBox, err = parseMailbox(*preauth); err != nil {
			log.Fatal(err)
		}
	}
	srv, err := pop3.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	activated, err := daemon.Activated()
	if err != nil {
		log.Fatal(err)
	}
	if len(f.Listen) == 0 && len(f.ListenTLS) == 0 && len(activated) == 0 {
		srv.ServeConn(daemon.StdioConn(), false)
		return
	}
	daemon.ServeAll(f.Listen, f.ListenTLS, set.ProxyAll(activated), cfg.TLS != nil, set.Listen, srv.Serve)
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

// subdir is dir/name, or "" when dir is.
func subdir(dir, name string) string {
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, name)
}
