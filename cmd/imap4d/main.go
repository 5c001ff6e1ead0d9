// Command imap4d is an IMAP4rev1 server over a upasfs, after Plan 9's
// ip/imap4d (pop3(8)).
//
// Usage:
//
//	imap4d [-acpv] [-d smtpdomain] [-s servername] [-r peeraddr] [-t cert [-k key]]
//	       [-l addr]... [-ltls addr]... [-fs addr [-authkey file]] [-root dir] [-keys dir] ...
//
// With neither -l nor -ltls it serves one connection on standard input
// and output. See README.md for every flag.
package main

import (
	"flag"
	"log"
	"os"
	"path/filepath"

	"p9mail/cmd/internal/daemon"
	"p9mail/protocol/imap"
	"p9mail/protocol/imap/message"
	"p9mail/protocol/mailfs"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("imap4d: ")
	var f daemon.Flags
	f.Register("debug", "993", imap.DefaultIdleTimeout, "RFC 3501: at least 30m", imap.DefaultMaxLine, imap.DefaultMaxConns)
	var (
		preauth    = flag.Bool("a", false, "pre-authenticate every session as the user running imap4d (-user to name another)")
		preUser    = flag.String("user", "", "with -a: the `user` sessions are authenticated as")
		p9cr       = flag.Bool("c", false, "LOGIN uses Plan 9 challenge/response (p9cr)")
		allowPass  = flag.Bool("p", false, "allow clear-text passwords (LOGIN, AUTHENTICATE PLAIN/LOGIN) without TLS")
		mailDomain = flag.String("d", "", "mail `domain` for addresses without one (default: the server name)")
		serverName = flag.String("s", "", "server `name` in the greeting (default: the host name)")
		maxLiteral = flag.Int64("maxliteral", imap.DefaultMaxLiteral, "largest literal (APPEND) in `bytes`")
		maxStrings = flag.Int64("maxstrings", imap.DefaultMaxStrings, "most literal string `bytes` one command may hold in memory (APPEND's message excluded)")
		maxBinary  = flag.Int64("maxbinaryappend", imap.DefaultMaxBinaryAppend, "largest APPENDed literal8 (BINARY) message in `bytes`, held in memory to re-encode")
		maxRatio   = flag.Int("maxcompressratio", imap.DefaultMaxCompressRatio, "under COMPRESS=DEFLATE, most inflated octets per compressed octet a client may send (past 1 MiB)")
		preLine    = flag.Int("maxpreauthline", imap.DefaultMaxPreauthLine, "longest command line in `bytes` before login")
		preLiteral = flag.Int64("maxpreauthliteral", imap.DefaultMaxPreauthLiteral, "largest literal in `bytes` before login")
		maxKw      = flag.Int("maxkeywords", imap.DefaultMaxKeywords, "most keywords in one mailbox")
		maxMsgKw   = flag.Int("maxmsgkeywords", imap.DefaultMaxMessageKeywords, "most keywords on one message")
		maxSearch  = flag.Int("maxsearchkeys", imap.DefaultMaxSearchKeys, "most keys in one SEARCH, nested ones counted")
		maxUpdates = flag.Int("maxsearchupdates", imap.DefaultMaxSearchUpdates, "most searches with RETURN (UPDATE) one session keeps updating")
		maxHeader  = flag.Int64("maxheader", message.DefaultMaxHeader, "most `bytes` of a header block parsed in memory (longer ones are streamed)")
		specialUse = flag.Bool("specialuse", false, "a user's first login creates the missing Sent, Drafts, Trash, Junk and Archive mailboxes")
		idlePoll   = flag.Duration("idlepoll", imap.DefaultIdlePoll, "during IDLE, look for changes every `interval`")
	)
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if *p9cr && *allowPass {
		log.Fatal("-c and -p are mutually exclusive")
	}
	set := f.Resolve(*preauth)
	host, _ := os.Hostname()
	cfg := imap.Config{
		Source:             set.Source,
		Keys:               set.Keys,
		TLS:                set.TLS,
		AllowPlain:         *allowPass,
		P9CR:               *p9cr,
		ServerName:         firstOf(*serverName, host),
		MailDomain:         *mailDomain,
		RatifyDir:          f.Ratify,
		Peer:               set.Peer,
		Log:                set.Log,
		Debug:              set.Debug,
		IdleTimeout:        f.Idle,
		MaxLine:            f.MaxLine,
		MaxLiteral:         *maxLiteral,
		MaxStrings:         *maxStrings,
		MaxBinaryAppend:    *maxBinary,
		MaxCompressRatio:   *maxRatio,
		MaxPreauthLine:     *preLine,
		MaxPreauthLiteral:  *preLiteral,
		MaxConns:           f.MaxConns,
		Delay:              set.Delay,
		Throttle:           set.Throttle,
		MaxPerAddr:         set.MaxPerAddr,
		LoginTimeout:       f.LoginTimeout,
		MaxKeywords:        *maxKw,
		MaxMessageKeywords: *maxMsgKw,
		MaxSearchKeys:      *maxSearch,
		MaxSearchUpdates:   *maxUpdates,
		MaxHeader:          *maxHeader,
		CreateSpecialUse:   *specialUse,
		IndexDir:           subdir(set.Index, "imap"),
		IdlePoll:           *idlePoll,
	}
	if *preauth {
		cfg.Preauth = firstOf(*preUser, os.Getenv("USER"))
		if !mailfs.ValidUser(cfg.Preauth) {
			log.Fatalf("-a: bad user %q", cfg.Preauth)
		}
	}
	srv, err := imap.New(cfg)
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

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// subdir is dir/name, or "" when dir is.
func subdir(dir, name string) string {
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, name)
}
