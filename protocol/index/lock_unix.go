//go:build unix

package index

import (
	"os"
	"syscall"
)

// lockFile takes f's exclusive flock, waiting for it: appends, scans
// and truncations of servers sharing the file take turns.
func lockFile(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			return err
		}
	}
}

func unlockFile(f *os.File) { syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
