//go:build !plan9

package ninep

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"9fans.net/go/plan9"
	"9fans.net/go/plan9/srv9p"
)

// The test tree served by newTestServer (owner "test"):
//
//	/hello     0666  "hello, world\n"
//	/big       0444  20000 bytes of bigData
//	/msg       0444  2048 bytes (the benchmark's file)
//	/ro        0444  "read only\n"
//	/sub/      0777
//	/sub/a     0666  "A\n"
//	/sub/b     0666  "B\n"
const testUser = "test"

var (
	bigData = strings.Repeat("0123456789abcdefghij", 1000)
	msgData = strings.Repeat("From: a@b\nSubject: x\n\n", 94)[:2048]
)

// ramFile is the content of a file in the test tree.
type ramFile struct {
	mu   sync.Mutex
	data []byte
}

// newTestServer returns a srv9p server with a ramfs-style tree. Attaching
// as a user other than "test" fails with "permission denied", as upas/fs
// does (p9p-upasfs.md §6.1).
func newTestServer(t testing.TB) *srv9p.Server {
	tree := srv9p.NewTree(testUser, testUser, plan9.DMDIR|0777, nil)
	mkfile(t, tree.Root, "hello", 0666, "hello, world\n")
	mkfile(t, tree.Root, "big", 0444, bigData)
	mkfile(t, tree.Root, "msg", 0444, msgData)
	mkfile(t, tree.Root, "ro", 0444, "read only\n")
	sub := mkfile(t, tree.Root, "sub", plan9.DMDIR|0777, "")
	mkfile(t, sub, "a", 0666, "A\n")
	mkfile(t, sub, "b", 0666, "B\n")
	return &srv9p.Server{
		Tree:   tree,
		Attach: testAttach,
		Open:   testOpen,
		Create: testCreate,
		Read:   testRead,
		Write:  testWrite,
		Stat:   testStat,
	}
}

func mkfile(t testing.TB, dir *srv9p.File, name string, perm plan9.Perm, data string) *srv9p.File {
	t.Helper()
	var aux any
	if perm&plan9.DMDIR == 0 {
		aux = &ramFile{data: []byte(data)}
	}
	f, err := dir.Create(name, testUser, perm, aux)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func testAttach(ctx context.Context, fid, afid *srv9p.Fid, user, aname string) (plan9.Qid, error) {
	if user != testUser {
		return plan9.Qid{}, errors.New("permission denied")
	}
	return fid.Qid(), nil
}

func testOpen(ctx context.Context, fid *srv9p.Fid, mode uint8) error {
	if rf, ok := fid.File().Aux.(*ramFile); ok && mode&plan9.OTRUNC != 0 {
		rf.mu.Lock()
		rf.data = nil
		rf.mu.Unlock()
	}
	return nil
}

func testCreate(ctx context.Context, fid *srv9p.Fid, name string, perm plan9.Perm, mode uint8) (plan9.Qid, error) {
	var aux any
	if perm&plan9.DMDIR == 0 {
		aux = &ramFile{}
	}
	f, err := fid.File().Create(name, fid.File().Stat.Uid, perm, aux)
	if err != nil {
		return plan9.Qid{}, err
	}
	fid.SetFile(f)
	return f.Stat.Qid, nil
}

func testRead(ctx context.Context, fid *srv9p.Fid, data []byte, off int64) (int, error) {
	rf := fid.File().Aux.(*ramFile)
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return fid.ReadBytes(data, off, rf.data)
}

func testWrite(ctx context.Context, fid *srv9p.Fid, data []byte, off int64) (int, error) {
	rf := fid.File().Aux.(*ramFile)
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if off > 1<<20 {
		return 0, srv9p.ErrBadOffset
	}
	if end := int(off) + len(data); end > len(rf.data) {
		rf.data = append(rf.data, make([]byte, end-len(rf.data))...)
	}
	return copy(rf.data[off:], data), nil
}

// testStat reports the current length of a file.
func testStat(ctx context.Context, fid *srv9p.Fid) (*plan9.Dir, error) {
	f := fid.File()
	if f == nil {
		return nil, errors.New("stat prohibited")
	}
	d := f.Stat
	if rf, ok := f.Aux.(*ramFile); ok {
		rf.mu.Lock()
		d.Length = uint64(len(rf.data))
		rf.mu.Unlock()
	}
	return &d, nil
}

// startServer serves srv on a Unix-domain socket in a temp dir until the
// test ends and returns the socket's path.
func startServer(t testing.TB, srv *srv9p.Server) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "s")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- Serve(l, srv) }()
	t.Cleanup(func() {
		l.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return sock
}

// mountTest starts a test server and attaches to it as "test".
func mountTest(t testing.TB) FS {
	t.Helper()
	fsys, err := Mount(startServer(t, newTestServer(t)), testUser, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	return fsys
}

// netPipe returns the two ends of an in-memory connection.
func netPipe() (net.Conn, net.Conn) { return net.Pipe() }
