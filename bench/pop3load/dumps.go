package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// A msgSum is one line of a -dump file.
type msgSum struct {
	octets int64
	crc    uint32
}

// compareDumps compares the "ours,dovecot" per-message dumps and prints
// how many messages came back byte-identical and how the rest differ.
func compareDumps(w io.Writer, dumps string) error {
	oursFile, doveFile, ok := strings.Cut(dumps, ",")
	if !ok {
		return fmt.Errorf("-dumps: want ours,dovecot, have %q", dumps)
	}
	ours, err := readDump(oursFile)
	if err != nil {
		return err
	}
	dove, err := readDump(doveFile)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "per message (cold run): ours %d, Dovecot %d\n", len(ours), len(dove))
	a := align(ours, dove)
	fmt.Fprintf(w, "  %d byte-identical (same octets and CRC-32C)\n", a.same)
	if a.merges > 0 {
		fmt.Fprintf(w, "  %d Dovecot messages are %d of ours run together (it takes fewer mbox From lines as separators), e.g. ours %v\n",
			a.merges, a.merged, a.examples)
	}
	if a.other > 0 {
		fmt.Fprintf(w, "  %d other differing messages, first at ours %d\n", a.other, a.firstOther)
	}
	return nil
}

// An alignment says how two servers' views of one mailbox correspond.
type alignment struct {
	same       int   // messages identical in both
	merges     int   // Dovecot messages that are several of ours
	merged     int   // our messages inside those
	examples   []int // first few of our message numbers starting a merge
	other      int   // pairs that differ otherwise
	firstOther int   // our number of the first of those
}

// align walks both lists in order. Where they differ it looks for a run
// of 2 to 4 of our messages after which they agree again: one Dovecot
// message holding them (with the From lines between them as text).
// Anything else counts as one differing pair.
func align(ours, dove []msgSum) alignment {
	var a alignment
	i, j := 0, 0
	for i < len(ours) && j < len(dove) {
		if ours[i] == dove[j] {
			a.same++
			i, j = i+1, j+1
			continue
		}
		k := mergeLen(ours[i:], dove[j:])
		if k == 0 {
			if a.other == 0 {
				a.firstOther = i + 1
			}
			a.other++
			i, j = i+1, j+1
			continue
		}
		a.merges++
		a.merged += k
		if len(a.examples) < 5 {
			a.examples = append(a.examples, i+1)
		}
		i, j = i+k, j+1
	}
	a.other += len(ours) - i + len(dove) - j
	return a
}

// mergeLen returns k in 2..4 if dove[0] is at least as large as ours[:k]
// together and the lists agree again after them (or both end), else 0.
func mergeLen(ours, dove []msgSum) int {
	var sum int64
	for k := 1; k <= 4 && k <= len(ours); k++ {
		sum += ours[k-1].octets
		if k < 2 || dove[0].octets < sum {
			continue
		}
		if k == len(ours) && len(dove) == 1 {
			return k
		}
		if k < len(ours) && len(dove) > 1 && ours[k] == dove[1] {
			return k
		}
	}
	return 0
}

func readDump(name string) ([]msgSum, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("dump: %w", err)
	}
	defer f.Close()
	var out []msgSum
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var n int
		var m msgSum
		if _, err := fmt.Sscanf(sc.Text(), "%d %d %x", &n, &m.octets, &m.crc); err != nil {
			return nil, fmt.Errorf("dump %s: line %q: %w", name, sc.Text(), err)
		}
		if n != len(out)+1 {
			return nil, fmt.Errorf("dump %s: message %d out of order", name, n)
		}
		out = append(out, m)
	}
	return out, sc.Err()
}
