//go:build unix

package server

import (
	"os"
	"syscall"
)

// inode identifies the file behind st, to tell an append to the same
// file from a replacement (spec §1.3).
func inode(st os.FileInfo) uint64 {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return uint64(s.Ino)
	}
	return 0
}
