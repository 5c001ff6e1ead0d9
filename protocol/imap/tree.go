package imap

import (
	"bytes"
	"path"
	"sort"
	"strings"

	"9fans.net/go/plan9"

	"p9mail/ninep"
)

// A listEntry is one line of a LIST or LSUB answer.
type listEntry struct {
	name  string   // UTF-8, "/" separated
	attrs []string // \Noselect, \Noinferiors, \Marked
}

// match reports whether name matches an IMAP LIST pattern (RFC 3501
// §6.3.8): '*' matches anything, '%' anything but the separator.
func match(pattern, name string) bool {
	for len(pattern) > 0 {
		switch c := pattern[0]; c {
		case '*', '%':
			rest := pattern[1:]
			for i := 0; i <= len(name); i++ {
				if match(rest, name[i:]) {
					return true
				}
				if i < len(name) && c == '%' && name[i] == '/' {
					return false
				}
			}
			return false
		default:
			if len(name) == 0 || name[0] != c {
				return false
			}
			pattern, name = pattern[1:], name[1:]
		}
	}
	return len(name) == 0
}

// canDescend reports whether some name below dir (dir + "/" + ...)
// could match pattern, to prune the walk.
func canDescend(pattern, dir string) bool {
	prefix := dir + "/"
	for i := 0; i < len(pattern); i++ {
		if pattern[i] == '*' || pattern[i] == '%' {
			p := pattern[:i]
			return strings.HasPrefix(prefix, p) || strings.HasPrefix(p, prefix)
		}
	}
	return strings.HasPrefix(pattern, prefix)
}

// walkMailboxes lists the mailboxes and directories under the user's
// mail directory whose names match pattern (decision 10): a file is a
// mailbox when it is empty or begins "From " and its name passes the
// stop-list or imap.ok; directories are \Noselect; '*' recurses fully.
// INBOX comes first when it matches.
func walkMailboxes(ns ninep.FS, dir, pattern string, allow map[string]bool) ([]listEntry, error) {
	var out []listEntry
	if match(strings.ToUpper(pattern), inbox) || match(pattern, inbox) {
		out = append(out, listEntry{name: inbox, attrs: []string{`\Noinferiors`}})
	}
	var walk func(rel string) error
	walk = func(rel string) error {
		ents, err := ns.ReadDir(path.Join(dir, rel))
		if err != nil {
			return err
		}
		sort.Slice(ents, func(i, j int) bool { return ents[i].Name < ents[j].Name })
		for _, d := range ents {
			name := d.Name
			if rel != "" {
				name = rel + "/" + d.Name
			}
			if rel == "" && d.Name == inboxFile {
				continue
			}
			if d.Qid.Type&plan9.QTDIR != 0 {
				if strings.HasPrefix(d.Name, ".") {
					continue
				}
				if match(pattern, name) {
					out = append(out, listEntry{name: name, attrs: []string{`\Noselect`}})
				}
				if canDescend(pattern, name) {
					if err := walk(name); err != nil && !ninep.IsNotExist(err) && !ninep.IsPermission(err) {
						return err
					}
				}
				continue
			}
			if !match(pattern, name) || !okElem(d.Name, allow) || !isMboxFile(ns, path.Join(dir, name), d) {
				continue
			}
			out = append(out, listEntry{name: name, attrs: fileAttrs(ents, d)})
		}
		return nil
	}
	if err := walk(""); err != nil {
		return nil, err
	}
	return out, nil
}

// isMboxFile reports whether a file is empty or begins "From ".
func isMboxFile(ns ninep.FS, name string, d *plan9.Dir) bool {
	if d.Length == 0 {
		return true
	}
	f, err := ns.Open(name, plan9.OREAD)
	if err != nil {
		return false
	}
	defer f.Close()
	var b [5]byte
	n, _ := f.ReadAt(b[:], 0)
	return bytes.Equal(b[:n], []byte("From "))
}

// fileAttrs gives a mailbox \Noinferiors, and \Marked when its .imp is
// missing or older than it: mail came that no IMAP session has seen
// (spec §2.10).
func fileAttrs(siblings []*plan9.Dir, d *plan9.Dir) []string {
	for _, s := range siblings {
		if s.Name == d.Name+".imp" {
			if s.Mtime >= d.Mtime {
				return []string{`\Noinferiors`}
			}
			break
		}
	}
	return []string{`\Noinferiors`, `\Marked`}
}
