package ninep

import (
	"io/fs"
	"path"

	"9fans.net/go/plan9"
)

// baseDir is the part of a local file's plan9.Dir that needs no system
// specifics: Qid.Vers is the mtime in nanoseconds folded to 32 bits, so it
// changes whenever the file is written; Qid.Type and Mode carry DMDIR,
// DMAPPEND and, for an "L." file, DMEXCL. Directories have length 0, as on
// Plan 9. The root is named "/".
func baseDir(fi fs.FileInfo, rel string) *plan9.Dir {
	ns := fi.ModTime().UnixNano()
	d := &plan9.Dir{
		Name:   path.Base(rel),
		Qid:    plan9.Qid{Vers: uint32(ns) ^ uint32(ns>>32)},
		Mode:   plan9.Perm(fi.Mode().Perm()),
		Mtime:  uint32(fi.ModTime().Unix()),
		Length: uint64(fi.Size()),
	}
	if rel == "." {
		d.Name = "/"
	}
	d.Atime = d.Mtime
	if fi.IsDir() {
		d.Mode |= plan9.DMDIR
		d.Qid.Type |= plan9.QTDIR
		d.Length = 0
	}
	if fi.Mode()&fs.ModeAppend != 0 {
		d.Mode |= plan9.DMAPPEND
		d.Qid.Type |= plan9.QTAPPEND
	}
	if fi.Mode()&fs.ModeExclusive != 0 || exclusive(rel) {
		d.Mode |= plan9.DMEXCL
		d.Qid.Type |= plan9.QTEXCL
	}
	return d
}
