//go:build !unix

package index

import "os"

// lockFile does nothing where there is no flock (Plan 9): servers there
// need an index directory each (package comment).
func lockFile(*os.File) error { return nil }

func unlockFile(*os.File) {}
