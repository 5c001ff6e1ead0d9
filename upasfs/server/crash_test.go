package server_test

import (
	"bytes"
	"crypto/sha1"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"p9mail/ninep"
	"p9mail/testenv"
	"p9mail/upasfs"
	"p9mail/upasfs/server"
)

// The crash test runs the emulator in a child process (this test
// binary, re-executed) so that it can be killed with SIGKILL.
const childEnv = "P9MAIL_TEST_EMULATOR"

func TestMain(m *testing.M) {
	if arg := os.Getenv(childEnv); arg != "" {
		runChild(arg)
		return
	}
	code := m.Run()
	cleanupBench()
	os.Exit(code)
}

// runChild serves root on the unix socket sock ("root|sock") forever.
func runChild(arg string) {
	var root, sock string
	if i := bytes.IndexByte([]byte(arg), '|'); i > 0 {
		root, sock = arg[:i], arg[i+1:]
	}
	srv, err := server.New(server.Config{Root: root})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	l, err := ninep.Listen("unix!" + sock)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ninep.Serve(l, srv.Srv9p(nil))
}

func startChild(t *testing.T, root, sock string) *exec.Cmd {
	t.Helper()
	os.Remove(sock)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+root+"|"+sock)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		if c, err := ninep.Dial("unix!" + sock); err == nil {
			c.Close()
			return cmd
		}
		if i > 500 {
			cmd.Process.Kill()
			t.Fatal("emulator child did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCrashDuringDelete kills the emulator at random moments of
// delete-rewrites. After every restart the mbox must hold each message
// that was never asked to be deleted exactly once, and nothing else
// but messages of the original mailbox.
func TestCrashDuringDelete(t *testing.T) {
	rounds := 25
	if testing.Short() {
		rounds = 6
	}
	root := testenv.MailRoot(t, "glenda")
	var buf bytes.Buffer
	if _, err := testenv.WriteMbox(&buf, 3, 400); err != nil {
		t.Fatal(err)
	}
	path := testenv.WriteFixture(t, root, "glenda", "mbox", buf.Bytes())
	original := make(map[[20]byte]bool)
	for _, m := range splitMbox(buf.Bytes()) {
		original[sha1.Sum(m)] = true
	}
	requested := make(map[string]bool)
	dir, err := os.MkdirTemp("", "p9c")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "s")
	rng := rand.New(rand.NewSource(1))
	var tmpLeft, committed int // how the kills fell, to show the test bites
	for r := 0; r < rounds; r++ {
		child := startChild(t, root, sock)
		fs, err := ninep.Mount("unix!"+sock, "glenda", "")
		if err != nil {
			child.Process.Kill()
			t.Fatal(err)
		}
		c := upasfs.New(fs, "")
		nums, err := c.List("mbox")
		if err != nil {
			t.Fatal(err)
		}
		checkCrashState(t, r, path, original, requested, len(nums))
		var del []int
		for k := 0; k < 3 && len(nums) > 0; k++ {
			n := nums[rng.Intn(len(nums))]
			d, err := c.ReadFile("mbox", n, nil, upasfs.FileDigest)
			if err != nil {
				t.Fatal(err)
			}
			requested[string(d)] = true
			del = append(del, n)
		}
		go c.Delete("mbox", del...)
		time.Sleep(time.Duration(rng.Intn(15000)) * time.Microsecond)
		child.Process.Signal(syscall.SIGKILL)
		child.Wait()
		fs.Close()
		if _, err := os.Stat(path + ".tmp"); err == nil {
			tmpLeft++
		}
		if b, err := os.ReadFile(path); err == nil && len(splitMbox(b)) < len(nums) {
			committed++
		}
	}
	t.Logf("%d rounds: killed with a partial .tmp %d times, after the rename %d times", rounds, tmpLeft, committed)
	child := startChild(t, root, sock)
	defer func() { child.Process.Kill(); child.Wait() }()
	fs, err := ninep.Mount("unix!"+sock, "glenda", "")
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	nums, err := upasfs.New(fs, "").List("mbox")
	if err != nil {
		t.Fatal(err)
	}
	checkCrashState(t, rounds, path, original, requested, len(nums))
}

func checkCrashState(t *testing.T, round int, path string, original map[[20]byte]bool, requested map[string]bool, listed int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	seen := make(map[string]int)
	for _, m := range splitMbox(data) {
		s := sha1.Sum(m)
		if !original[s] {
			t.Fatalf("round %d: a corrupted or foreign message in the mbox: %q", round, trunc(string(m)))
		}
		seen[fmt.Sprintf("%x", s)]++
	}
	for d, n := range seen {
		if n > 1 {
			t.Fatalf("round %d: message %s is there %d times", round, d, n)
		}
	}
	for s := range original {
		d := fmt.Sprintf("%x", s)
		if !requested[d] && seen[d] != 1 {
			t.Fatalf("round %d: message %s, never deleted, is lost", round, d)
		}
	}
	if listed != len(seen) {
		t.Fatalf("round %d: emulator lists %d messages, the file holds %d", round, listed, len(seen))
	}
}
