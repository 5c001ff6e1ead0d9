//go:build unix

package campaign

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"p9mail/ninep"
)

// Bin holds the paths of the built binaries.
type Bin struct {
	Dir                       string
	UpasFS, IMAP4d, POP3, MDA string
}

// Build builds cmd/upasfs, cmd/imap4d, cmd/pop3 and bench/mda of the
// module holding the working directory into dir.
func Build(dir string) (*Bin, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return nil, fmt.Errorf("go list -m: %w", err)
	}
	root := strings.TrimSpace(string(out))
	cmd := exec.Command("go", "build", "-o", dir+"/", "./cmd/upasfs", "./cmd/imap4d", "./cmd/pop3", "./bench/mda")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %v\n%s", err, out)
	}
	return &Bin{
		Dir:    dir,
		UpasFS: filepath.Join(dir, "upasfs"),
		IMAP4d: filepath.Join(dir, "imap4d"),
		POP3:   filepath.Join(dir, "pop3"),
		MDA:    filepath.Join(dir, "mda"),
	}, nil
}

// A Proc is a started server process.
type Proc struct {
	Name string
	Addr string // the address it listens on
	cmd  *exec.Cmd
	done chan struct{}
	log  *tail
}

// tail keeps the last lines of a process's standard error.
type tail struct {
	mu    sync.Mutex
	lines []string
	heap  []HeapSample
}

// A HeapSample is the live heap after one collection, from the
// runtime's GODEBUG=gctrace=1 line.
type HeapSample struct {
	At   time.Time
	Live int64 // bytes (the trace gives whole MB)
}

func (t *tail) gc(live int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.heap = append(t.heap, HeapSample{time.Now(), live})
	if len(t.heap) > 10000 {
		t.heap = t.heap[5000:]
	}
}

// Heap returns the collections seen so far.
func (p *Proc) Heap() []HeapSample {
	p.log.mu.Lock()
	defer p.log.mu.Unlock()
	return append([]HeapSample(nil), p.log.heap...)
}

// gcTrace matches a gctrace line's "A->B->C MB": C is the live heap.
var gcTrace = regexp.MustCompile(`^gc \d+ @.* \d+->\d+->(\d+) MB`)

func gcLive(line string) (int64, bool) {
	m := gcTrace.FindStringSubmatch(line)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	return n << 20, err == nil
}

func (t *tail) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.lines) == 20 {
		t.lines = t.lines[1:]
	}
	t.lines = append(t.lines, line)
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}

// Start runs prog with args. If listenLog, it waits for the "listening
// on ADDR" line on standard error and takes ADDR; if sock is not "",
// it waits until the unix socket sock accepts.
func Start(name, prog string, args []string, listenLog bool, sock string) (*Proc, error) {
	return StartEnv(name, prog, args, nil, listenLog, sock)
}

// StartEnv is Start with env added to the environment.
func StartEnv(name, prog string, args, env []string, listenLog bool, sock string) (*Proc, error) {
	addrc := make(chan string, 1)
	cmd := exec.Command(prog, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	p, err := startCmdAddr(name, cmd, addrc)
	if err != nil {
		return nil, err
	}
	deadline := time.After(20 * time.Second)
	if listenLog {
		select {
		case p.Addr = <-addrc:
		case <-p.done:
			return nil, fmt.Errorf("%s exited at start: %s", name, p.log)
		case <-deadline:
			p.Kill()
			return nil, fmt.Errorf("%s did not say where it listens", name)
		}
	}
	if sock != "" {
		p.Addr = "unix!" + sock
		for {
			if c, err := ninep.Dial(p.Addr); err == nil {
				c.Close()
				break
			}
			select {
			case <-p.done:
				return nil, fmt.Errorf("%s exited at start: %s", name, p.log)
			case <-deadline:
				p.Kill()
				return nil, fmt.Errorf("%s does not accept on %s", name, sock)
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	return p, nil
}

// startCmd starts cmd in its own process group, keeping the last
// lines of its standard error.
func startCmd(name string, cmd *exec.Cmd) (*Proc, error) {
	return startCmdAddr(name, cmd, nil)
}

func startCmdAddr(name string, cmd *exec.Cmd, addrc chan string) (*Proc, error) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Proc{Name: name, cmd: cmd, done: make(chan struct{}), log: &tail{}}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			if a, ok := strings.CutPrefix(line, name+": listening on "); ok && addrc != nil {
				select {
				case addrc <- a:
				default:
				}
			}
			if live, ok := gcLive(line); ok {
				p.log.gc(live)
				continue
			}
			p.log.add(line)
		}
		io.Copy(io.Discard, stderr)
		cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Pid is the process's id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Kill sends SIGKILL and waits for the process to end.
func (p *Proc) Kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// Alive reports whether the process has not ended.
func (p *Proc) Alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// RSS returns the process's resident set size in bytes (VmRSS).
func RSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(v)
			if len(f) == 0 {
				break
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS")
}

// FDs returns the number of the process's open file descriptors.
func FDs(pid int) (int, error) {
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	return len(ents), err
}

// ProcThreads returns the process's thread count.
func ProcThreads(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			return strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return 0, errors.New("no Threads")
}
