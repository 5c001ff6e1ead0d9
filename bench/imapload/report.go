package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"p9mail/bench/internal/loadkit"
)

// rows are the table's rows: the steps, then the server's CPU time
// and peak memory.
var rows = append(slices.Clip(steps), "cpu", "rss-MiB", "anon-MiB")

// printReport prints the comparison table of the results file: per step,
// the cold run and the median of the warm runs of each server and their
// ratio, then what each server delivered and whether the counts agree.
// dumps, if not empty, names the "ours,dovecot" per-message dumps of the
// cold runs to compare.
func printReport(w io.Writer, file, dumps string) error {
	rs, err := loadkit.ReadResults[result](file)
	if err != nil {
		return err
	}
	ts := make([]*loadkit.Timings, len(rs))
	for i, r := range rs {
		ts[i] = &r.Timings
	}
	if slices.ContainsFunc(rs, func(r *result) bool { return r.Answers != nil }) {
		if err := loadkit.Table(w, ts, append(slices.Clip(sortSteps), "cpu")); err != nil {
			return err
		}
		fmt.Fprintln(w, "\nanswers (every run):")
		for _, l := range compareAnswers(rs) {
			fmt.Fprintln(w, "  "+l)
		}
		return nil
	}
	if err := loadkit.Table(w, ts, rows); err != nil {
		return err
	}
	fmt.Fprintln(w, "\ndelivered (every run):")
	counts := map[string]string{}
	for _, srv := range []string{"ours", "dovecot"} {
		d := delivered(pick(rs, srv))
		fmt.Fprintf(w, "  %-8s %s\n", srv, d)
		counts[srv] = distinct(pick(rs, srv), func(r *result) string {
			return fmt.Sprintf("%d/%d/%d", r.Exists, r.Meta, r.Bodies)
		})
	}
	if counts["ours"] == counts["dovecot"] && !strings.Contains(counts["ours"], "|") {
		fmt.Fprintf(w, "message counts (EXISTS/FETCH-meta/FETCH-body) agree: %s\n", counts["ours"])
	} else {
		fmt.Fprintf(w, "message counts (EXISTS/FETCH-meta/FETCH-body) DIFFER: ours %s, Dovecot %s\n", counts["ours"], counts["dovecot"])
	}
	if dumps == "" {
		return nil
	}
	if err := loadkit.CompareDumps(w, dumps); err != nil {
		return err
	}
	oursFile, doveFile, _ := strings.Cut(dumps, ",")
	return compareMeta(w, oursFile, doveFile)
}

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

// distinct lists the distinct values of f over rs, "|" between them.
func distinct(rs []*result, f func(*result) string) string {
	var vs []string
	for _, r := range rs {
		if v := f(r); !slices.Contains(vs, v) {
			vs = append(vs, v)
		}
	}
	return strings.Join(vs, "|")
}

// delivered summarises the counts of rs, listing each distinct value.
func delivered(rs []*result) string {
	d := func(f func(*result) any) string {
		return distinct(rs, func(r *result) string { return fmt.Sprint(f(r)) })
	}
	return fmt.Sprintf("EXISTS %s; FETCH-meta %s msgs in %s bytes; FETCH-body %s msgs, BODY[] %s octets in %s bytes; RFC822.SIZE != BODY[] octets %s; stray FETCHes %s",
		d(func(r *result) any { return r.Exists }),
		d(func(r *result) any { return r.Meta }),
		d(func(r *result) any { return r.Wire["FETCH-meta"] }),
		d(func(r *result) any { return r.Bodies }),
		d(func(r *result) any { return r.Bytes }),
		d(func(r *result) any { return r.Wire["FETCH-body"] }),
		d(func(r *result) any { return r.SizeOff }),
		d(func(r *result) any { return r.Strays }))
}
