//go:build unix && !linux

package server

import (
	"os"
	"syscall"
)

// devStamp returns the device of the file behind st; the change time
// is not read on these systems (its field's name differs), so the
// stamp is 0.
func devStamp(st os.FileInfo) (dev uint64, stamp int64) {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return uint64(s.Dev), 0
	}
	return 0, 0
}
