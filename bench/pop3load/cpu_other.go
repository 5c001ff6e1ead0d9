//go:build !linux

package main

import "errors"

// treeCPU is only implemented on Linux (/proc).
func treeCPU(pid int) (float64, error) {
	return 0, errors.New("cpu: -cpupid needs Linux /proc")
}
