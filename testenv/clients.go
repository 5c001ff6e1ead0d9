package testenv

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// What the interoperability tests of the POP3 and IMAP servers share:
// finding client programs, and undoing what clients do to the mail they
// store so that it can be compared with the mbox.

// NeedProgram finds a client program: missing, it fails the test under
// CI (which must install it) and skips it elsewhere.
func NeedProgram(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		msg := fmt.Sprintf("%s not installed: .ci/run must install it", name)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// SplitClientMbox splits an mbox that a client wrote: each message is
// its own From line, the message, and one empty line; From-quoting is
// left to the caller.
func SplitClientMbox(t *testing.T, data []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for _, unix := range SplitMbox(data) {
		if !bytes.HasSuffix(unix, []byte("\n\n")) {
			t.Fatalf("client mbox message without its separator: %q", Excerpt(unix, len(unix)))
		}
		_, msg, _ := bytes.Cut(unix[:len(unix)-1], []byte("\n"))
		out = append(out, msg)
	}
	return out
}

// UnfoldHeader unfolds the header fields of msg (LF line ends): a
// newline before a space or tab goes (RFC 5322 §2.2.3).
func UnfoldHeader(msg []byte) []byte {
	hdr, body, found := bytes.Cut(msg, []byte("\n\n"))
	hdr = bytes.ReplaceAll(hdr, []byte("\n "), []byte(" "))
	hdr = bytes.ReplaceAll(hdr, []byte("\n\t"), []byte("\t"))
	if !found {
		return hdr
	}
	return append(append(hdr, "\n\n"...), body...)
}

// DropAddedField removes the header field a client put first in msg:
// the field must start with prefix and contain mark; its continuation
// lines go with it.
func DropAddedField(t *testing.T, msg []byte, prefix, mark string) []byte {
	t.Helper()
	end := 0
	for {
		nl := bytes.IndexByte(msg[end:], '\n')
		if nl < 0 {
			end = len(msg)
			break
		}
		end += nl + 1
		if end == len(msg) || msg[end] != ' ' && msg[end] != '\t' {
			break
		}
	}
	if field := msg[:end]; !bytes.HasPrefix(field, []byte(prefix)) || !bytes.Contains(field, []byte(mark)) {
		t.Fatalf("message does not start with the field the client adds (%q...%q): %q", prefix, mark, Excerpt(msg, 0))
	}
	return msg[end:]
}

// GetmailDest creates getmail's destination mbox, which must exist
// before getmail runs. As root getmail delivers only as another user
// (clients.md: "user = nobody"), so the file is nobody's, in a
// world-searchable directory of its own: t.TempDir's parents are
// private. It returns the path and the [destination] user line.
func GetmailDest(t *testing.T) (path, userLine string) {
	if os.Geteuid() != 0 {
		path = filepath.Join(t.TempDir(), "out.mbox")
		if err := os.WriteFile(path, nil, 0600); err != nil {
			t.Fatal(err)
		}
		return path, ""
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	dir, err := os.MkdirTemp("", "p9mail-getmail-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0711); err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, "out.mbox")
	if err := os.WriteFile(path, nil, 0600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, uid, gid); err != nil {
		t.Fatal(err)
	}
	return path, "user = nobody\n"
}

// LocalUser is the name fetchmail delivers to ("is USER here").
func LocalUser(t *testing.T) string {
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	return u.Username
}

// ReadNumbered reads the files n = 1, 2, ... named by name(n) until one
// is missing.
func ReadNumbered(t *testing.T, name func(n int) string) [][]byte {
	t.Helper()
	var out [][]byte
	for n := 1; ; n++ {
		b, err := os.ReadFile(name(n))
		if os.IsNotExist(err) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
}

func Excerpt(b []byte, at int) []byte {
	return b[max(at-40, 0):min(at+40, len(b))]
}

// UnquoteMboxrd undoes mboxrd From-quoting: one '>' less on every line
// that is '>'s then "From ".
func UnquoteMboxrd(b []byte) []byte { return mboxrdQuoted.ReplaceAll(b, []byte("$1")) }

// mboxrdQuoted matches the lines mboxrd writers quote with one more '>'.
var mboxrdQuoted = regexp.MustCompile(`(?m)^>(>*From )`)

// SplitMbox splits an mbox the way spec §1.8 reads it, independently
// of the servers' own parsers: a message starts at each line beginning
// "From " and runs to the next one. Each element holds a message's
// bytes from its From line through the empty line that separates it.
func SplitMbox(data []byte) [][]byte {
	var starts []int
	for i := 0; i < len(data); i++ {
		if (i == 0 || data[i-1] == '\n') && bytes.HasPrefix(data[i:], []byte("From ")) {
			starts = append(starts, i)
		}
	}
	var msgs [][]byte
	for k, s := range starts {
		end := len(data)
		if k+1 < len(starts) {
			end = starts[k+1]
		}
		msgs = append(msgs, data[s:end])
	}
	return msgs
}

// RawUnix is what upasfs serves as rawunix (and digests) for a message
// as SplitMbox gives it: less one trailing newline (spec §1.4).
func RawUnix(unix []byte) []byte { return bytes.TrimSuffix(unix, []byte("\n")) }

// Raw is upasfs's raw: RawUnix without the From line.
func Raw(unix []byte) []byte {
	_, raw, _ := bytes.Cut(RawUnix(unix), []byte("\n"))
	return raw
}

// ClientTimeout bounds one run of a client program; GetmailTimeout
// one of getmail, which takes a second or two for the test mailboxes
// but can hang on its own bug (RunGetmail).
const (
	ClientTimeout  = 60 * time.Second
	GetmailTimeout = 20 * time.Second
)

// RunClient runs a client program in dir, with HOME=dir so that the
// machine's own dotfiles do not apply and env added, for at most
// ClientTimeout. A failure's error carries the program's output.
func RunClient(dir string, env []string, prog string, args ...string) ([]byte, error) {
	return runClient(ClientTimeout, dir, env, prog, args...)
}

func runClient(timeout time.Duration, dir string, env []string, prog string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "HOME="+dir), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("%s %q: %v\nstdout:\n%s\nstderr:\n%s", prog, args, err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes(), nil
}

// RunGetmail runs getmail in dir with the rc file rc and returns the
// mbox it wrote. getmail 6.18 loses the SIGCHLD of a delivery child
// that exits before the parent installs its handler (getmail6 issues
// #52, #226: it then waits out its timeout and gives up on the
// message, or hangs past GetmailTimeout); such a run is retried, at
// most twice, from an empty mbox.
func RunGetmail(t *testing.T, dir, getmail, rc, mbox string) []byte {
	t.Helper()
	for try := 1; ; try++ {
		if err := os.Truncate(mbox, 0); err != nil {
			t.Fatal(err)
		}
		_, err := runClient(GetmailTimeout, dir, nil, getmail, "--getmaildir", dir, "--rcfile", rc)
		if err == nil {
			break
		}
		lost := strings.Contains(err.Error(), "waiting child pid") || strings.Contains(err.Error(), "signal: killed")
		if try == 3 || !lost {
			t.Fatal(err)
		}
		t.Logf("getmail lost its delivery child (getmail6 #226), run %d: retrying: %v", try, err)
	}
	data, err := os.ReadFile(mbox)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Raws gives the raw (Raw) of every message of an mbox.
func Raws(data []byte) [][]byte {
	var raws [][]byte
	for _, unix := range SplitMbox(data) {
		raws = append(raws, Raw(unix))
	}
	return raws
}
