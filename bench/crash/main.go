//go:build unix

// Command crash runs the crash campaign of docs/campaign.md: it builds
// cmd/upasfs, cmd/imap4d, cmd/pop3 and bench/mda, then runs trials that
// kill one of them with SIGKILL at a random point of APPEND, COPY,
// MOVE, EXPUNGE, STORE, POP3 DELE+QUIT or a delivery, restart the
// servers and check every acknowledged message, expunge, UID and flag.
//
//	go run ./bench/crash -trials 1000
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"p9mail/bench/internal/campaign"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("crash: ")
	var (
		trials = flag.Int("trials", 1000, "trials (one kill each)")
		seed   = flag.Uint64("seed", uint64(time.Now().UnixNano()), "random `seed`")
		window = flag.Duration("window", 60*time.Millisecond, "kills fall in [0, window) after the clients are ready")
		phases = flag.String("phases", "", "comma-separated phases to draw from (default all: "+strings.Join(campaign.Phases, ",")+")")
		plan9  = flag.Bool("mdaplan9", false, "the delivery agent takes L.mbox too (mbox.Append)")
		race   = flag.Bool("mdarace", false, "IMAP APPENDs race with the delivery agent (shows the L.mbox-only append bug)")
		keep   = flag.Bool("keep", false, "keep the work directory")
		strict = flag.Bool("strict", false, "exit 1 on known bugs' findings too")
	)
	flag.Parse()
	dir, err := os.MkdirTemp("", "crash")
	if err != nil {
		log.Fatal(err)
	}
	if *keep {
		log.Printf("work directory %s", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bin, err := campaign.Build(dir)
	if err != nil {
		log.Fatal(err)
	}
	cfg := campaign.CrashConfig{Trials: *trials, Seed: *seed, Bin: bin, Dir: dir, Window: *window,
		MDAPlan9: *plan9, MDARace: *race, Log: os.Stderr}
	if *phases != "" {
		cfg.Phases = strings.Split(*phases, ",")
	}
	fmt.Printf("seed %d\n", *seed)
	res, err := campaign.RunCrash(cfg)
	if res != nil {
		res.Report(os.Stdout)
	}
	if err != nil {
		log.Print(err)
		os.RemoveAll(dir)
		os.Exit(2)
	}
	bad := 0
	for _, f := range res.Findings {
		if f.Known == "" || *strict {
			bad++
		}
	}
	if bad > 0 {
		os.RemoveAll(dir)
		os.Exit(1)
	}
}
