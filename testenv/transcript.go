package testenv

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"p9mail/upasfs/mbox"
	"p9mail/upasfs/server"
)

// A Transcript runs a conversation with a line-based mail server (POP3,
// IMAP) written as a file of lines (STYLE.md):
//
//	C: <line>                       the client sends line (CRLF added)
//	Cq <quoted>                     the client sends a Go-quoted string as it is (NUL, literal data; no CRLF added)
//	S: <line>                       the server's next line is exactly line ("<EOF>" at the end)
//	S~ <regexp>                     the server's next line matches regexp
//	S* <regexp>                     skip server lines until one matches
//	# ...                           a comment
//	mbox <user> <file> <fixture>    host: write Fixture(fixture) to the user's file
//	append <user> <file> <fixture>  host: append it raw
//	deliver <user> <file> <fixture> host: deliver its messages under the mailbox locks
//	write <user> <file> <quoted>    host: write a Go-quoted string to the file
//	host <user> <file> <quoted>     host: the file holds exactly these bytes
//	hostre <user> <file> <regexp>   host: the file's bytes match regexp
//	count <user> <file> <n>         host: the file holds n messages
//	age <user> <file>               host: set the file's modification time to 2001-01-01
//	aged <user> <file>              host: the file still has that time (nobody wrote it)
//	key <user> <secret>             host: the user's secret
//	disable <user>                  host: the user's status is "disabled"
//	set tls | set <option>          server options, before the first open (tls makes Cert)
//	set proxy                       the server uses an emulator on a socket through a proxy (FSAddr)
//	cut                             cut the proxied 9P connections: the server's upasfs goes away
//	open <name> / opentls <name>    a new connection (implicit TLS) that becomes current
//	use <name>                      make a connection current
//	starttls                        start TLS on the current connection
//	hangup                          close the current connection abruptly
//	cram <user> <secret>            answer the last "+ " CRAM-MD5 challenge
//	wait <ms>                       sleep
//
// The mail root has users glenda and rob.
type Transcript struct {
	T    *testing.T
	Root string
	Cert *Cert // made by "set tls"

	// Set takes the other "set" options; false for an unknown one.
	Set func(opt string) bool
	// Start starts the server at the first open and returns its plain
	// and implicit-TLS listeners.
	Start func() (plain, implicitTLS net.Listener)
	// Command runs a line of the protocol's own; false if unknown.
	Command func(f []string, line string) bool
	// Seen is called with every line the server sends.
	Seen func(line string)

	// FSAddr is the upasfs address the server must use after "set
	// proxy" (-fs); empty means its in-process emulator over Root.
	FSAddr string

	Cur   *Conn
	cut   func()
	conns map[string]*Conn
	file  string
	line  int
	l, lt net.Listener
}

// A Conn is one client connection of a Transcript.
type Conn struct {
	C    net.Conn
	R    *bufio.Reader
	Last string // the last line the server sent
}

// NewTranscript returns a Transcript over a new mail root.
func NewTranscript(t *testing.T) *Transcript {
	return &Transcript{T: t, Root: MailRoot(t, "glenda", "rob"), conns: map[string]*Conn{}}
}

// RunFile runs the script in file.
func (tr *Transcript) RunFile(file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		tr.T.Fatal(err)
	}
	tr.file = file
	defer func() {
		for _, c := range tr.conns {
			c.C.Close()
		}
		if tr.l != nil {
			tr.l.Close()
			tr.lt.Close()
		}
	}()
	for i, line := range strings.Split(string(data), "\n") {
		tr.line = i + 1
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		tr.do(line)
	}
}

// Fatalf fails the test at the current line of the script.
func (tr *Transcript) Fatalf(format string, args ...any) {
	tr.T.Helper()
	tr.T.Fatalf("%s:%d: "+format, append([]any{tr.file, tr.line}, args...)...)
}

func (tr *Transcript) do(line string) {
	switch {
	case strings.HasPrefix(line, "C: ") || line == "C:":
		tr.Send(strings.TrimPrefix(strings.TrimPrefix(line, "C:"), " "))
		return
	case strings.HasPrefix(line, "Cq "):
		data, err := strconv.Unquote(strings.TrimPrefix(line, "Cq "))
		if err != nil {
			tr.Fatalf("bad quoted string %s", line)
		}
		tr.Cur.C.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.WriteString(tr.Cur.C, data); err != nil {
			tr.Fatalf("send %q: %v", data, err)
		}
		return
	case strings.HasPrefix(line, "S: ") || line == "S:":
		want := strings.TrimPrefix(strings.TrimPrefix(line, "S:"), " ")
		if got := tr.Recv(); got != want {
			tr.Fatalf("got  %q\n  want %q", got, want)
		}
		return
	case strings.HasPrefix(line, "S~ "):
		re := regexp.MustCompile("^" + line[3:] + "$")
		if got := tr.Recv(); !re.MatchString(got) {
			tr.Fatalf("got %q, want match for %s", got, re)
		}
		return
	case strings.HasPrefix(line, "S* "):
		re := regexp.MustCompile("^" + line[3:] + "$")
		for i := 0; ; i++ {
			got := tr.Recv()
			if re.MatchString(got) {
				return
			}
			if i > 10000 || strings.HasPrefix(got, "<") {
				tr.Fatalf("no line matched %s (last %q)", re, got)
			}
		}
	}
	f := strings.Fields(line)
	if tr.host(f, line) || tr.client(f) {
		return
	}
	if tr.Command == nil || !tr.Command(f, line) {
		tr.Fatalf("bad line %q", line)
	}
}

// path is a file of a user's mail directory.
func (tr *Transcript) path(user, file string) string {
	return filepath.Join(tr.Root, "box", user, file)
}

// rest is what follows field f[k] on the line.
func rest(line string, f []string, k int) string {
	return strings.TrimSpace(strings.SplitN(line, " "+f[k]+" ", 2)[1])
}

// agedTime is the modification time of "age".
var agedTime = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)

// host runs the lines that act on the host's files.
func (tr *Transcript) host(f []string, line string) bool {
	switch f[0] {
	case "mbox", "append":
		flag := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
		if f[0] == "append" {
			flag = os.O_CREATE | os.O_WRONLY | os.O_APPEND
		}
		fd, err := os.OpenFile(tr.path(f[1], f[2]), flag, 0600)
		if err != nil {
			tr.Fatalf("%v", err)
		}
		fd.Write(Fixture(f[3]))
		fd.Close()
	case "deliver":
		var m bytes.Buffer
		for _, unix := range SplitMbox(Fixture(f[3])) {
			mbox.Format(&m, "deliver@example.com", time.Date(2025, 1, 6, 10, 0, 0, 0, time.UTC), Raw(unix))
		}
		if err := mbox.Append(tr.path(f[1], f[2]), m.Bytes(), 10*time.Second); err != nil {
			tr.Fatalf("%v", err)
		}
	case "write", "host":
		want, err := strconv.Unquote(rest(line, f, 2))
		if err != nil {
			tr.Fatalf("bad quoted string %s", rest(line, f, 2))
		}
		if f[0] == "write" {
			os.MkdirAll(filepath.Dir(tr.path(f[1], f[2])), 0700)
			if err := os.WriteFile(tr.path(f[1], f[2]), []byte(want), 0600); err != nil {
				tr.Fatalf("%v", err)
			}
			return true
		}
		if got := tr.read(f[1], f[2]); string(got) != want {
			tr.Fatalf("%s holds\n%q\nwant\n%q", f[2], got, want)
		}
	case "hostre":
		re := regexp.MustCompile("(?s)^" + rest(line, f, 2) + "$")
		if got := tr.read(f[1], f[2]); !re.Match(got) {
			tr.Fatalf("%s holds\n%q\nwant a match for %s", f[2], got, re)
		}
	case "count":
		if got := strconv.Itoa(len(SplitMbox(tr.read(f[1], f[2])))); got != f[3] {
			tr.Fatalf("%s holds %s messages, want %s", f[2], got, f[3])
		}
	case "age":
		if err := os.Chtimes(tr.path(f[1], f[2]), agedTime, agedTime); err != nil {
			tr.Fatalf("%v", err)
		}
	case "aged":
		st, err := os.Stat(tr.path(f[1], f[2]))
		if err != nil {
			tr.Fatalf("%v", err)
		}
		if !st.ModTime().Equal(agedTime) {
			tr.Fatalf("%s was written at %v", f[2], st.ModTime())
		}
	case "key":
		WriteKeys(tr.T, tr.Root, map[string]string{f[1]: f[2]})
	case "disable":
		os.WriteFile(filepath.Join(tr.Root, "keys", f[1], "status"), []byte("disabled\n"), 0600)
	case "cut":
		if tr.cut == nil {
			tr.Fatalf("cut without set proxy")
		}
		tr.cut()
	case "set":
		switch {
		case f[1] == "proxy":
			emu := StartEmulator(tr.T, tr.Root, server.Config{})
			tr.FSAddr, tr.cut = Proxy(tr.T, emu.Addr)
		case f[1] == "tls":
			tr.Cert = NewCert(tr.T)
			if tr.Set != nil {
				tr.Set("tls")
			}
		case tr.Set == nil || !tr.Set(f[1]):
			tr.Fatalf("bad set %q", f[1])
		}
	case "wait":
		ms, _ := strconv.Atoi(f[1])
		time.Sleep(time.Duration(ms) * time.Millisecond)
	default:
		return false
	}
	return true
}

func (tr *Transcript) read(user, file string) []byte {
	b, err := os.ReadFile(tr.path(user, file))
	if err != nil {
		tr.Fatalf("%v", err)
	}
	return b
}

// client runs the lines that act on connections.
func (tr *Transcript) client(f []string) bool {
	switch f[0] {
	case "open", "opentls":
		if tr.l == nil {
			tr.l, tr.lt = tr.Start()
		}
		l := tr.l
		if f[0] == "opentls" {
			l = tr.lt
		}
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			tr.Fatalf("%v", err)
		}
		if f[0] == "opentls" {
			c = tls.Client(c, tr.Cert.Client)
		}
		tr.Cur = &Conn{C: c, R: bufio.NewReader(c)}
		tr.conns[f[1]] = tr.Cur
	case "use":
		tr.Cur = tr.conns[f[1]]
	case "starttls":
		tc := tls.Client(tr.Cur.C, tr.Cert.Client)
		if err := tc.Handshake(); err != nil {
			tr.Fatalf("handshake: %v", err)
		}
		tr.Cur.C, tr.Cur.R = tc, bufio.NewReader(tc)
	case "hangup":
		tr.Cur.C.Close()
	case "cram":
		chal, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(tr.Cur.Last, "+ "))
		if err != nil {
			tr.Fatalf("no challenge in %q", tr.Cur.Last)
		}
		m := hmac.New(md5.New, []byte(f[2]))
		m.Write(chal)
		tr.Send(base64.StdEncoding.EncodeToString([]byte(f[1] + " " + hex.EncodeToString(m.Sum(nil)))))
	default:
		return false
	}
	return true
}

// Send sends one line on the current connection.
func (tr *Transcript) Send(line string) {
	tr.Cur.C.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := fmt.Fprintf(tr.Cur.C, "%s\r\n", line); err != nil {
		tr.Fatalf("send %q: %v", line, err)
	}
}

// Recv reads the server's next line, without its CRLF; "<error>" when
// there is none.
func (tr *Transcript) Recv() string {
	tr.Cur.C.SetReadDeadline(time.Now().Add(5 * time.Second))
	s, err := tr.Cur.R.ReadString('\n')
	if err != nil {
		return "<" + err.Error() + ">"
	}
	if !strings.HasSuffix(s, "\r\n") {
		tr.Fatalf("line %q does not end in CRLF", s)
	}
	s = strings.TrimSuffix(s, "\r\n")
	tr.Cur.Last = s
	if tr.Seen != nil {
		tr.Seen(s)
	}
	return s
}

// ServeLoopback starts serve on a plain and an implicit-TLS listener on
// 127.0.0.1, as a Transcript's Start returns them.
func ServeLoopback(t testing.TB, serve func(l net.Listener, implicitTLS bool) error) (plain, implicitTLS net.Listener) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lt, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go serve(l, false)
	go serve(lt, true)
	return l, lt
}
