package testenv

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"p9mail/ninep"
	"p9mail/upasfs/server"
)

// An Emulator is a upasfs emulator serving a mail root on a unix
// socket, for tests and benchmarks.
type Emulator struct {
	Root   string
	Addr   string // "unix!/path" for ninep.Dial
	Server *server.Server
	Trace  io.Writer // 9P trace of later connections when set
	l      net.Listener
}

// StartEmulator serves root (see MailRoot) until the test ends. cfg.Root
// is set to root.
func StartEmulator(t testing.TB, root string, cfg server.Config) *Emulator {
	t.Helper()
	return StartEmulatorKey(t, root, cfg, nil)
}

// StartEmulatorKey is StartEmulator requiring every attach to
// authenticate with key (ninep.RequireAuth, upasfs -authkey); a nil
// key requires nothing. Mount and Pipe do not authenticate.
func StartEmulatorKey(t testing.TB, root string, cfg server.Config, key []byte) *Emulator {
	t.Helper()
	cfg.Root = root
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(shortTempDir(t), "upasfs.sock")
	l, err := ninep.Listen("unix!" + sock)
	if err != nil {
		t.Fatal(err)
	}
	e := &Emulator{Root: root, Addr: "unix!" + sock, Server: srv, l: l}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s9 := srv.Srv9p(nil)
		if key != nil {
			s9 = ninep.RequireAuth(s9, key)
		}
		ninep.Serve(l, s9)
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
	})
	return e
}

// Mount attaches to the emulator as user with attach name aname ("" for
// the upasfs tree, "box" for the mail directory). The attach is closed
// when the test ends.
func (e *Emulator) Mount(t testing.TB, user, aname string) ninep.FS {
	t.Helper()
	fs, err := ninep.Mount(e.Addr, user, aname)
	if err != nil {
		t.Fatalf("mount %s as %s: %v", e.Addr, user, err)
	}
	t.Cleanup(func() { fs.Close() })
	return fs
}

// shortTempDir returns a temporary directory with a path short enough
// for a unix socket name (at most 108 bytes), removed at the end.
func shortTempDir(t testing.TB) string {
	dir, err := os.MkdirTemp("", "p9m")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// Pipe attaches to the emulator in process, over a ninep.Pipe, as the
// front ends' default source does (protocol/mailfs). The attach is
// closed when the test ends.
func (e *Emulator) Pipe(t testing.TB, user, aname string) ninep.FS {
	t.Helper()
	c1, c2 := ninep.Pipe()
	go ninep.ServeConn(c1, e.Server.Srv9p(nil))
	fs, err := ninep.Attach(c2, user, aname)
	if err != nil {
		t.Fatalf("attach over a pipe as %s: %v", user, err)
	}
	t.Cleanup(func() { fs.Close() })
	return fs
}

// Proxy listens on a fresh unix socket and relays each connection to
// the 9P address target, so that a test can cut them: the servers then
// see their upasfs go away. It returns the proxy's address and cut,
// which closes every relayed connection (new ones still work).
func Proxy(t testing.TB, target string) (addr string, cut func()) {
	t.Helper()
	sock := filepath.Join(shortTempDir(t), "proxy.sock")
	l, err := ninep.Listen("unix!" + sock)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []io.Closer
	)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			up, err := ninep.Dial(target)
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, up)
			mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
	t.Cleanup(func() { l.Close() })
	return "unix!" + sock, func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
		conns = nil
	}
}
