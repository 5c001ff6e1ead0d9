package ninep

import (
	"io/fs"
	"syscall"

	"9fans.net/go/plan9"
)

// idNames is unused on Plan 9, where stat carries the names.
type idNames struct{}

// dir returns the file server's own directory entry.
func (l *localFS) dir(fi fs.FileInfo, rel string) *plan9.Dir {
	d := baseDir(fi, rel)
	sd, ok := fi.Sys().(*syscall.Dir)
	if !ok {
		return d
	}
	d.Type, d.Dev = sd.Type, sd.Dev
	d.Qid = plan9.Qid{Path: sd.Qid.Path, Vers: sd.Qid.Vers, Type: sd.Qid.Type}
	d.Mode = plan9.Perm(sd.Mode)
	d.Atime, d.Mtime = sd.Atime, sd.Mtime
	d.Uid, d.Gid, d.Muid = sd.Uid, sd.Gid, sd.Muid
	return d
}
