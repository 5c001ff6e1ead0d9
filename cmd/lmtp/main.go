// Command lmtp delivers mail by LMTP (RFC 2033) into users' mailboxes
// under a mail root, or through a upasfs over 9P (-fs), for a mail
// transfer agent such as Postfix (mailbox_transport =
// lmtp:inet:127.0.0.1:24).
//
// Usage:
//
//	lmtp [-v] [-l addr]... [-root dir | -fs addr [-authkey file]] [-s name]
//	     [-maxsize bytes] [-maxrcpts n] [-maxline bytes] [-maxconns n] [-maxperaddr n]
//	     [-idle time] [-locktimeout time]
//
// Without -l it serves one connection on standard input and output
// (inetd, systemd socket units). See README.md and docs/operations.md.
package main

import (
	"flag"
	"log"
	"log/slog"
	"net"
	"os"
	"strings"

	"p9mail/cmd/internal/daemon"
	"p9mail/ninep"
	"p9mail/protocol/lmtp"
	"p9mail/protocol/mailfs"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("lmtp: ")
	var listen daemon.ListFlag
	flag.Var(&listen, "l", "listen on `addr` (host:port or tcp!host!port; :port is loopback's: LMTP has no authentication); repeatable")
	var (
		root       = flag.String("root", "", "mail root `dir` holding box/<user>/ (delivered with mbox.Append on this host)")
		fsAddr     = flag.String("fs", "", "deliver through the running upasfs at `addr` (its box attach) instead of -root")
		authKey    = flag.String("authkey", "", "authenticate to the -fs upasfs with the shared key in `file`")
		name       = flag.String("s", "", "server `name` in the greeting and Received fields (default: the host name)")
		verbose    = flag.Bool("v", false, "log deliveries and errors to standard error")
		maxSize    = flag.Int64("maxsize", lmtp.DefaultMaxSize, "largest message in `bytes` (announced as SIZE)")
		maxRcpts   = flag.Int("maxrcpts", lmtp.DefaultMaxRcpts, "most recipients of one message")
		maxLine    = flag.Int("maxline", lmtp.DefaultMaxLine, "longest command line in `bytes`")
		maxConns   = flag.Int("maxconns", lmtp.DefaultMaxConns, "most concurrent connections per listener")
		maxPerAddr = flag.Int("maxperaddr", 0, "most concurrent connections from one address (0: the servers' default; -1: no bound)")
		maxErrors  = flag.Int("maxerrors", lmtp.DefaultMaxErrors, "refused commands after which a session is ended")
		idle       = flag.Duration("idle", lmtp.DefaultIdleTimeout, "end a session idle this `long` (RFC 5321: at least 5m)")
		lockWait   = flag.Duration("locktimeout", lmtp.DefaultLockTimeout, "wait this `long` for a mailbox's locks before a temporary failure")
	)
	flag.Parse()
	if flag.NArg() != 0 || (*root == "") == (*fsAddr == "") {
		log.Print("give one of -root and -fs")
		flag.Usage()
		os.Exit(2)
	}
	var d lmtp.Deliverer
	if *root != "" {
		if st, err := os.Stat(*root + "/box"); err != nil || !st.IsDir() {
			log.Fatalf("mail root %s has no box directory", *root)
		}
		d = &lmtp.HostDeliverer{Root: *root, LockTimeout: *lockWait}
	} else {
		src := &mailfs.Source{Addr: *fsAddr}
		if *authKey != "" {
			key, err := ninep.ReadAuthKey(*authKey)
			if err != nil {
				log.Fatal(err)
			}
			src.Key = key
		}
		d = &lmtp.NSDeliverer{Source: src, LockTimeout: *lockWait}
	}
	host, _ := os.Hostname()
	if *name == "" {
		*name = host
	}
	cfg := lmtp.Config{Deliverer: d, ServerName: *name, MaxSize: *maxSize, MaxRcpts: *maxRcpts,
		MaxLine: *maxLine, MaxConns: *maxConns, MaxPerAddr: *maxPerAddr, MaxErrors: *maxErrors, IdleTimeout: *idle}
	if *verbose {
		cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	srv, err := lmtp.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	activated, err := daemon.Activated()
	if err != nil {
		log.Fatal(err)
	}
	if len(listen) == 0 && len(activated) == 0 {
		srv.ServeConn(daemon.StdioConn())
		return
	}
	for i, a := range listen {
		// LMTP has no authentication: an address without a host is
		// loopback's, not every interface's.
		if strings.HasPrefix(a, ":") {
			listen[i] = "127.0.0.1" + a
		}
	}
	daemon.ServeAll(listen, nil, activated, false, ninep.Listen, func(l net.Listener, _ bool) error { return srv.Serve(l) })
}
