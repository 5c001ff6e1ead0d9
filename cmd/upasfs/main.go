// Command upasfs is a upasfs(4) emulator: it serves the mbox files
// under <root>/box/<user>/ over 9P as Plan 9's upas/fs does.
//
// Usage:
//
//	upasfs [-dnp] [-f mboxfile] [-s] [-l addr]... [-root dir] [-u user]
//	       [-authkey file | -noauth] [-sockmode mode] [-index dir]
//
// With neither -l nor -s it serves one 9P conversation on standard input
// and output (listen(8), inetd). See README.md for the flags.
//
// With -authkey every attach must authenticate with the key in file
// (docs/upasfs.md, "Authentication"), and may then attach as any user.
// Without it, attaches are not authenticated, which is allowed only
// where other hosts cannot connect: standard input, Unix-domain sockets
// (mode 0600 unless -sockmode says otherwise) and loopback TCP. A
// listener other hosts can reach is refused unless -noauth is given,
// and then logged as a warning.
package main

import (
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"

	"p9mail/ninep"
	"p9mail/upasfs/demo"
	"p9mail/upasfs/server"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	log.SetFlags(0)
	log.SetPrefix("upasfs: ")
	var (
		file    = flag.String("f", "", "open `mboxfile` as mbox in every attach (default: the user's mbox)")
		noOpen  = flag.Bool("n", false, "open no mailbox at attach")
		_       = flag.Bool("p", false, "no plumbing (always true here; accepted for compatibility)")
		trace   = flag.Bool("d", false, "trace 9P messages to standard error")
		post    = flag.Bool("s", false, "post the service `upasfs` in the name space directory ($NAMESPACE)")
		root    = flag.String("root", "", "mail root `dir` holding box/<user>/ (default: a demo root with embedded sample mail)")
		user    = flag.String("u", "", "accept attaches only from `user`")
		keyFile = flag.String("authkey", "", "require attaches to authenticate with the shared key in `file` (mode 0600 or stricter)")
		noAuth  = flag.Bool("noauth", false, "allow unauthenticated attaches on listeners other hosts can reach (insecure)")
		sockMod = flag.String("sockmode", "0600", "permission `mode` (octal) of Unix-domain sockets")
		index   = flag.String("index", "", "keep the mailboxes' parse indexes in `dir` (default p9mail/upasfs in the user's cache directory, none for the demo root; '' for none)")
		listen  listFlag
	)
	flag.Var(&listen, "l", "listen on `addr` (tcp!host!port, host:port, unix!/path, /path); repeatable")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: upasfs [-dnps] [-f mboxfile] [-l addr]... [-root dir] [-u user] [-authkey file | -noauth] [-sockmode mode] [-index dir]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	mode, err := parseMode(*sockMod)
	if err != nil {
		log.Fatalf("-sockmode: %v", err)
	}
	var key []byte
	switch {
	case *keyFile != "" && *noAuth:
		log.Fatal("-authkey and -noauth exclude each other")
	case *keyFile != "":
		if key, err = ninep.ReadAuthKey(*keyFile); err != nil {
			log.Fatal(err)
		}
	}
	indexSet := false
	flag.Visit(func(f *flag.Flag) { indexSet = indexSet || f.Name == "index" })
	if !indexSet && *root != "" {
		if *index, err = server.DefaultIndexDir(); err != nil {
			log.Printf("no index directory: %v", err)
			*index = ""
		}
	}
	if *root == "" {
		dir, users, err := demo.Root()
		if err != nil {
			log.Fatal(err)
		}
		*root = dir
		log.Printf("serving the demo mail root %s (users %s)", dir, strings.Join(users, ", "))
	}
	srv, err := server.New(server.Config{Root: *root, File: *file, NoOpen: *noOpen, User: *user, Index: *index})
	if err != nil {
		log.Fatal(err)
	}
	var tw io.Writer
	if *trace {
		tw = os.Stderr
	}
	s9 := srv.Srv9p(tw)
	if key != nil {
		s9 = ninep.RequireAuth(s9, key)
	}
	if *post {
		listen = append(listen, "upasfs")
	}
	if len(listen) == 0 {
		ninep.ServeStdio(s9)
		return
	}
	var wg sync.WaitGroup
	for _, addr := range listen {
		l, err := ninep.ListenMode(addr, mode)
		if err != nil {
			log.Fatal(err)
		}
		if key == nil && !ninep.LoopbackOnly(l) {
			if !*noAuth {
				log.Fatalf("%s is reachable from other hosts and attaches are not authenticated: "+
					"anyone there could read and delete any user's mail; give -authkey (or -noauth to allow it)", describe(addr, l))
			}
			log.Printf("WARNING: %s is reachable from other hosts and attaches are not authenticated (-noauth)", describe(addr, l))
		}
		log.Printf("listening on %s", describe(addr, l))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := ninep.Serve(l, s9); err != nil {
				log.Print(err)
			}
		}()
	}
	wg.Wait()
}

// describe names the address l listens on in Plan 9 form, so that a
// port chosen by the system (port 0) can be read off the log.
func describe(addr string, l net.Listener) string {
	if host, port, err := net.SplitHostPort(l.Addr().String()); err == nil && l.Addr().Network() == "tcp" {
		return "tcp!" + host + "!" + port
	}
	return addr
}

// parseMode parses an octal permission mode such as 0660.
func parseMode(s string) (fs.FileMode, error) {
	m, err := strconv.ParseUint(s, 8, 32)
	if err != nil || m&^0o777 != 0 {
		return 0, fmt.Errorf("%q is not an octal permission mode (0000 to 0777)", s)
	}
	return fs.FileMode(m), nil
}
