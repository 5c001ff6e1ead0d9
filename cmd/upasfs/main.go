// Command upasfs is a upasfs(4) emulator: it serves the mbox files
// under <root>/box/<user>/ over 9P as Plan 9's upas/fs does.
//
// Usage:
//
//	upasfs [-dnp] [-f mboxfile] [-s] [-l addr]... [-root dir] [-u user]
//
// With neither -l nor -s it serves one 9P conversation on standard input
// and output (listen(8), inetd). See README.md for the flags.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
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
		file   = flag.String("f", "", "open `mboxfile` as mbox in every attach (default: the user's mbox)")
		noOpen = flag.Bool("n", false, "open no mailbox at attach")
		_      = flag.Bool("p", false, "no plumbing (always true here; accepted for compatibility)")
		trace  = flag.Bool("d", false, "trace 9P messages to standard error")
		post   = flag.Bool("s", false, "post the service `upasfs` in the name space directory ($NAMESPACE)")
		root   = flag.String("root", "", "mail root `dir` holding box/<user>/ (default: a demo root with embedded sample mail)")
		user   = flag.String("u", "", "accept attaches only from `user`")
		listen listFlag
	)
	flag.Var(&listen, "l", "listen on `addr` (tcp!host!port, host:port, unix!/path, /path); repeatable")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: upasfs [-dnps] [-f mboxfile] [-l addr]... [-root dir] [-u user]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if *root == "" {
		dir, users, err := demo.Root()
		if err != nil {
			log.Fatal(err)
		}
		*root = dir
		log.Printf("serving the demo mail root %s (users %s)", dir, strings.Join(users, ", "))
	}
	srv, err := server.New(server.Config{Root: *root, File: *file, NoOpen: *noOpen, User: *user})
	if err != nil {
		log.Fatal(err)
	}
	var tw io.Writer
	if *trace {
		tw = os.Stderr
	}
	s9 := srv.Srv9p(tw)
	if *post {
		listen = append(listen, "upasfs")
	}
	if len(listen) == 0 {
		ninep.ServeStdio(s9)
		return
	}
	var wg sync.WaitGroup
	for _, addr := range listen {
		l, err := ninep.Listen(addr)
		if err != nil {
			log.Fatal(err)
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
