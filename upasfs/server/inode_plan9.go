package server

import (
	"os"
	"syscall"
)

// inode identifies the file behind st by its qid path, to tell an
// append to the same file from a replacement (spec §1.3).
func inode(st os.FileInfo) uint64 {
	if d, ok := st.Sys().(*syscall.Dir); ok {
		return d.Qid.Path
	}
	return 0
}
