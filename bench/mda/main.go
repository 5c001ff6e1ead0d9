//go:build unix

// Command mda is the campaign's Unix mail delivery agent
// (docs/campaign.md): it appends the messages <prefix>-1@mda,
// <prefix>-2@mda, ... (campaign.Message) to a mailbox file under the
// dotlock and an fcntl lock, as procmail does (-plan9: through
// mbox.Append, which takes L.mbox too), and prints "delivered ID" on
// standard output once each is written and fsync'ed.
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
	log.SetPrefix("mda: ")
	var (
		path   = flag.String("mbox", "", "mailbox `file` to deliver to")
		prefix = flag.String("prefix", "m", "Message-ID `prefix`")
		n      = flag.Int("n", 1, "messages to deliver")
		plan9  = flag.Bool("plan9", false, "take Plan 9's L.mbox as well (mbox.Append)")
		pause  = flag.Duration("pause", 0, "pause between deliveries")
	)
	flag.Parse()
	if *path == "" {
		log.Fatal("-mbox is required")
	}
	for i := 1; i <= *n; i++ {
		id := fmt.Sprintf("%s-%d@mda", *prefix, i)
		if err := campaign.Deliver(*path, id, *plan9, 30*time.Second); err != nil {
			log.Fatal(err)
		}
		if _, err := fmt.Fprintf(os.Stdout, "delivered %s\n", id); err != nil {
			log.Fatal(err)
		}
		time.Sleep(*pause)
	}
}
