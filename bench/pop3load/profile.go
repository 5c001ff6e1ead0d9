package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

var profFile *os.File

// startProfile starts a CPU profile of step into prefix.<step>.prof; ""
// profiles nothing. With -inproc the server runs in this process, so the
// profile holds its work for the step (and the client's).
func startProfile(prefix, step string) error {
	if prefix == "" {
		return nil
	}
	f, err := os.Create(prefix + "." + step + ".prof")
	if err != nil {
		return fmt.Errorf("cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("cpuprofile: %w", err)
	}
	profFile = f
	return nil
}

// stopProfile ends the profile startProfile began.
func stopProfile(prefix string) {
	if prefix == "" || profFile == nil {
		return
	}
	pprof.StopCPUProfile()
	profFile.Close()
	profFile = nil
}
