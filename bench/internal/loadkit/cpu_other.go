//go:build !linux

package loadkit

import "errors"

// TreeCPU is only implemented on Linux (/proc).
func TreeCPU(pid int) (float64, error) {
	return 0, errors.New("cpu: -cpupid needs Linux /proc")
}
