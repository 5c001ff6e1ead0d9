//go:build unix

package mbox

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests re-execute their own binary as child processes: a second
// process taking the locks, an appender, a rewriter to be killed.
// childEnv selects what the child does; the other MBOX_* variables are
// its arguments.
const childEnv = "MBOX_TEST_CHILD"

// Exit codes of a child.
const (
	exitOK     = 0
	exitFail   = 1
	exitLocked = 3
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(childMain(mode))
	}
	os.Exit(m.Run())
}

// childMain runs the child mode and returns its exit code.
func childMain(mode string) int {
	retryInterval = 2 * time.Millisecond
	path := os.Getenv("MBOX_PATH")
	var err error
	switch mode {
	case "hold":
		err = childHold(path)
	case "try":
		err = childTry(path)
	case "posixlock":
		err = childPosixLock(path)
	case "append":
		err = childAppend(path)
	case "bigappend":
		err = childBigAppend(path)
	case "rewriter":
		err = childRewriter(path, os.Getenv("MBOX_LOG"))
	case "exit":
	default:
		err = fmt.Errorf("unknown child mode %q", mode)
	}
	switch {
	case errors.Is(err, ErrLocked):
		return exitLocked
	case err != nil:
		fmt.Fprintln(os.Stderr, "child:", err)
		return exitFail
	}
	return exitOK
}

// childHold takes the Lock, says "ready" and holds it until stdin is
// closed.
func childHold(path string) error {
	l, err := Lock(path, 5*time.Second)
	if err != nil {
		return err
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	return l.Unlock()
}

// childTry takes and releases the Lock, waiting MBOX_TIMEOUT.
func childTry(path string) error {
	d, err := time.ParseDuration(os.Getenv("MBOX_TIMEOUT"))
	if err != nil {
		return err
	}
	l, err := Lock(path, d)
	if err != nil {
		return err
	}
	return l.Unlock()
}

// childPosixLock holds a traditional POSIX (per-process) fcntl write
// lock on path, as a Unix delivery agent would, until stdin closes.
func childPosixLock(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	lk := syscall.Flock_t{Type: syscall.F_WRLCK}
	err = syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk)
	if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EACCES) {
		return ErrLocked
	}
	if err != nil {
		return err
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	return nil
}

// childAppend appends MBOX_N messages with ids MBOX_ID-0, MBOX_ID-1...
func childAppend(path string) error {
	n, err := strconv.Atoi(os.Getenv("MBOX_N"))
	if err != nil {
		return err
	}
	return appendTagged(path, os.Getenv("MBOX_ID"), n)
}

// startChild starts the test binary in mode with the given extra
// environment. If wait is set it waits for the child to print "ready"
// and fails the test if it does not.
func startChild(t *testing.T, mode string, wait bool, env ...string) (*exec.Cmd, io.WriteCloser) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, childEnv+"="+mode)...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	if wait {
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if strings.TrimSpace(line) != "ready" {
			t.Fatalf("child %s: read %q, %v; want \"ready\"", mode, line, err)
		}
	}
	return cmd, stdin
}

// runChild runs the test binary in mode to completion and returns its
// exit code.
func runChild(t *testing.T, mode string, env ...string) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, childEnv+"="+mode)...)
	cmd.Stderr = os.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.ExitCode()
	default:
		t.Fatal(err)
		return -1
	}
}
