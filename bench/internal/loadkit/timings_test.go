package loadkit

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestMedian(t *testing.T) {
	rs := func(vs ...float64) []*Timings {
		var out []*Timings
		for _, v := range vs {
			out = append(out, &Timings{Ms: map[string]float64{"x": v}})
		}
		return out
	}
	for _, tt := range []struct {
		rs   []*Timings
		want float64
	}{
		{nil, 0},
		{rs(5), 5},
		{rs(9, 1, 5), 5},
		{rs(4, 1, 3, 10), 3.5},
	} {
		if got := Median(tt.rs, "x"); got != tt.want {
			t.Errorf("Median(%d values) = %v, want %v", len(tt.rs), got, tt.want)
		}
	}
}

func TestTableFromRecords(t *testing.T) {
	file := filepath.Join(t.TempDir(), "results.jsonl")
	for _, r := range []Timings{
		{"ours", "cold", map[string]float64{"A": 10, "B": 2}},
		{"dovecot", "cold", map[string]float64{"A": 5, "B": 4}},
		{"ours", "warm", map[string]float64{"A": 3, "B": 1}},
		{"ours", "warm", map[string]float64{"A": 5, "B": 1}},
		{"dovecot", "warm", map[string]float64{"A": 2}},
	} {
		if err := Record(file, r); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := ReadResults[Timings](file)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := Table(&b, rs, []string{"A", "B"}); err != nil {
		t.Fatal(err)
	}
	want := `  step  cold ours  cold Dovecot  ratio  warm ours  warm Dovecot  ratio
     A       10.0           5.0   2.00        4.0           2.0   2.00
     B        2.0           4.0   0.50        1.0           0.0      -
(ms; cpu = the server's user+system CPU time over the session;
 rss-MiB, anon-MiB = its peak resident memory during the session, all its processes
 summed, and the part of it that is not file pages (RssAnon);
 warm = median of 2 runs for ours, 1 for Dovecot)
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	// Runs after a restart get their own columns.
	for _, r := range []Timings{
		{"ours", "restart", map[string]float64{"A": 6, "B": 3}},
		{"dovecot", "restart", map[string]float64{"A": 4, "B": 3}},
	} {
		rs = append(rs, &r)
	}
	b.Reset()
	if err := Table(&b, rs, []string{"A", "B"}); err != nil {
		t.Fatal(err)
	}
	want = `  step  cold ours  cold Dovecot  ratio  warm ours  warm Dovecot  ratio  restart ours  restart Dovecot  ratio
     A       10.0           5.0   2.00        4.0           2.0   2.00           6.0              4.0   1.50
     B        2.0           4.0   0.50        1.0           0.0      -           3.0              3.0   1.00
(ms; cpu = the server's user+system CPU time over the session;
 rss-MiB, anon-MiB = its peak resident memory during the session, all its processes
 summed, and the part of it that is not file pages (RssAnon);
 warm = median of 2 runs for ours, 1 for Dovecot;
 restart = median of 1 and 1 sessions, each the first after its server restarted,
 indexes kept)
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
