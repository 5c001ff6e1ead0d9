package loadkit

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times: 100 on
// every Linux architecture Go supports.
const clockTicks = 100

// TreeCPU returns the CPU time, in milliseconds, used so far by process
// pid and its descendants: for each process in the tree its own user and
// system time plus that of its children already waited for
// (proc(5): utime, stime, cutime, cstime). Forked session processes that
// have exited are so counted by their reaping parent.
func TreeCPU(pid int) (float64, error) {
	procs, err := readProcs()
	if err != nil {
		return 0, err
	}
	if _, ok := procs[pid]; !ok {
		return 0, fmt.Errorf("cpu: no process %d", pid)
	}
	children := map[int][]int{}
	for p, st := range procs {
		children[st.ppid] = append(children[st.ppid], p)
	}
	var ticks int64
	todo := []int{pid}
	for len(todo) > 0 {
		p := todo[len(todo)-1]
		todo = append(todo[:len(todo)-1], children[p]...)
		ticks += procs[p].ticks
	}
	return float64(ticks) * 1000 / clockTicks, nil
}

type procStat struct {
	ppid  int
	ticks int64 // utime+stime+cutime+cstime
}

// readProcs reads /proc/*/stat; processes that vanish meanwhile are
// skipped.
func readProcs() (map[int]procStat, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("cpu: %w", err)
	}
	procs := map[int]procStat{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		if st, ok := parseStat(b); ok {
			procs[pid] = st
		}
	}
	return procs, nil
}

// parseStat reads ppid (field 4) and fields 14-17 of a /proc/<pid>/stat
// line; the command name (field 2) may hold spaces, so fields are
// counted after its closing parenthesis.
func parseStat(b []byte) (procStat, bool) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, false
	}
	f := bytes.Fields(b[i+1:]) // f[0] is field 3, the state
	if len(f) < 15 {
		return procStat{}, false
	}
	var st procStat
	var err error
	if st.ppid, err = strconv.Atoi(string(f[1])); err != nil {
		return procStat{}, false
	}
	for _, s := range f[11:15] {
		n, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil {
			return procStat{}, false
		}
		st.ticks += n
	}
	return st, true
}
