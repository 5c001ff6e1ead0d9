package ninep

import (
	"io/fs"
	"os"

	"9fans.net/go/plan9"
)

// lockExclusive does nothing on Plan 9: the file server refuses a second
// open of a DMEXCL file itself.
func lockExclusive(f *os.File) error { return nil }

// hostPerm gives a created file Plan 9's append-only and exclusive-use
// bits, which the Plan 9 kernel honours.
func hostPerm(perm plan9.Perm) fs.FileMode {
	m := fs.FileMode(perm & 0777)
	if perm&plan9.DMAPPEND != 0 {
		m |= fs.ModeAppend
	}
	if perm&plan9.DMEXCL != 0 {
		m |= fs.ModeExclusive
	}
	return m
}
