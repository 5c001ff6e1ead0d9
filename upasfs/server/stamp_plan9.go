package server

import (
	"os"
	"syscall"
)

// devStamp returns the device of the file behind st (its server's type
// and device number) and its qid version, which every write changes.
func devStamp(st os.FileInfo) (dev uint64, stamp int64) {
	if d, ok := st.Sys().(*syscall.Dir); ok {
		return uint64(d.Type)<<32 | uint64(d.Dev), int64(d.Qid.Vers)
	}
	return 0, 0
}
