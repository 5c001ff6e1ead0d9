// Command imapload is the client side of bench/imap.sh: it runs one
// timed IMAP session (connect, LOGIN, SELECT INBOX, FETCH 1:* of the
// listing items, FETCH 1:* BODY.PEEK[], LOGOUT) against a server and
// appends the step timings to a results file as one JSON line. With
// -report it reads such a file and prints the comparison table instead.
//
// Usage:
//
//	imapload -addr host:port -user u -pass p -label ours|dovecot -kind cold|warm
//	         [-out results.jsonl] [-dump msgs.txt] [-cpupid pid]
//	imapload -inproc -root dir -keys dir [-mbox file] [-runs n] [-cpuprofile prefix] ...
//	imapload -report results.jsonl [-dumps ours.txt,dovecot.txt]
//
// -dump writes each message's BODY[] octets and CRC-32C to the file and
// its listing items to the file plus ".meta". -inproc serves the
// sessions from protocol/imap over protocol/mailfs in this process, so
// that -cpuprofile sees the server's time too.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"time"

	"p9mail/bench/internal/loadkit"
)

type options struct {
	addr, user, pass string
	label, kind      string
	timeout          time.Duration
	out, dump        string
	inproc           bool
	root, keys       string
	cpuprofile       string
	cpupid           int
	mbox             string // -inproc: copy this mailbox in first
	runs             int    // -inproc: sessions to run
	session          string // fetch (the default) or sort (sort.go)
}

var errUsage = errors.New("usage")

func main() {
	log.SetFlags(0)
	log.SetPrefix("imapload: ")
	var o options
	flag.StringVar(&o.addr, "addr", "", "server `host:port`")
	flag.StringVar(&o.user, "user", "bench", "`user` name")
	flag.StringVar(&o.pass, "pass", "pass", "`password`")
	flag.StringVar(&o.label, "label", "ours", "server `label` in the results")
	flag.StringVar(&o.kind, "kind", "warm", "run `kind`: cold or warm")
	flag.DurationVar(&o.timeout, "timeout", 2*time.Minute, "per-command `timeout`")
	flag.StringVar(&o.out, "out", "", "append the result to `file` (default: standard output)")
	flag.StringVar(&o.dump, "dump", "", "write each message's BODY[] octets and CRC-32C to `file`, its listing items to file.meta")
	flag.BoolVar(&o.inproc, "inproc", false, "serve in this process over -root and -keys (for profiling)")
	flag.StringVar(&o.root, "root", "", "mail root `dir` for -inproc")
	flag.StringVar(&o.keys, "keys", "", "keys `dir` for -inproc (default: <root>/keys)")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of each step to `prefix`.<step>.prof (-inproc: prefix.cold.<step>.prof and prefix.warm.<step>.prof)")
	flag.IntVar(&o.cpupid, "cpupid", 0, "also report the CPU time of process `pid` and its descendants (Linux)")
	flag.StringVar(&o.mbox, "mbox", "", "with -inproc: first copy mailbox `file` into place (and remove its .imp)")
	flag.IntVar(&o.runs, "runs", 1, "with -inproc: `number` of sessions; the first is cold, the rest warm")
	flag.StringVar(&o.session, "session", "fetch", "the session to run: `fetch` (the FETCHes) or sort (SORT and THREAD)")
	report := flag.String("report", "", "print the table for the results `file` and exit")
	dumps := flag.String("dumps", "", "with -report: `ours,dovecot` dump files to compare")
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	var err error
	switch {
	case *report != "":
		err = printReport(os.Stdout, *report, *dumps)
	case o.inproc:
		err = measureInProcess(&o)
	case o.session != "fetch" && o.session != "sort":
		err = fmt.Errorf("%w: -session %q", errUsage, o.session)
	case o.addr == "":
		err = fmt.Errorf("%w: no -addr", errUsage)
	default:
		err = measure1(&o)
	}
	if err != nil {
		log.Fatal(err)
	}
}

// measure1 runs one session against o.addr and records its result.
func measure1(o *options) error {
	res, err := run(o)
	if err != nil {
		return fmt.Errorf("%s %s run: %w", o.label, o.kind, err)
	}
	fmt.Fprintln(os.Stderr, summary(res))
	return loadkit.Record(o.out, res)
}

// summary is the one-line progress report of a run.
func summary(r *result) string {
	s := fmt.Sprintf("%-7s %-4s", r.Server, r.Kind)
	var done []string
	for _, st := range append(slices.Clip(rows), sortSteps...) {
		if v, ok := r.Ms[st]; ok && !slices.Contains(done, st) {
			done = append(done, st)
			s += fmt.Sprintf(" %s=%.1f", st, v)
		}
	}
	return s + fmt.Sprintf(" ms; exists=%d meta=%d bodies=%d bytes=%d", r.Exists, r.Meta, r.Bodies, r.Bytes)
}
