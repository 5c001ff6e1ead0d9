package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
)

// printReport prints the comparison table of the results file: per step,
// the cold run and the median of the warm runs of each server and their
// ratio, then what each server delivered. dumps, if not empty, names the
// "ours,dovecot" per-message dumps to compare.
func printReport(w io.Writer, file, dumps string) error {
	rs, err := readResults(file)
	if err != nil {
		return err
	}
	cold := func(srv string) []*result { return pick(rs, srv, "cold") }
	warm := func(srv string) []*result { return pick(rs, srv, "warm") }
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "step\tcold ours\tcold Dovecot\tratio\twarm ours\twarm Dovecot\tratio\t\n")
	for _, st := range rows {
		co, cd := median(cold("ours"), st), median(cold("dovecot"), st)
		wo, wd := median(warm("ours"), st), median(warm("dovecot"), st)
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%s\t%.1f\t%.1f\t%s\t\n", st, co, cd, ratio(co, cd), wo, wd, ratio(wo, wd))
	}
	tw.Flush()
	fmt.Fprintf(w, "(ms; cpu = the server's user+system CPU time over the session;\n warm = median of %d runs for ours, %d for Dovecot)\n\n",
		len(warm("ours")), len(warm("dovecot")))
	fmt.Fprintln(w, "delivered (every run):")
	for _, srv := range []string{"ours", "dovecot"} {
		fmt.Fprintf(w, "  %-8s %s\n", srv, delivered(pick(rs, srv, "")))
	}
	if dumps != "" {
		return compareDumps(w, dumps)
	}
	return nil
}

// rows are the table's rows: the steps, then the server's CPU time.
var rows = append(slices.Clip(steps), "cpu")

func readResults(file string) ([]*result, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	defer f.Close()
	var rs []*result
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		r := new(result)
		if err := json.Unmarshal(sc.Bytes(), r); err != nil {
			return nil, fmt.Errorf("results %s: %w", file, err)
		}
		rs = append(rs, r)
	}
	return rs, sc.Err()
}

// pick returns the results of server srv and kind ("" is any kind).
func pick(rs []*result, srv, kind string) []*result {
	var out []*result
	for _, r := range rs {
		if r.Server == srv && (kind == "" || r.Kind == kind) {
			out = append(out, r)
		}
	}
	return out
}

// median returns the median time of step over rs, 0 for none.
func median(rs []*result, step string) float64 {
	if len(rs) == 0 {
		return 0
	}
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = r.Ms[step]
	}
	slices.Sort(v)
	if n := len(v); n%2 == 0 {
		return (v[n/2-1] + v[n/2]) / 2
	}
	return v[len(v)/2]
}

func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", a/b)
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
