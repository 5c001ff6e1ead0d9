package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"p9mail/bench/internal/loadkit"
)

// printReport prints the comparison table of the results file: per step,
// the cold run and the median of the warm runs of each server and their
// ratio, then what each server delivered. dumps, if not empty, names the
// "ours,dovecot" per-message dumps to compare.
func printReport(w io.Writer, file, dumps string) error {
	rs, err := loadkit.ReadResults[result](file)
	if err != nil {
		return err
	}
	ts := make([]*loadkit.Timings, len(rs))
	for i, r := range rs {
		ts[i] = &r.Timings
	}
	if err := loadkit.Table(w, ts, rows); err != nil {
		return err
	}
	fmt.Fprintln(w, "\ndelivered (every run):")
	for _, srv := range []string{"ours", "dovecot"} {
		fmt.Fprintf(w, "  %-8s %s\n", srv, delivered(pick(rs, srv)))
	}
	if dumps != "" {
		return loadkit.CompareDumps(w, dumps)
	}
	return nil
}

// rows are the table's rows: the steps, then the server's CPU time
// and peak memory.
var rows = append(slices.Clip(steps), "cpu", "rss-MiB", "anon-MiB")

// pick returns the results of server srv.
func pick(rs []*result, srv string) []*result {
	var out []*result
	for _, r := range rs {
		if r.Server == srv {
			out = append(out, r)
		}
	}
	return out
}

// delivered summarises the counts of rs, listing each distinct value.
func delivered(rs []*result) string {
	distinct := func(f func(*result) string) string {
		var vs []string
		for _, r := range rs {
			if v := f(r); !slices.Contains(vs, v) {
				vs = append(vs, v)
			}
		}
		return strings.Join(vs, "|")
	}
	return fmt.Sprintf("STAT %s msgs %s octets; UIDL %s lines; RETR %s msgs %s octets %s lines; DELE %s; after QUIT %s msgs",
		distinct(func(r *result) string { return fmt.Sprint(r.Msgs) }),
		distinct(func(r *result) string { return fmt.Sprint(r.Octets) }),
		distinct(func(r *result) string { return fmt.Sprint(r.UIDLs) }),
		distinct(func(r *result) string { return fmt.Sprint(r.Msgs) }),
		distinct(func(r *result) string { return fmt.Sprint(r.Bytes) }),
		distinct(func(r *result) string { return fmt.Sprint(r.Lines) }),
		distinct(func(r *result) string { return fmt.Sprint(r.Deled) }),
		distinct(func(r *result) string { return fmt.Sprint(r.After) }))
}
