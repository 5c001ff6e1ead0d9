//go:build unix

// Command stress runs the stress load of docs/campaign.md: it builds
// cmd/upasfs and cmd/imap4d, then runs many checking IMAP clients at
// once on one mailbox or many, and measures the servers' memory and
// descriptors before, during and after.
//
//	go run ./bench/stress -clients 200 -duration 60s -boxes 1
//	go run ./bench/stress -clients 200 -duration 60s -boxes 200
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"p9mail/bench/internal/campaign"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("stress: ")
	var (
		clients   = flag.Int("clients", 200, "concurrent clients")
		duration  = flag.Duration("duration", 60*time.Second, "length of the load")
		boxes     = flag.Int("boxes", 1, "mailboxes: 1 (INBOX for all) or n (client i on box<i%n>)")
		msgs      = flag.Int("messages", 100, "generated messages per mailbox at the start")
		fs        = flag.Bool("fs", false, "imap4d -fs on a upasfs process instead of its embedded emulator")
		seed      = flag.Uint64("seed", uint64(time.Now().UnixNano()), "random `seed`")
		rssSlack  = flag.Int64("rssslack", 64<<20, "RSS `bytes` a server may keep above its baseline after the load")
		verbose   = flag.Bool("v", false, "print the end of each server's standard error (with GODEBUG=gctrace=1: its heap)")
		settle    = flag.Duration("settle", 150*time.Second, "wait up to this long after the load for a collection and for RSS to come back")
		heapSlack = flag.Int64("heapslack", 32<<20, "live heap `bytes` a server may keep above its baseline after the load")
		rssGate   = flag.Bool("rssgate", false, "fail on RSS too (the runtime gives memory back slowly: by default RSS is only reported)")
	)
	flag.Parse()
	dir, err := os.MkdirTemp("", "stress")
	if err != nil {
		log.Fatal(err)
	}
	bin, err := campaign.Build(dir)
	if err != nil {
		os.RemoveAll(dir)
		log.Fatal(err)
	}
	fmt.Printf("seed %d, %d clients, %v, %d mailboxes of %d messages, fs %v\n", *seed, *clients, *duration, *boxes, *msgs, *fs)
	res, err := campaign.RunStress(campaign.StressConfig{Clients: *clients, Duration: *duration, Boxes: *boxes,
		Messages: *msgs, Seed: *seed, FS: *fs, Bin: bin, Dir: dir, Settle: *settle, RSSSlack: *rssSlack, GCTrace: true})
	os.RemoveAll(dir)
	if err != nil {
		log.Fatal(err)
	}
	res.Report(os.Stdout)
	if *verbose {
		for _, m := range res.Mem {
			fmt.Printf("%s's last lines of standard error:\n%s\n", m.Name, m.LogTail)
		}
	}
	bad := len(res.Errors)
	for _, m := range res.Mem {
		if m.FDAfter > m.FDBase+m.FDAllow {
			fmt.Printf("FAIL %s: %d descriptors after the load, %d allowed\n", m.Name, m.FDAfter, m.FDBase+m.FDAllow)
			bad++
		}
		if m.HeapAfter < 0 {
			fmt.Printf("FAIL %s: no collection within -settle after the load\n", m.Name)
			bad++
		} else if m.HeapAfter > max(m.HeapBase, 0)+*heapSlack {
			fmt.Printf("FAIL %s: live heap %d after the load, %d allowed\n", m.Name, m.HeapAfter, max(m.HeapBase, 0)+*heapSlack)
			bad++
		}
		if *rssGate && m.RSSAfter > m.RSSBase+*rssSlack {
			fmt.Printf("FAIL %s: RSS %d after the load, %d allowed\n", m.Name, m.RSSAfter, m.RSSBase+*rssSlack)
			bad++
		}
	}
	if bad > 0 {
		os.Exit(1)
	}
}
