package server

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"
)

// Errors with Plan 9's exact text (spec §1.6, decision 3).
var (
	errCtl       = errors.New("unknown control message")
	errBadName   = errors.New("bad mbox name")
	errSlashName = errors.New("/ not allowed in mailbox name")
	errNameInUse = errors.New("mbox name in use")
	errPerm      = errors.New("permission denied")
)

// tokenize splits s into fields the way Plan 9's tokenize(2) does:
// white space separates fields, single quotes quote, and a doubled
// quote inside quotes is one quote.
func tokenize(s string) []string {
	var fields []string
	i := 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return fields
		}
		var b strings.Builder
		quoted := false
		for i < len(s) {
			c := s[i]
			if !quoted && isSpace(c) {
				break
			}
			if c != '\'' {
				b.WriteByte(c)
				i++
				continue
			}
			if quoted && i+1 < len(s) && s[i+1] == '\'' {
				b.WriteByte('\'')
				i += 2
				continue
			}
			quoted = !quoted
			i++
		}
		fields = append(fields, b.String())
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// ctl carries out one write to the root ctl file (spec §1.6).
func (in *instance) ctl(data []byte) error {
	s := strings.TrimSuffix(string(data), "\n")
	f := tokenize(s)
	if len(f) == 0 {
		return errCtl
	}
	switch f[0] {
	case "open":
		if len(f) < 2 {
			return errCtl
		}
		name := ""
		if len(f) > 2 {
			name = f[2]
		}
		// Plan 9's strings only: no host path reaches the client.
		return plan9Err(in.open(f[1], name))
	case "close":
		for _, name := range f[1:] {
			in.closeBox(name)
		}
		return nil
	case "delete":
		if len(f) < 3 {
			return nil
		}
		ob := in.lookup(f[1])
		if ob == nil {
			return nil
		}
		var nums []int
		for _, a := range f[2:] {
			if n, err := strconv.Atoi(a); err == nil && n > 0 {
				nums = append(nums, n)
			}
		}
		return ob.deleteNums(nums)
	}
	return errCtl
}

// open opens the mailbox file at path under name (default: the last
// path element), spec §1.6. The mailbox is parsed at once.
func (in *instance) open(path, name string) error {
	file, err := in.resolve(path)
	if err != nil {
		return err
	}
	if name == "" {
		name = filepath.Base(strings.TrimRight(path, "/"))
		if strings.HasSuffix(path, "/") || name == "." || name == "/" {
			name = ""
		}
	}
	if name == "" || name == "ctl" || name == "." || name == ".." {
		return errBadName
	}
	if strings.Contains(name, "/") {
		return errSlashName
	}
	if ob := in.lookup(name); ob != nil {
		if ob.path == file {
			return nil
		}
		return errNameInUse
	}
	ob := &openBox{in: in, name: name, path: file, box: in.srv.store.box(file), id: in.newID()}
	if err := ob.refresh(); err != nil {
		ob.close()
		return err
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, o := range in.boxes {
		if o.name == name {
			// Lost a race with another open of the same name.
			ob.close()
			if o.path == file {
				return nil
			}
			return errNameInUse
		}
	}
	in.boxes = append(in.boxes, ob)
	return nil
}

func (in *instance) closeBox(name string) {
	in.mu.Lock()
	var ob *openBox
	for i, o := range in.boxes {
		if o.name == name {
			ob = o
			in.boxes = append(in.boxes[:i:i], in.boxes[i+1:]...)
			break
		}
	}
	in.mu.Unlock()
	if ob != nil {
		ob.close()
	}
}

// resolve maps a mailbox path as written to ctl to a host file inside
// the user's mail directory. Relative paths and /mail/box/<user>/...
// are taken relative to it (spec §1.6); nothing may leave it, through
// ".." or a symbolic link (decision 11), except the administrator's
// -f file given as an absolute path.
func (in *instance) resolve(path string) (string, error) {
	if path == in.srv.cfg.File && filepath.IsAbs(path) {
		return path, nil // the administrator's -f file, anywhere
	}
	if strings.ContainsRune(path, 0) {
		return "", errBadName
	}
	rel := path
	prefix := "/mail/box/" + in.user
	switch {
	case rel == prefix || strings.HasPrefix(rel, prefix+"/"):
		rel = strings.TrimPrefix(rel[len(prefix):], "/")
	case strings.HasPrefix(rel, in.home+"/"):
		rel = rel[len(in.home)+1:]
	case strings.HasPrefix(rel, "/"):
		return "", errPerm
	}
	for _, e := range strings.Split(rel, "/") {
		if e == ".." {
			return "", errPerm
		}
		if len(e) > maxNameLen {
			return "", errNoFile // no such file can exist here
		}
	}
	clean := filepath.Clean("/" + rel)[1:]
	if clean == "" {
		return "", errBadName
	}
	file := filepath.Join(in.home, clean)
	if err := inside(in.home, file); err != nil {
		return "", err
	}
	return file, nil
}

// maxNameLen is the longest file name the host can hold (NAME_MAX of
// Linux and the BSDs); open refuses a longer element with Plan 9's
// text, not the host's error (decision 3). An over-long path fails
// the symlink check the same way.
const maxNameLen = 255

// inside checks that file, with every symbolic link resolved, is still
// below dir. A file that does not exist yet is judged by its directory.
func inside(dir, file string) error {
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return errNoFile
	}
	real, err := filepath.EvalSymlinks(file)
	if err != nil {
		parent, perr := filepath.EvalSymlinks(filepath.Dir(file))
		if perr != nil {
			return errNoFile
		}
		real = filepath.Join(parent, filepath.Base(file))
	}
	if real != realDir && !strings.HasPrefix(real, realDir+string(filepath.Separator)) {
		return errPerm
	}
	return nil
}
