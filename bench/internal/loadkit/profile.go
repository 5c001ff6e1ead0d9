package loadkit

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// Profile starts a CPU profile of step into prefix.<step>.prof and
// returns the function that ends it; "" profiles nothing. With a server
// running in the client's process (-inproc), the profile holds its work
// for the step as well as the client's.
func Profile(prefix, step string) (stop func(), err error) {
	if prefix == "" {
		return func() {}, nil
	}
	f, err := os.Create(prefix + "." + step + ".prof")
	if err != nil {
		return nil, fmt.Errorf("cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
