//go:build !plan9

package ninep

import (
	"context"
	"errors"
	"fmt"
	pathpkg "path"
	"strings"
	"sync/atomic"
	"testing"

	"9fans.net/go/plan9"
	"9fans.net/go/plan9/srv9p"
)

// deepServer serves a chain of directories d/d/d/... depth levels deep,
// with a file "leaf" in the deepest one, through srv9p.Walk (as the
// emulator walks, upasfs/server), which refuses a walk of a fid onto
// itself with more than one name. It counts the fids the server holds.
type deepServer struct {
	depth int
	fids  atomic.Int64 // attached or walked fids not yet clunked
}

// deepNode is a fid's aux: how deep it is; a leaf has depth -1.
type deepNode struct{ depth int }

func (d *deepServer) qid(n *deepNode) plan9.Qid {
	if n.depth < 0 {
		return plan9.Qid{Path: 1 << 32}
	}
	return plan9.Qid{Type: plan9.QTDIR, Path: uint64(n.depth)}
}

func (d *deepServer) srv() *srv9p.Server {
	return &srv9p.Server{
		Attach: func(ctx context.Context, fid, afid *srv9p.Fid, user, aname string) (plan9.Qid, error) {
			n := &deepNode{}
			fid.SetAux(n)
			d.fids.Add(1)
			return d.qid(n), nil
		},
		Walk: func(ctx context.Context, fid, newfid *srv9p.Fid, names []string) ([]plan9.Qid, error) {
			clone := func(old, nw *srv9p.Fid) error {
				c := *old.Aux().(*deepNode)
				nw.SetAux(&c)
				d.fids.Add(1)
				return nil
			}
			walk1 := func(f *srv9p.Fid, elem string) (plan9.Qid, error) {
				n := f.Aux().(*deepNode)
				switch {
				case elem == "d" && n.depth < d.depth:
					n.depth++
				case elem == "leaf" && n.depth == d.depth:
					n.depth = -1
				default:
					return plan9.Qid{}, errors.New("file does not exist")
				}
				return d.qid(n), nil
			}
			return srv9p.Walk(fid, newfid, names, clone, walk1)
		},
		Open: func(ctx context.Context, fid *srv9p.Fid, mode uint8) error { return nil },
		Read: func(ctx context.Context, fid *srv9p.Fid, data []byte, off int64) (int, error) {
			if fid.Aux().(*deepNode).depth >= 0 {
				return 0, nil
			}
			return fid.ReadString(data, off, fmt.Sprintf("leaf at %d\n", d.depth))
		},
		Stat: func(ctx context.Context, fid *srv9p.Fid) (*plan9.Dir, error) {
			n := fid.Aux().(*deepNode)
			dir := &plan9.Dir{Qid: d.qid(n), Name: "d", Uid: testUser, Gid: testUser, Muid: testUser}
			if n.depth < 0 {
				dir.Name = "leaf"
			} else {
				dir.Mode = plan9.DMDIR | 0555
			}
			return dir, nil
		},
		Clunk: func(fid *srv9p.Fid) {
			if fid.Aux() != nil {
				d.fids.Add(-1)
			}
		},
	}
}

// deepPath is the path of n directories, then rest.
func deepPath(n int, rest string) string {
	return strings.Repeat("d/", n) + rest
}

// TestDeepWalk walks paths longer than MAXWELEM names, which take
// several Twalks, and checks that the server holds only the root fid
// afterwards, whether the walk succeeded or failed in a later chunk.
func TestDeepWalk(t *testing.T) {
	for _, depth := range []int{15, 16, 17, 40, 64} {
		t.Run(fmt.Sprint(depth), func(t *testing.T) {
			d := &deepServer{depth: depth}
			fsys, err := Mount(startServer(t, d.srv()), testUser, "")
			if err != nil {
				t.Fatal(err)
			}
			defer fsys.Close()
			want := fmt.Sprintf("leaf at %d\n", depth)
			for range 3 { // fid numbers are reused: the same walks again
				got, err := fsys.ReadFile(deepPath(depth, "leaf"))
				if err != nil || string(got) != want {
					t.Fatalf("ReadFile(%d deep) = %q, %v; want %q", depth, got, err, want)
				}
				if _, err := fsys.Stat(deepPath(depth, "")); err != nil {
					t.Fatalf("Stat(%d deep dir): %v", depth, err)
				}
				for _, bad := range []string{
					deepPath(depth, "nosuch"),    // fails in the last chunk
					deepPath(depth+1, "leaf"),    // runs past the bottom
					deepPath(depth/2, "nosuch"),  // fails in a middle chunk
					deepPath(depth, "leaf/more"), // walks through a file
				} {
					if _, err := fsys.ReadFile(bad); !IsNotExist(err) {
						t.Errorf("ReadFile(%d names) error = %v, want not found", strings.Count(bad, "/")+1, err)
					}
				}
				if n := d.fids.Load(); n != 1 {
					t.Fatalf("server holds %d fids after the walks, want 1 (the root)", n)
				}
			}
		})
	}
}

// FuzzWalk walks any path of "d", "leaf", "." and other names, of any
// depth, against a deepServer: the walk finds the file exactly when the
// path names it (the reference below), reports not found otherwise, and
// leaves the server holding only the root fid.
func FuzzWalk(f *testing.F) {
	f.Add(uint8(20), deepPath(20, "leaf"))
	f.Add(uint8(20), deepPath(33, "leaf"))
	f.Add(uint8(3), "d/./d//d/leaf")
	f.Add(uint8(0), "leaf/d")
	f.Add(uint8(40), deepPath(17, "x/"+deepPath(5, "")))
	d := &deepServer{}
	fsys, err := Mount(startServer(f, d.srv()), testUser, "")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { fsys.Close() })
	f.Fuzz(func(t *testing.T, depth uint8, path string) {
		if len(path) > 4096 || strings.ContainsRune(path, 0) {
			return
		}
		d.depth = int(depth % 80)
		// The reference: the path, made lexically clean as the client
		// makes it (".." above the root is the root, walk(5)), must be
		// d... then at most one leaf, at the bottom.
		at, leaf, ok := 0, false, true
		for _, e := range strings.Split(pathpkg.Clean("/"+path), "/") {
			switch {
			case e == "" || e == ".":
			case e == "d" && !leaf && at < d.depth:
				at++
			case e == "leaf" && !leaf && at == d.depth:
				leaf = true
			default:
				ok = false
			}
		}
		_, err := fsys.Stat(path)
		switch {
		case ok && err != nil:
			t.Fatalf("Stat(%q) at depth %d: %v, want found", path, d.depth, err)
		case !ok && !IsNotExist(err):
			t.Fatalf("Stat(%q) at depth %d: %v, want not found", path, d.depth, err)
		}
		if n := d.fids.Load(); n != 1 {
			t.Fatalf("after Stat(%q) the server holds %d fids, want 1", path, n)
		}
	})
}
