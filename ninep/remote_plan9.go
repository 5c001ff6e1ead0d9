package ninep

import (
	"errors"
	"io"
)

// errNoAttach explains what to do instead on Plan 9, where the 9fans
// client cannot attach: the kernel does that.
var errNoAttach = errors.New("ninep: 9P attach is not available on Plan 9: mount the service in the name space (e.g. upasfs on /mail/fs) and use Local")

// Attach is not available on Plan 9; it closes conn and returns an error.
// Mount the service and use Local on its mount point instead.
func Attach(conn io.ReadWriteCloser, user, aname string) (FS, error) {
	conn.Close()
	return nil, errNoAttach
}

// Mount is not available on Plan 9; see Attach.
func Mount(addr, user, aname string) (FS, error) {
	return nil, errNoAttach
}

// AttachKey is not available on Plan 9; see Attach.
func AttachKey(conn io.ReadWriteCloser, user, aname string, key []byte) (FS, error) {
	return Attach(conn, user, aname)
}

// MountKey is not available on Plan 9; see Attach.
func MountKey(addr, user, aname string, key []byte) (FS, error) {
	return nil, errNoAttach
}
