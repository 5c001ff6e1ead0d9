package ninep

import (
	"errors"
	"io/fs"
	"strings"
)

// Error is a file server's error string as Plan 9 spells it: the ename of
// an Rerror from a 9P server, or the Plan 9 text for a local failure
// ("file does not exist", "permission denied", "file locked", ...; spec
// decisions §3). errors.Is matches it against fs.ErrNotExist,
// fs.ErrPermission and fs.ErrExist by its text.
type Error string

func (e Error) Error() string { return string(e) }

// Is reports whether e means target, for target one of fs.ErrNotExist,
// fs.ErrPermission or fs.ErrExist.
func (e Error) Is(target error) bool {
	switch target {
	case fs.ErrNotExist:
		return notExistText(string(e))
	case fs.ErrPermission:
		return permissionText(string(e))
	case fs.ErrExist:
		return strings.Contains(strings.ToLower(string(e)), "already exists")
	}
	return false
}

// Plan 9 errors for local trees (spec decisions §3).
const (
	errNotExist   = Error("file does not exist")
	errPermission = Error("permission denied")
	errExist      = Error("file already exists")
	errLocked     = Error("file locked")
	errBadName    = Error("bad character in file name")
)

// notExistText recognises the ways 9P servers say "no such file":
// Plan 9's "file does not exist", srv9p's "file not found", the 9fans
// client's "file 'x' not found" for a short walk, and plan9port upas/fs's
// errno text "No such file or directory" (p9p-upasfs.md §6.2, §9.3).
func notExistText(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "does not exist") ||
		strings.Contains(s, "not found") ||
		strings.Contains(s, "no such file")
}

func permissionText(s string) bool {
	return strings.Contains(strings.ToLower(s), "permission denied")
}

// IsNotExist reports whether err says that a file does not exist: a 9P
// "file does not exist" or "... not found", or anything errors.Is matches
// with fs.ErrNotExist.
func IsNotExist(err error) bool {
	return err != nil && (errors.Is(err, fs.ErrNotExist) || notExistText(err.Error()))
}

// IsPermission reports whether err says "permission denied".
func IsPermission(err error) bool {
	return err != nil && (errors.Is(err, fs.ErrPermission) || permissionText(err.Error()))
}

// IsLocked reports whether err is an exclusive-use refusal: its text
// contains "locked", the test Plan 9's imap4d spins on (spec §2.11).
func IsLocked(err error) bool {
	return err != nil && strings.Contains(err.Error(), "locked")
}

// pathErr wraps a failure of op on name in an *fs.PathError, so that the
// caller sees which name failed while errors.Is, errors.As and the text of
// the server's error keep working.
func pathErr(op, name string, err error) error {
	if err == nil {
		return nil
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}
