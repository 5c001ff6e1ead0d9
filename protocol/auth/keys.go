package auth

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Keys is a secrets directory in keyfs(4) layout (spec §4, decision 18):
//
//	<dir>/<user>/secret  the APOP/POP secret, also the clear-text password;
//	                     one trailing newline is ignored (keyfs stores none,
//	                     echo(1) adds one)
//	<dir>/<user>/key     optional: the user's 7-byte Plan 9 DES key, binary,
//	                     as keyfs stores it; needed only for p9cr
//	<dir>/<user>/status  optional: "ok"; any other word ("disabled",
//	                     "expired") refuses the user
//	<dir>/<user>/expire  optional: "never", or the Unix time in seconds
//	                     after which the user is refused (keyfs: 0 = never)
//
// Files are read at every check, so edits take effect at once. The
// secrets are clear text, so nothing in the tree may be readable or
// writable by group or other; symbolic links are refused by OpenKeys and
// never lead outside dir. A Keys is safe for concurrent use.
type Keys struct {
	dir string
}

// Bounds on what is read from a key file.
const (
	maxNameLen   = 64   // bytes in a user name
	maxSecretLen = 1024 // keyfs allows 31; ours are only bounded for sanity
	maxSmallFile = 64   // status and expire
	desKeyLen    = 7    // authsrv.h DESKEYLEN
)

// OpenKeys returns the Keys in dir. It refuses, with an error naming the
// path, a missing dir, or a dir in which anything (dir included) is
// readable or writable by group or other or is a symbolic link.
func OpenKeys(dir string) (*Keys, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	defer r.Close()
	err = fs.WalkDir(r.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err != nil {
			return fmt.Errorf("keys: %s: %w", path, err)
		}
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("keys: %s: %w", path, err)
		}
		return checkMode(path, info)
	})
	if err != nil {
		return nil, err
	}
	return &Keys{dir: dir}, nil
}

// checkMode refuses symbolic links and anything group or other may read
// or write.
func checkMode(path string, info fs.FileInfo) error {
	if info.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("%w: %s is a symbolic link", ErrInsecure, path)
	}
	if perm := info.Mode().Perm(); perm&0o066 != 0 {
		return fmt.Errorf("%w: %s has mode %v", ErrInsecure, path, perm)
	}
	return nil
}

// checkName enforces the user name rules: non-empty, at most 64 bytes,
// no '/', '\\' or NUL, not "." or "..". Any such name is one path element.
func checkName(user string) error {
	switch {
	case user == "":
		return fmt.Errorf("%w: empty", ErrBadName)
	case len(user) > maxNameLen:
		return fmt.Errorf("%w: longer than %d bytes", ErrBadName, maxNameLen)
	case user == "." || user == "..", strings.ContainsAny(user, "/\\\x00"):
		return fmt.Errorf("%w: %q", ErrBadName, user)
	}
	return nil
}

// Secret returns user's secret after checking the name, the account's
// existence (ErrUnknownUser), its status and expiry (ErrDisabled) and the
// file modes (ErrInsecure). An empty secret refuses the user: it would
// let an empty password in.
func (k *Keys) Secret(user string) ([]byte, error) {
	a, err := k.account(user)
	if err != nil {
		return nil, err
	}
	defer a.close()
	b, err := a.read("secret", maxSecretLen)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %q has no secret", ErrUnknownUser, user)
	}
	if err != nil {
		return nil, err
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: %q has an empty secret", ErrDisabled, user)
	}
	return b, nil
}

// desKey returns user's Plan 9 DES key, with the same checks as Secret.
func (k *Keys) desKey(user string) ([desKeyLen]byte, error) {
	var key [desKeyLen]byte
	a, err := k.account(user)
	if err != nil {
		return key, err
	}
	defer a.close()
	b, err := a.read("key", desKeyLen+1)
	if errors.Is(err, fs.ErrNotExist) {
		return key, fmt.Errorf("%w: %q has no key", ErrUnknownUser, user)
	}
	if err != nil {
		return key, err
	}
	if len(b) != desKeyLen {
		return key, fmt.Errorf("keys: %s: %d bytes, want %d", a.path("key"), len(b), desKeyLen)
	}
	copy(key[:], b)
	return key, nil
}

// An account is one user's directory, open for reading.
type account struct {
	root *os.Root // the Keys dir
	dir  string   // the Keys dir as named, for messages
	user string
}

// account checks user's name, directory, status and expiry.
func (k *Keys) account(user string) (*account, error) {
	if err := checkName(user); err != nil {
		return nil, err
	}
	r, err := os.OpenRoot(k.dir)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	a := &account{root: r, dir: k.dir, user: user}
	if err := a.check(); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

func (a *account) close() { a.root.Close() }

func (a *account) path(name string) string {
	return filepath.Join(a.dir, a.user, name)
}

// check verifies that the account directory exists and is private, and
// that keyfs's status and expire files, if present, allow the user.
func (a *account) check() error {
	info, err := a.root.Lstat(a.user)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %q", ErrUnknownUser, a.user)
	}
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	if err := checkMode(filepath.Join(a.dir, a.user), info); err != nil {
		return err
	}
	if !info.IsDir() {
		return fmt.Errorf("%w: %q (not a directory)", ErrUnknownUser, a.user)
	}
	if err := a.checkStatus(); err != nil {
		return err
	}
	return a.checkExpire()
}

// checkStatus refuses any status but "ok" (or an empty file): keyfs
// reads "ok", "disabled" or "expired"; anything else fails closed.
func (a *account) checkStatus() error {
	b, err := a.read("status", maxSmallFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	switch s := strings.TrimSpace(string(b)); s {
	case "", "ok":
		return nil
	default:
		return fmt.Errorf("%w: %q status %q", ErrDisabled, a.user, s)
	}
}

// checkExpire refuses a user whose keyfs expire time has passed; an
// unreadable time fails closed.
func (a *account) checkExpire() error {
	b, err := a.read("expire", maxSmallFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	s := strings.TrimSpace(string(b))
	if s == "never" {
		return nil
	}
	t, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q expire %q", ErrDisabled, a.user, s)
	}
	if t != 0 && t < time.Now().Unix() {
		return fmt.Errorf("%w: %q expired at %d", ErrDisabled, a.user, t)
	}
	return nil
}

// read returns the file name in the account directory, at most max bytes
// (more is an error), after checking that it is a private regular file.
// A missing file gives an error matching fs.ErrNotExist.
func (a *account) read(name string, max int) ([]byte, error) {
	path := a.path(name)
	f, err := a.root.Open(a.user + "/" + name)
	if err != nil {
		return nil, fmt.Errorf("keys: %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("keys: %s: %w", path, err)
	}
	if err := checkMode(path, info); err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("keys: %s: not a regular file", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, int64(max)+1))
	if err != nil {
		return nil, fmt.Errorf("keys: %s: %w", path, err)
	}
	if len(b) > max {
		return nil, fmt.Errorf("keys: %s: longer than %d bytes", path, max)
	}
	return b, nil
}
