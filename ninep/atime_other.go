//go:build unix && !linux

package ninep

import "syscall"

// atime is not portable across the BSDs' Stat_t: 0 keeps the mtime.
func atime(st *syscall.Stat_t) uint32 { return 0 }
