//go:build unix

package mbox

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// newBox returns the path of a mailbox file "mbox" in a new directory.
func newBox(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mbox")
	writeFile(t, path, "From a\n\nx\n\n")
	return path
}

// wantLocked checks that Lock(path) times out with ErrLocked.
func wantLocked(t *testing.T, path string) {
	t.Helper()
	l, err := Lock(path, 50*time.Millisecond)
	if err == nil {
		l.Unlock()
		t.Fatal("Lock succeeded while another holder has a lock")
	}
	if !errors.Is(err, ErrLocked) || err.Error() != "can't lock mailbox" {
		t.Fatalf("Lock: %v, want %q", err, ErrLocked)
	}
}

// mustLock takes the Lock at once or fails the test.
func mustLock(t *testing.T, path string) *Locker {
	t.Helper()
	l, err := Lock(path, 0)
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	return l
}

func TestLockInProcess(t *testing.T) {
	path := newBox(t)
	l := mustLock(t, path)
	start := time.Now()
	wantLocked(t, path)
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("Lock gave up after %v, before its timeout", d)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := l.Unlock(); err != nil {
		t.Errorf("second Unlock: %v", err)
	}
	mustLock(t, path).Unlock()
}

// TestLockCounter: goroutines increment a counter file under the Lock;
// no increment is lost.
func TestLockCounter(t *testing.T) {
	fastRetry(t)
	path := newBox(t)
	counter := filepath.Join(filepath.Dir(path), "counter")
	writeFile(t, counter, "0")
	const workers, rounds = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for range rounds {
				if err := increment(path, counter); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(counter); string(b) != strconv.Itoa(workers*rounds) {
		t.Errorf("counter = %s, want %d", b, workers*rounds)
	}
}

func increment(path, counter string) error {
	l, err := Lock(path, 10*time.Second)
	if err != nil {
		return err
	}
	defer l.Unlock()
	b, err := os.ReadFile(counter)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(string(b))
	if err != nil {
		return err
	}
	time.Sleep(100 * time.Microsecond)
	return os.WriteFile(counter, []byte(strconv.Itoa(n+1)), 0600)
}

func TestLockAcrossProcesses(t *testing.T) {
	fastRetry(t)
	path := newBox(t)
	cmd, stdin := startChild(t, "hold", true, "MBOX_PATH="+path)
	wantLocked(t, path)
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("holding child: %v", err)
	}
	l := mustLock(t, path)
	if code := runChild(t, "try", "MBOX_PATH="+path, "MBOX_TIMEOUT=100ms"); code != exitLocked {
		t.Errorf("child Lock while we hold it: exit %d, want %d", code, exitLocked)
	}
	l.Unlock()
	if code := runChild(t, "try", "MBOX_PATH="+path, "MBOX_TIMEOUT=0s"); code != exitOK {
		t.Errorf("child Lock after Unlock: exit %d, want %d", code, exitOK)
	}
}

// TestLockLmbox: L.mbox is created with the bits create(5) gives
// DMEXCL|0666 in its directory (spec §1.8), whatever the umask, and
// left behind; it excludes TryLockFile holders and vice versa.
func TestLockLmbox(t *testing.T) {
	for dir, want := range map[fs.FileMode]fs.FileMode{0777: 0666, 0755: 0644, 0750: 0640, 0700: 0600} {
		path := newBox(t)
		if err := os.Chmod(filepath.Dir(path), dir); err != nil {
			t.Fatal(err)
		}
		old := syscall.Umask(027)
		l := mustLock(t, path)
		syscall.Umask(old)
		st, err := os.Stat(filepath.Join(filepath.Dir(path), "L.mbox"))
		if err != nil || st.Mode().Perm() != want {
			t.Errorf("L.mbox in a %#o directory: %v, %v; want mode %#o", dir, st, err, want)
		}
		l.Unlock()
	}
	path := newBox(t)
	lmbox := filepath.Join(filepath.Dir(path), "L.mbox")
	l := mustLock(t, path)
	f, err := os.Open(lmbox)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := TryLockFile(f); !errors.Is(err, ErrBusy) {
		t.Errorf("TryLockFile while Locked: %v, want ErrBusy", err)
	}
	l.Unlock()
	if _, err := os.Stat(lmbox); err != nil {
		t.Errorf("L.mbox after Unlock: %v, want it left behind", err)
	}
	if err := TryLockFile(f); err != nil {
		t.Fatalf("TryLockFile after Unlock: %v", err)
	}
	wantLocked(t, path)
}

func TestDotlock(t *testing.T) {
	fastRetry(t)
	dead := deadPid(t)
	old := time.Now().Add(-10 * time.Minute)
	self := strconv.Itoa(os.Getpid()) + "\n"
	for _, tt := range []struct {
		name    string
		content string
		mtime   time.Time // zero: now
		broken  bool
	}{
		{"live pid", self, time.Time{}, false},
		{"live pid, old", self, old, false},
		{"dead pid, old", strconv.Itoa(dead) + "\n", old, true},
		{"dead pid, fresh", strconv.Itoa(dead) + "\n", time.Time{}, true},
		{"dead pid with host", strconv.Itoa(dead) + ":otherhost", time.Time{}, true},
		{"empty, fresh", "", time.Time{}, false},
		{"empty, old", "", old, true},
		{"procmail zero, fresh", "0", time.Time{}, false},
		{"procmail zero, old", "0", old, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := newBox(t)
			dot := path + ".lock"
			writeFile(t, dot, tt.content)
			if !tt.mtime.IsZero() {
				if err := os.Chtimes(dot, tt.mtime, tt.mtime); err != nil {
					t.Fatal(err)
				}
			}
			if !tt.broken {
				wantLocked(t, path)
				if b, _ := os.ReadFile(dot); string(b) != tt.content {
					t.Errorf("respected dotlock changed to %q", b)
				}
				return
			}
			l := mustLock(t, path)
			if b, _ := os.ReadFile(dot); string(b) != self {
				t.Errorf("dotlock holds %q, want our pid %q", b, self)
			}
			l.Unlock()
			if _, err := os.Stat(dot); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("dotlock after Unlock: %v, want removed", err)
			}
		})
	}
}

// TestDotlockNotOurs: Unlock leaves a dotlock that someone else put in
// place of ours.
func TestDotlockNotOurs(t *testing.T) {
	path := newBox(t)
	l := mustLock(t, path)
	writeFile(t, path+".lock", "1\n")
	l.Unlock()
	if b, err := os.ReadFile(path + ".lock"); string(b) != "1\n" {
		t.Errorf("foreign dotlock after Unlock: %q, %v", b, err)
	}
}

// deadPid returns the pid of a process that has exited.
func deadPid(t *testing.T) int {
	t.Helper()
	cmd, _ := startChild(t, "exit", false)
	cmd.Wait()
	return cmd.Process.Pid
}

// TestLockFcntl: a Unix program's POSIX lock on the mailbox keeps Lock
// out, and Lock gives back what it took when it times out; while we
// hold the Lock, such a program cannot lock the file, even after this
// process opened and closed the file again (open file description
// locks survive that; plain POSIX locks would not).
func TestLockFcntl(t *testing.T) {
	fastRetry(t)
	path := newBox(t)
	_, stdin := startChild(t, "posixlock", true, "MBOX_PATH="+path)
	wantLocked(t, path)
	if _, err := os.Stat(path + ".lock"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("dotlock after a failed Lock: %v, want removed", err)
	}
	stdin.Close()
	l, err := Lock(path, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if code := runChild(t, "posixlock", "MBOX_PATH="+path); code != exitLocked {
		t.Errorf("POSIX lock while Locked: child exit %d, want %d", code, exitLocked)
	}
}

func TestLockNoFile(t *testing.T) {
	dir := t.TempDir()
	l := mustLock(t, filepath.Join(dir, "absent"))
	l.Unlock()
	_, err := Lock(filepath.Join(dir, "nodir", "mbox"), time.Second)
	if err == nil || errors.Is(err, ErrLocked) {
		t.Errorf("Lock in a missing directory: %v, want an error other than ErrLocked", err)
	}
}
