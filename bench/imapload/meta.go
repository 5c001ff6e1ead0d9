package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"p9mail/bench/internal/loadkit"
)

// A field is one listing item compared between the servers.
type field struct {
	name string
	get  func(*fetched) string
}

var fields = []field{
	{"RFC822.SIZE", func(f *fetched) string { return fmt.Sprint(f.Size) }},
	{"FLAGS", func(f *fetched) string { return f.Flags }},
	{"INTERNALDATE", func(f *fetched) string { return f.Date }},
	{"ENVELOPE", func(f *fetched) string { return f.Env }},
	{"BODYSTRUCTURE", func(f *fetched) string { return f.BS }},
}

// compareMeta compares the listing items (FETCH-meta) of the messages
// both servers delivered byte-identical, as loadkit.Align pairs them, and prints per item how many agree, how many agree but for
// letter case, and the first difference.
func compareMeta(w io.Writer, oursDump, doveDump string) error {
	ours, err := readSide(oursDump)
	if err != nil {
		return err
	}
	dove, err := readSide(doveDump)
	if err != nil {
		return err
	}
	pairs := loadkit.Align(ours.sums, dove.sums).Pairs
	fmt.Fprintf(w, "listing items of the %d messages delivered identically (cold run):\n", len(pairs))
	for _, fd := range fields {
		same, fold := 0, 0
		var first [2]int
		for _, p := range pairs {
			a, b := fd.get(ours.metas[p[0]]), fd.get(dove.metas[p[1]])
			switch {
			case a == b:
				same++
			case strings.EqualFold(a, b):
				fold++
			}
			if a != b && first == ([2]int{}) {
				first = [2]int{p[0] + 1, p[1] + 1}
			}
		}
		fmt.Fprintf(w, "  %-13s same %d, same but for case %d, differ %d\n", fd.name, same, fold, len(pairs)-same-fold)
		if first != ([2]int{}) {
			a, b := fd.get(ours.metas[first[0]-1]), fd.get(dove.metas[first[1]-1])
			ca, cb := snippets(a, b)
			fmt.Fprintf(w, "    first difference, ours %d: %s\n", first[0], ca)
			fmt.Fprintf(w, "             Dovecot %-5d %s\n", first[1], cb)
		}
	}
	return nil
}

// A side is one server's cold-run dumps.
type side struct {
	sums  []loadkit.MsgSum
	metas []*fetched
}

func readSide(dump string) (*side, error) {
	sums, err := loadkit.ReadDump(dump)
	if err != nil {
		return nil, err
	}
	metas, err := readMeta(dump + ".meta")
	if err != nil {
		return nil, err
	}
	if len(metas) != len(sums) {
		return nil, fmt.Errorf("dump %s: %d messages, its .meta %d", dump, len(sums), len(metas))
	}
	return &side{sums, metas}, nil
}

func readMeta(name string) ([]*fetched, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("dump: %w", err)
	}
	defer f.Close()
	var out []*fetched
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		m := new(fetched)
		if err := json.Unmarshal(sc.Bytes(), m); err != nil {
			return nil, fmt.Errorf("dump %s: %w", name, err)
		}
		out = append(out, m)
	}
	return out, sc.Err()
}

// snippets returns a and b cut to a window around their first
// difference.
func snippets(a, b string) (string, string) {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-60)
	cut := func(s string) string {
		to := min(len(s), i+100)
		out := s[min(from, len(s)):to]
		if from > 0 {
			out = "..." + out
		}
		if to < len(s) {
			out += "..."
		}
		return out
	}
	return cut(a), cut(b)
}
