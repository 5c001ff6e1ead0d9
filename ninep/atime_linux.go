package ninep

import "syscall"

func atime(st *syscall.Stat_t) uint32 { return uint32(st.Atim.Sec) }
