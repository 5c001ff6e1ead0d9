//go:build unix && !linux

package mbox

import "syscall"

// setlkOFD is plain F_SETLK where open file description locks are not
// known to this package.
const setlkOFD = syscall.F_SETLK
