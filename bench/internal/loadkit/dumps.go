package loadkit

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// A MsgSum is one message as a client received it, one line of a dump
// file: "number octets crc32c" (CRC in hex).
type MsgSum struct {
	Octets int64
	CRC    uint32
}

// WriteDump writes sums as a dump file, messages numbered from 1.
func WriteDump(w io.Writer, sums []MsgSum) error {
	bw := bufio.NewWriter(w)
	for i, m := range sums {
		fmt.Fprintf(bw, "%d %d %08x\n", i+1, m.Octets, m.CRC)
	}
	return bw.Flush()
}

// ReadDump reads a dump file; messages must be numbered 1, 2, ...
func ReadDump(name string) ([]MsgSum, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("dump: %w", err)
	}
	defer f.Close()
	var out []MsgSum
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var n int
		var m MsgSum
		if _, err := fmt.Sscanf(sc.Text(), "%d %d %x", &n, &m.Octets, &m.CRC); err != nil {
			return nil, fmt.Errorf("dump %s: line %q: %w", name, sc.Text(), err)
		}
		if n != len(out)+1 {
			return nil, fmt.Errorf("dump %s: message %d out of order", name, n)
		}
		out = append(out, m)
	}
	return out, sc.Err()
}

// CompareDumps compares the "ours,dovecot" per-message dumps and prints
// how many messages came back byte-identical and how the rest differ.
func CompareDumps(w io.Writer, dumps string) error {
	oursFile, doveFile, ok := strings.Cut(dumps, ",")
	if !ok {
		return fmt.Errorf("-dumps: want ours,dovecot, have %q", dumps)
	}
	ours, err := ReadDump(oursFile)
	if err != nil {
		return err
	}
	dove, err := ReadDump(doveFile)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "per message (cold run): ours %d, Dovecot %d\n", len(ours), len(dove))
	a := Align(ours, dove)
	fmt.Fprintf(w, "  %d byte-identical (same octets and CRC-32C)\n", a.Same)
	if a.Merges > 0 {
		fmt.Fprintf(w, "  %d Dovecot messages are %d of ours run together (it takes fewer mbox From lines as separators), e.g. ours %v\n",
			a.Merges, a.Merged, a.Examples)
	}
	if a.Other > 0 {
		fmt.Fprintf(w, "  %d other differing messages, first at ours %d\n", a.Other, a.FirstOther)
	} else if a.Merges > 0 {
		fmt.Fprintf(w, "  no other difference: the counts differ by the merges alone (%d - %d + %d = %d)\n",
			len(ours), a.Merged, a.Merges, len(ours)-a.Merged+a.Merges)
	}
	return nil
}

// An Alignment says how two servers' views of one mailbox correspond.
type Alignment struct {
	Same       int      // messages identical in both
	Pairs      [][2]int // their indexes: ours, Dovecot
	Merges     int      // Dovecot messages that are several of ours
	Merged     int      // our messages inside those
	Examples   []int    // first few of our message numbers starting a merge
	Other      int      // pairs that differ otherwise, and unpaired messages
	FirstOther int      // our number of the first differing pair
}

// Align walks both lists in order. Where they differ it looks for a run
// of 2 to 4 of our messages after which they agree again: one Dovecot
// message holding them (with the From lines between them as text).
// Anything else counts as one differing pair.
func Align(ours, dove []MsgSum) Alignment {
	var a Alignment
	i, j := 0, 0
	for i < len(ours) && j < len(dove) {
		if ours[i] == dove[j] {
			a.Same++
			a.Pairs = append(a.Pairs, [2]int{i, j})
			i, j = i+1, j+1
			continue
		}
		k := mergeLen(ours[i:], dove[j:])
		if k == 0 {
			if a.Other == 0 {
				a.FirstOther = i + 1
			}
			a.Other++
			i, j = i+1, j+1
			continue
		}
		a.Merges++
		a.Merged += k
		if len(a.Examples) < 5 {
			a.Examples = append(a.Examples, i+1)
		}
		i, j = i+k, j+1
	}
	a.Other += len(ours) - i + len(dove) - j
	return a
}

// mergeLen returns k in 2..4 if dove[0] is at least as large as ours[:k]
// together and the lists agree again after them (or both end), else 0.
func mergeLen(ours, dove []MsgSum) int {
	var sum int64
	for k := 1; k <= 4 && k <= len(ours); k++ {
		sum += ours[k-1].Octets
		if k < 2 || dove[0].Octets < sum {
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
