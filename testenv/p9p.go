//go:build unix

package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// P9PEnv names a plan9port upas/fs binary ($PLAN9/bin/upas/fs) for the
// tests that compare with it or run the servers on it; they skip when it
// is unset. Its 9pserve must be in $PLAN9/bin; PLAN9 defaults to three
// levels above the binary.
const P9PEnv = "P9MAIL_P9P_UPASFS"

// P9PBinary returns $P9MAIL_P9P_UPASFS, or skips the test.
func P9PBinary(t testing.TB) string {
	t.Helper()
	bin := os.Getenv(P9PEnv)
	if bin == "" {
		t.Skipf("set %s to a plan9port upas/fs binary (and PLAN9 to its root) to run this test", P9PEnv)
	}
	return bin
}

// StartP9P runs `upas/fs -s args...` as login with a private name space
// directory and home, both in a fresh temporary directory dir (args may
// name files in it), and returns the 9P address of its service. The
// upas/fs and the 9pserve it starts are killed when the test ends.
func StartP9P(t testing.TB, bin, login string, setup func(dir string) []string) string {
	t.Helper()
	if _, err := os.Stat("/proc/self/environ"); err != nil {
		t.Skip("needs /proc to find the processes upas/fs -s leaves behind")
	}
	dir, err := os.MkdirTemp("", "p9c") // short: the socket path is limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ns := filepath.Join(dir, "ns")
	sock := filepath.Join(ns, "upasfs")
	if err := os.Mkdir(ns, 0o700); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-s"}, setup(dir)...)
	t.Cleanup(func() { killP9P(t, ns) })
	logf, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(bin, args...)
	cmd.Env = p9pEnviron(bin, login, dir, ns)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, logf, logf // a pipe would wait for the daemons
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v; output: %s", bin, err, readLog(dir))
	}
	for i := 0; ; i++ {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if i == 100 {
			t.Fatalf("no socket %s after 10 s; output: %s", sock, readLog(dir))
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "unix!" + sock
}

func readLog(dir string) string {
	b, _ := os.ReadFile(filepath.Join(dir, "log"))
	return string(b)
}

// p9pEnviron is our environment with NAMESPACE, USER, HOME, PLAN9 and
// PATH ($PLAN9/bin first, for 9pserve) replaced.
func p9pEnviron(bin, login, home, ns string) []string {
	p9 := os.Getenv("PLAN9")
	if p9 == "" {
		p9 = filepath.Dir(filepath.Dir(filepath.Dir(bin))) // $PLAN9/bin/upas/fs
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "NAMESPACE", "USER", "HOME", "PLAN9", "PATH":
		default:
			env = append(env, kv)
		}
	}
	return append(env, "NAMESPACE="+ns, "USER="+login, "HOME="+home, "PLAN9="+p9,
		"PATH="+filepath.Join(p9, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// killP9P kills, by PID, the processes whose environment holds our
// private NAMESPACE: the upas/fs and its 9pserve, nothing else.
func killP9P(t testing.TB, ns string) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Errorf("kill upas/fs: %v", err)
		return
	}
	mark := "NAMESPACE=" + ns
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil {
			continue
		}
		for _, kv := range strings.Split(string(b), "\x00") {
			if kv == mark {
				if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
					t.Logf("kill %d: %v", pid, err)
				}
				break
			}
		}
	}
}
