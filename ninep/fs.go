package ninep

import (
	"io"

	"9fans.net/go/plan9"
)

// FS is a file tree as the front ends see it: a 9P attach (Attach, Mount),
// a host directory (Local), or a name space of those (NS).
//
// Names are slash-separated paths relative to the tree's root; "" and "."
// name the root, and a leading "/" is allowed and ignored. Errors are
// *fs.PathError values whose Err keeps the file server's text (see Error);
// use IsNotExist, IsPermission and IsLocked to classify them.
//
// The implementations in this package are safe for use by many goroutines.
type FS interface {
	// Open opens name with a Plan 9 mode: plan9.OREAD, OWRITE, ORDWR or
	// OEXEC, optionally | plan9.OTRUNC or plan9.ORCLOSE.
	Open(name string, mode uint8) (File, error)
	// Create creates name and opens it with mode. perm holds the
	// permission bits and may include plan9.DMDIR, DMEXCL and DMAPPEND.
	// As on Plan 9, creating an existing file truncates it.
	Create(name string, mode uint8, perm plan9.Perm) (File, error)
	// Remove removes a file or an empty directory.
	Remove(name string) error
	// Stat returns the directory entry of name.
	Stat(name string) (*plan9.Dir, error)
	// Wstat changes the fields of d that are not "don't touch" values
	// (see plan9.Dir.Null): a new Name renames within the directory, Mode
	// changes permissions, Length truncates.
	Wstat(name string, d *plan9.Dir) error
	// ReadFile reads a whole (small) file: open, read until a read returns
	// no data, clunk.
	ReadFile(name string) ([]byte, error)
	// ReadDir reads a whole directory.
	ReadDir(name string) ([]*plan9.Dir, error)
	// WriteFile opens name with OWRITE|OTRUNC, creating it with mode 0666
	// if it does not exist, and writes all of data.
	WriteFile(name string, data []byte) error
	// Close releases the tree: the 9P connection, the host directory, or
	// every tree bound in a name space.
	Close() error
}

// File is an open file of an FS. ReadAt and WriteAt do not move the
// offset that Read and Write use.
type File interface {
	io.Reader
	io.ReaderAt
	io.Writer
	io.WriterAt
	io.Closer
	// Stat returns the file's directory entry.
	Stat() (*plan9.Dir, error)
	// ReadDir returns the remaining entries of an open directory.
	ReadDir() ([]*plan9.Dir, error)
}

// A WholeOpener opens files that their server serves in full, as file
// servers answer reads of ordinary files (read(5)): a read that returns
// less than it asked for is the end, which saves the round trip that
// would return nothing. Not for streams.
type WholeOpener interface {
	OpenWhole(name string) (File, error)
}

// OpenWhole opens name for reading as a WholeOpener would, or plainly
// when fs is not one.
func OpenWhole(fs FS, name string) (File, error) {
	if w, ok := fs.(WholeOpener); ok {
		return w.OpenWhole(name)
	}
	return fs.Open(name, plan9.OREAD)
}

// An Entry is what a listing needs of a directory entry: its name and
// whether it is a directory.
type Entry struct {
	Name  string
	IsDir bool
}

// An EntryLister lists a directory's entries without decoding all of
// each one's stat, as a mailbox of many messages wants at every look.
type EntryLister interface {
	ReadDirEntries(name string) ([]Entry, error)
}

// ReadDirEntries lists the directory name of fs, through its
// EntryLister if it has one.
func ReadDirEntries(fs FS, name string) ([]Entry, error) {
	if l, ok := fs.(EntryLister); ok {
		return l.ReadDirEntries(name)
	}
	dirs, err := fs.ReadDir(name)
	if err != nil {
		return nil, err
	}
	ents := make([]Entry, len(dirs))
	for i, d := range dirs {
		ents[i] = Entry{d.Name, d.Qid.Type&plan9.QTDIR != 0}
	}
	return ents, nil
}

// A Connection is an FS over a connection that can be lost: a 9P
// attach.
type Connection interface {
	// Lost returns why the connection ended (the server went away or
	// broke the protocol), or nil while it serves.
	Lost() error
}

// Lost returns why fs can no longer serve: the error that ended its 9P
// connection, or for a name space that of any tree bound in it; nil
// when all serve (host directories always do).
func Lost(fs FS) error {
	if c, ok := fs.(Connection); ok {
		return c.Lost()
	}
	return nil
}
