package loadkit

import (
	"os"
	"testing"
)

func TestParseStat(t *testing.T) {
	for _, tt := range []struct {
		line string
		want procStat
		ok   bool
	}{
		{"42 (a b) S 7 42 42 0 -1 4194560 100 0 0 0 11 22 33 44 20 0 1 0 5 6 7", procStat{ppid: 7, ticks: 110}, true},
		{"42 (x)) R 1 1 1 0 -1 0 0 0 0 0 1 1 1 1 20 0 1 0", procStat{ppid: 1, ticks: 4}, true},
		{"42 (short) S 1 2 3", procStat{}, false},
		{"no parenthesis", procStat{}, false},
		{"42 (x) S p 1 1 0 -1 0 0 0 0 0 1 1 1 1 20", procStat{}, false},
	} {
		got, ok := parseStat([]byte(tt.line))
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseStat(%q) = %+v, %v; want %+v, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTreeCPUSelf(t *testing.T) {
	if _, err := TreeCPU(os.Getpid()); err != nil {
		t.Fatal(err)
	}
	if _, err := TreeCPU(-5); err == nil {
		t.Error("TreeCPU of no process: no error")
	}
}
