// Command pop3load is the client side of bench/pop3.sh: it runs one
// timed POP3 session (connect, USER/PASS, STAT, UIDL, RETR of every
// message, DELE of every second one, QUIT) against a server and appends
// the step timings to a results file as one JSON line. With -report it
// reads such a file and prints the comparison table instead.
//
// Usage:
//
//	pop3load -addr host:port -user u -pass p -label ours|dovecot -kind cold|warm
//	         [-out results.jsonl] [-dump msgs.txt]
//	pop3load -inproc -root dir -keys dir [-mbox file -runs n] [-cpuprofile prefix] ...
//	pop3load -prime -addr host:port -user u -pass p
//	pop3load -report results.jsonl [-dumps ours.txt,dovecot.txt]
//
// -inproc serves the session from protocol/pop3 over protocol/mailfs in
// this process, so that -cpuprofile sees the server's time too.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
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
	mbox             string // -inproc: copy this mailbox in before each run
	runs             int    // -inproc: sessions to run
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("pop3load: ")
	var o options
	flag.StringVar(&o.addr, "addr", "", "server `host:port`")
	flag.StringVar(&o.user, "user", "bench", "`user` name")
	flag.StringVar(&o.pass, "pass", "pass", "`password`")
	flag.StringVar(&o.label, "label", "ours", "server `label` in the results")
	flag.StringVar(&o.kind, "kind", "warm", "run `kind`: cold or warm")
	flag.DurationVar(&o.timeout, "timeout", 2*time.Minute, "per-command `timeout`")
	flag.StringVar(&o.out, "out", "", "append the result to `file` (default: standard output)")
	flag.StringVar(&o.dump, "dump", "", "write each message's number, octets and CRC-32C to `file`")
	flag.BoolVar(&o.inproc, "inproc", false, "serve in this process over -root and -keys (for profiling)")
	flag.StringVar(&o.root, "root", "", "mail root `dir` for -inproc")
	flag.StringVar(&o.keys, "keys", "", "keys `dir` for -inproc (default: <root>/keys)")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of each step to `prefix`.<step>.prof")
	flag.IntVar(&o.cpupid, "cpupid", 0, "also report the CPU time of process `pid` and its descendants (Linux)")
	flag.StringVar(&o.mbox, "mbox", "", "with -inproc: copy mailbox `file` into place before each run")
	flag.IntVar(&o.runs, "runs", 1, "with -inproc: `number` of sessions; the first is cold, only the last is profiled")
	primeOnly := flag.Bool("prime", false, "only log in, STAT, UIDL and QUIT, untimed (builds a server's index)")
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
	case *primeOnly:
		err = prime(&o)
	default:
		err = measure(&o)
	}
	if err != nil {
		log.Fatal(err)
	}
}

// measure runs one session as o says and records its result.
func measure(o *options) error {
	if o.inproc {
		return measureInProcess(o)
	}
	if o.addr == "" {
		return fmt.Errorf("%w: no -addr", errUsage)
	}
	return measure1(o)
}

// measure1 runs one session against o.addr and records its result.
func measure1(o *options) error {
	dump, err := openDump(o.dump)
	if err != nil {
		return err
	}
	var dw io.Writer
	if dump != nil {
		defer dump.Close()
		dw = dump
	}
	res, err := run(o, dw)
	if err != nil {
		return fmt.Errorf("%s %s run: %w", o.label, o.kind, err)
	}
	fmt.Fprintln(os.Stderr, summary(res))
	return loadkit.Record(o.out, res)
}

// summary is the one-line progress report of a run.
func summary(r *result) string {
	s := fmt.Sprintf("%-7s %-4s", r.Server, r.Kind)
	for _, st := range rows {
		if v, ok := r.Ms[st]; ok {
			s += fmt.Sprintf(" %s=%.1f", st, v)
		}
	}
	return s + fmt.Sprintf(" ms; msgs=%d bytes=%d after=%d", r.Msgs, r.Bytes, r.After)
}
