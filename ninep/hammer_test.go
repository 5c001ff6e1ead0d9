//go:build !plan9

package ninep

import (
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"9fans.net/go/plan9"
	"9fans.net/go/plan9/client"
)

// The hammer: many goroutines walk, open and clunk on one connection to a
// srv9p server, which serves every request in its own goroutine. A
// client that reuses a fid number whose Tclunk is still in flight gets
// "duplicate fid" from srv9p (p9p-upasfs.md §6.3); TestHammerRawClient
// shows that the 9fans client does, under this load. Ours frees a fid
// number only on the Rclunk.
const (
	hammerGoroutines = 32
	hammerIters      = 2000
)

func hammerIterations() int {
	if testing.Short() || raceEnabled {
		return hammerIters / 10
	}
	return hammerIters
}

// hammerOps are the operations each goroutine cycles through.
type hammerOps struct {
	stat     func(string) error
	readFile func(string) ([]byte, error)
	openCl   func(string) error
}

// hammer runs ops from hammerGoroutines goroutines, iters times each,
// and returns the errors seen; with stopAtError it stops at the first.
func hammer(ops hammerOps, iters int, stopAtError bool) []error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		stop atomic.Bool
	)
	for g := range hammerGoroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < iters && !stop.Load(); i++ {
				if err := hammerOne(ops, g+i); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					stop.Store(stopAtError)
				}
			}
		}()
	}
	wg.Wait()
	return errs
}

func hammerOne(ops hammerOps, i int) error {
	switch i % 3 {
	case 0:
		return ops.stat("sub/a")
	case 1:
		data, err := ops.readFile("hello")
		if err == nil && string(data) != "hello, world\n" {
			err = fmt.Errorf("read %q", data)
		}
		return err
	}
	return ops.openCl("sub/b")
}

func TestHammer(t *testing.T) {
	fsys := mountTest(t)
	ops := hammerOps{
		stat:     func(name string) error { _, err := fsys.Stat(name); return err },
		readFile: fsys.ReadFile,
		openCl:   func(name string) error { return open(fsys, name, plan9.OREAD) },
	}
	errs := hammer(ops, hammerIterations(), false)
	if len(errs) > 0 {
		t.Fatalf("%d errors, first: %v", len(errs), errs[0])
	}
}

// TestHammerRawClient runs the same load through the bare 9fans client and
// expects "duplicate fid": what TestHammer shows our client avoids.
func TestHammerRawClient(t *testing.T) {
	c, err := net.Dial("unix", startServer(t, newTestServer(t)))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := client.NewConn(c)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fsys, err := conn.Attach(nil, testUser, "")
	if err != nil {
		t.Fatal(err)
	}
	ops := hammerOps{
		stat: func(name string) error { _, err := fsys.Stat(name); return err },
		readFile: func(name string) ([]byte, error) {
			fid, err := fsys.Open(name, plan9.OREAD)
			if err != nil {
				return nil, err
			}
			defer fid.Close()
			return io.ReadAll(fid)
		},
		openCl: func(name string) error {
			fid, err := fsys.Open(name, plan9.OREAD)
			if err == nil {
				fid.Close()
			}
			return err
		},
	}
	errs := hammer(ops, hammerIters, true)
	if len(errs) == 0 {
		t.Fatal("raw client: no errors; the hammer cannot show the hazard")
	}
	for _, err := range errs {
		if !strings.Contains(err.Error(), "duplicate fid") {
			t.Errorf("raw client: unexpected error %v", err)
		}
	}
	t.Logf("raw client: %d errors, e.g. %v", len(errs), errs[0])
}
