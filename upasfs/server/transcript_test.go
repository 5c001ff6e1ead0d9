package server_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"9fans.net/go/plan9"

	"p9mail/ninep"
	"p9mail/testenv"
	"p9mail/upasfs/server"
)

// TestTranscripts runs the scenarios in testdata/*.txt against the
// emulator over real 9P. A scenario is a list of
//
//	C: <command>
//	S: <expected reply>
//
// pairs (and # comments). Commands:
//
//	mbox <user> <file> <fixture>     host: write testenv.Fixture(fixture) to box/<user>/<file>
//	append <user> <file> <fixture>   host: append a fixture to that file
//	host <user> <file>               host: the file's bytes, Go-quoted
//	write <user> <file> <quoted>     host: write the file
//	count <user> <file>              host: the number of messages in the file
//	drop <user> <file> <k>           host: replace the file (a new inode) by one without its k-th message
//	attach <id> <user> [aname]       a new 9P attach called <id>
//	<id> ls <path>                   directory entry names, space separated
//	<id> read <path>                 the file's bytes, Go-quoted
//	<id> write <path> <quoted>       write a Go-quoted string; "ok" or the error
//	<id> rm <path>                   Tremove; "ok" or the error
//	<id> stat <path>                 "<name> <mode> <length>"
//	<id> create <path> <perm>        create a file (octal perm, 'd' prefix for a directory)
//	<id> hold <path>                 open the file and keep it open
//	<id> release <path>              close what hold opened
//	<id> clunk                       close the attach
//
// Errors are replied as "error: <text>".
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			runTranscript(t, file)
		})
	}
}

type transcript struct {
	t    *testing.T
	root string
	emu  *testenv.Emulator
	fsys map[string]ninep.FS
	held map[string]ninep.File
}

func runTranscript(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	root := testenv.MailRoot(t, "glenda", "rob")
	tr := &transcript{t: t, root: root, fsys: map[string]ninep.FS{}, held: map[string]ninep.File{}}
	tr.emu = testenv.StartEmulator(t, root, server.Config{NoOpen: true})
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	lineno := 0
	var cmd string
	cmdLine := 0
	for sc.Scan() {
		lineno++
		line := sc.Text()
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "C: "):
			if cmd != "" {
				t.Fatalf("%s:%d: command without S: line", file, cmdLine)
			}
			cmd, cmdLine = line[3:], lineno
		case strings.HasPrefix(line, "S: ") || line == "S:":
			if cmd == "" {
				t.Fatalf("%s:%d: S: without C:", file, lineno)
			}
			want := strings.TrimPrefix(strings.TrimPrefix(line, "S:"), " ")
			got := tr.do(cmd)
			if got != want {
				t.Errorf("%s:%d: C: %s\n got: %s\nwant: %s", file, cmdLine, cmd, got, want)
			}
			cmd = ""
		default:
			t.Fatalf("%s:%d: bad line %q", file, lineno, line)
		}
	}
	if cmd != "" {
		t.Fatalf("%s:%d: command without S: line", file, cmdLine)
	}
}

func (tr *transcript) do(cmd string) string {
	f := strings.Fields(cmd)
	if len(f) == 0 {
		tr.t.Fatal("empty command")
	}
	switch f[0] {
	case "mbox", "append":
		path := filepath.Join(tr.root, "box", f[1], f[2])
		data := testenv.Fixture(f[3])
		if data == nil {
			tr.t.Fatalf("no fixture %q", f[3])
		}
		flag := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
		if f[0] == "append" {
			flag = os.O_CREATE | os.O_WRONLY | os.O_APPEND
		}
		fd, err := os.OpenFile(path, flag, 0600)
		if err != nil {
			return "error: " + err.Error()
		}
		defer fd.Close()
		if _, err := fd.Write(data); err != nil {
			return "error: " + err.Error()
		}
		return "ok"
	case "host":
		b, err := os.ReadFile(filepath.Join(tr.root, "box", f[1], f[2]))
		if err != nil {
			return "error: " + err.Error()
		}
		return strconv.Quote(string(b))
	case "write":
		data, err := strconv.Unquote(strings.TrimSpace(strings.SplitN(cmd, " "+f[2]+" ", 2)[1]))
		if err != nil {
			tr.t.Fatalf("write: %v", err)
		}
		if err := os.WriteFile(filepath.Join(tr.root, "box", f[1], f[2]), []byte(data), 0600); err != nil {
			return "error: " + err.Error()
		}
		return "ok"
	case "count":
		b, err := os.ReadFile(filepath.Join(tr.root, "box", f[1], f[2]))
		if err != nil {
			return "error: " + err.Error()
		}
		return strconv.Itoa(len(splitMbox(b)))
	case "drop":
		path := filepath.Join(tr.root, "box", f[1], f[2])
		b, err := os.ReadFile(path)
		if err != nil {
			return "error: " + err.Error()
		}
		k, _ := strconv.Atoi(f[3])
		var out []byte
		for i, m := range splitMbox(b) {
			if i+1 != k {
				out = append(append(out, m...), '\n')
			}
		}
		if err := os.WriteFile(path+".new", out, 0600); err != nil {
			return "error: " + err.Error()
		}
		if err := os.Rename(path+".new", path); err != nil {
			return "error: " + err.Error()
		}
		return "ok"
	case "attach":
		aname := ""
		if len(f) > 3 {
			aname = f[3]
		}
		fs, err := ninep.Mount(tr.emu.Addr, f[2], aname)
		if err != nil {
			return "error: " + err.Error()
		}
		tr.t.Cleanup(func() { fs.Close() })
		tr.fsys[f[1]] = fs
		return "ok"
	}
	fs := tr.fsys[f[0]]
	if fs == nil || len(f) < 2 {
		tr.t.Fatalf("bad command %q", cmd)
	}
	arg := func(i int) string {
		if i < len(f) {
			return f[i]
		}
		return ""
	}
	switch f[1] {
	case "ls":
		ents, err := fs.ReadDir(arg(2))
		if err != nil {
			return "error: " + err.Error()
		}
		var names []string
		for _, d := range ents {
			names = append(names, d.Name)
		}
		return strings.Join(names, " ")
	case "read":
		b, err := fs.ReadFile(arg(2))
		if err != nil {
			return "error: " + err.Error()
		}
		return strconv.Quote(string(b))
	case "write":
		rest := strings.TrimSpace(strings.SplitN(cmd, arg(2), 2)[1])
		s, err := strconv.Unquote(rest)
		if err != nil {
			tr.t.Fatalf("write: bad quoted string %s", rest)
		}
		fd, err := fs.Open(arg(2), plan9.OWRITE)
		if err != nil {
			return "error: " + err.Error()
		}
		defer fd.Close()
		if _, err := fd.Write([]byte(s)); err != nil {
			return "error: " + err.Error()
		}
		return "ok"
	case "rm":
		if err := fs.Remove(arg(2)); err != nil {
			return "error: " + err.Error()
		}
		return "ok"
	case "stat":
		d, err := fs.Stat(arg(2))
		if err != nil {
			return "error: " + err.Error()
		}
		return fmt.Sprintf("%s %s %d", d.Name, d.Mode, d.Length)
	case "create":
		perm := arg(3)
		var p plan9.Perm
		if strings.HasPrefix(perm, "d") {
			p, perm = plan9.DMDIR, perm[1:]
		}
		n, err := strconv.ParseUint(perm, 8, 32)
		if err != nil {
			tr.t.Fatalf("create: bad perm %q", arg(3))
		}
		mode := uint8(plan9.OWRITE)
		if p&plan9.DMDIR != 0 {
			mode = plan9.OREAD
		}
		fd, err := fs.Create(arg(2), mode, p|plan9.Perm(n))
		if err != nil {
			return "error: " + err.Error()
		}
		fd.Close()
		return "ok"
	case "hold":
		fd, err := fs.Open(arg(2), plan9.OREAD)
		if err != nil {
			return "error: " + err.Error()
		}
		tr.held[f[0]+" "+arg(2)] = fd
		return "ok"
	case "release":
		fd := tr.held[f[0]+" "+arg(2)]
		if fd == nil {
			tr.t.Fatalf("release: %s not held", arg(2))
		}
		delete(tr.held, f[0]+" "+arg(2))
		if err := fd.Close(); err != nil {
			return "error: " + err.Error()
		}
		return "ok"
	case "clunk":
		fs.Close()
		delete(tr.fsys, f[0])
		return "ok"
	}
	tr.t.Fatalf("bad command %q", cmd)
	return ""
}
