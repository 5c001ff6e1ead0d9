// Package loadkit holds what the benchmark clients (bench/pop3load,
// bench/imapload) share: timed results and their table, a server's CPU
// time, per-step CPU profiles, per-message dumps and their comparison
// (DESIGN.md "Speed, by construction": ours against Dovecot, as a ratio).
package loadkit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"text/tabwriter"
	"time"
)

// Timings is the part of a run's result every client has; clients embed
// it in their result type, whose JSON then carries these fields too.
type Timings struct {
	Server string             `json:"server"` // "ours" or "dovecot"
	Kind   string             `json:"kind"`   // "cold", "warm" or "restart"
	Ms     map[string]float64 `json:"ms"`     // step → milliseconds; "cpu": server CPU; "rss-MiB", "anon-MiB": peak memory
}

// Ms converts d to fractional milliseconds, to the microsecond.
func Ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Pick returns the results of server srv and kind ("" is any kind).
func Pick(rs []*Timings, srv, kind string) []*Timings {
	var out []*Timings
	for _, r := range rs {
		if r.Server == srv && (kind == "" || r.Kind == kind) {
			out = append(out, r)
		}
	}
	return out
}

// Median returns the median time of step over rs, 0 for none.
func Median(rs []*Timings, step string) float64 {
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

// Ratio formats a/b, "-" when b is 0.
func Ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// Table prints, per row (a step name), the cold run, the median of the
// warm runs and, when there are any, the median of the runs after a
// restart ("restart") of ours and Dovecot, with their ratios, then the
// legend.
func Table(w io.Writer, rs []*Timings, rows []string) error {
	kinds := []string{"cold", "warm"}
	if len(Pick(rs, "ours", "restart")) > 0 || len(Pick(rs, "dovecot", "restart")) > 0 {
		kinds = append(kinds, "restart")
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "step\t")
	for _, k := range kinds {
		fmt.Fprintf(tw, "%s ours\t%s Dovecot\tratio\t", k, k)
	}
	fmt.Fprintf(tw, "\n")
	for _, st := range rows {
		fmt.Fprintf(tw, "%s\t", st)
		for _, k := range kinds {
			o, d := Median(Pick(rs, "ours", k), st), Median(Pick(rs, "dovecot", k), st)
			fmt.Fprintf(tw, "%.1f\t%.1f\t%s\t", o, d, Ratio(o, d))
		}
		fmt.Fprintf(tw, "\n")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	legend := fmt.Sprintf("(ms; cpu = the server's user+system CPU time over the session;\n"+
		" rss-MiB, anon-MiB = its peak resident memory during the session, all its processes\n"+
		" summed, and the part of it that is not file pages (RssAnon);\n"+
		" warm = median of %d runs for ours, %d for Dovecot", len(Pick(rs, "ours", "warm")), len(Pick(rs, "dovecot", "warm")))
	if len(kinds) == 3 {
		legend += fmt.Sprintf(";\n restart = median of %d and %d sessions, each the first after its server restarted,\n"+
			" indexes kept", len(Pick(rs, "ours", "restart")), len(Pick(rs, "dovecot", "restart")))
	}
	_, err := fmt.Fprintf(w, "%s)\n", legend)
	return err
}

// Record appends v to file as a JSON line ("" is standard output).
func Record(file string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if file == "" {
		_, err = os.Stdout.Write(b)
		return err
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0644)
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("results: %w", err)
	}
	return f.Close()
}

// ReadResults reads a file of JSON lines, one T each.
func ReadResults[T any](file string) ([]*T, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	defer f.Close()
	var rs []*T
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		r := new(T)
		if err := json.Unmarshal(sc.Bytes(), r); err != nil {
			return nil, fmt.Errorf("results %s: %w", file, err)
		}
		rs = append(rs, r)
	}
	return rs, sc.Err()
}
