package imap_test

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"p9mail/protocol/auth"
	"p9mail/protocol/imap"
	"p9mail/protocol/mailfs"
	"p9mail/testenv"
	"p9mail/upasfs/mbox"
)

// TestTranscripts runs the IMAP conversations in testdata/*.txt. Lines:
//
//	C: <line>             the client sends line
//	S: <line>             the server's next line is exactly line
//	S~ <regexp>           the server's next line matches regexp
//	# ...                 a comment
//	mbox <user> <file> <fixture>   host: the user's mailbox file
//	append <user> <file> <fixture> host: deliver more mail to it
//	key <user> <secret>            host: the user's secret
//	disable <user>                 host: status "disabled"
//	count <user> <file> <n>        host: the file holds n messages
//	set plain|tls|preauth=<user>   server options, before the first open
//	open <name> / opentls <name>   a new connection (implicit TLS), current from now on
//	use <name>                     make a connection current
//	starttls                       start TLS on the current connection
//	hangup                         close the current connection abruptly
//	cram <user> <secret>           answer the last "+ " CRAM-MD5 challenge
//	p9key <user> <password>        host: the user's Plan 9 key file, from the password
//	p9cr <tag> <user> <password>   LOGIN with the response to the last "encrypt challenge"
//	write <user> <file> <quoted>   host: write a file of the user's mail directory
//	host <user> <file> <quoted>    host: the file holds exactly these bytes
//	deliver <user> <file> <fixture> host: deliver under the mailbox locks
//	hostre <user> <file> <regexp>  host: the file's bytes match regexp (\n for LF)
//	S* <regexp>                    skip server lines until one matches
//	wait <ms>                      sleep
func TestTranscripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	if len(files) == 0 {
		t.Fatal("no transcripts")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) { runTranscript(t, f) })
	}
}

type conn struct {
	untagged string // the last "* NO [ALERT]" line
	c        net.Conn
	r        *bufio.Reader
	last     string // last server line
}

type transcript struct {
	t       *testing.T
	file    string
	line    int
	root    string
	secrets map[string]string
	cfg     imap.Config
	cert    *testenv.Cert
	srv     *imap.Server
	l, ltls net.Listener
	conns   map[string]*conn
	cur     *conn
}

func runTranscript(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tr := &transcript{t: t, file: file, root: testenv.MailRoot(t, "glenda", "rob"),
		secrets: map[string]string{}, conns: map[string]*conn{}}
	tr.cfg.Delay = auth.Delay{Base: time.Millisecond, Max: 4 * time.Millisecond, Limit: 3}
	defer func() {
		for _, c := range tr.conns {
			c.c.Close()
		}
		if tr.l != nil {
			tr.l.Close()
			tr.ltls.Close()
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

func (tr *transcript) fatalf(format string, args ...any) {
	tr.t.Helper()
	tr.t.Fatalf("%s:%d: "+format, append([]any{tr.file, tr.line}, args...)...)
}

func (tr *transcript) do(line string) {
	switch {
	case strings.HasPrefix(line, "C: ") || line == "C:":
		tr.send(strings.TrimPrefix(strings.TrimPrefix(line, "C:"), " "))
		return
	case strings.HasPrefix(line, "S: ") || line == "S:":
		want := strings.TrimPrefix(strings.TrimPrefix(line, "S:"), " ")
		if got := tr.recv(); got != want {
			tr.fatalf("got  %q\n  want %q", got, want)
		}
		return
	case strings.HasPrefix(line, "S* "):
		re := regexp.MustCompile("^" + line[3:] + "$")
		for i := 0; ; i++ {
			got := tr.recv()
			if re.MatchString(got) {
				return
			}
			if i > 10000 || strings.HasPrefix(got, "<") {
				tr.fatalf("no line matched %s (last %q)", re, got)
			}
		}
	case strings.HasPrefix(line, "S~ "):
		re := regexp.MustCompile("^" + line[3:] + "$")
		if got := tr.recv(); !re.MatchString(got) {
			tr.fatalf("got %q, want match for %s", got, re)
		}
		return
	}
	f := strings.Fields(line)
	switch f[0] {
	case "mbox", "append":
		path := filepath.Join(tr.root, "box", f[1], f[2])
		flag := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
		if f[0] == "append" {
			flag = os.O_CREATE | os.O_WRONLY | os.O_APPEND
		}
		fd, err := os.OpenFile(path, flag, 0600)
		if err != nil {
			tr.fatalf("%v", err)
		}
		fd.Write(testenv.Fixture(f[3]))
		fd.Close()
	case "key":
		tr.secrets[f[1]] = f[2]
		testenv.WriteKeys(tr.t, tr.root, map[string]string{f[1]: f[2]})
	case "disable":
		os.WriteFile(filepath.Join(tr.root, "keys", f[1], "status"), []byte("disabled\n"), 0600)
	case "count":
		b, err := os.ReadFile(filepath.Join(tr.root, "box", f[1], f[2]))
		if err != nil {
			tr.fatalf("%v", err)
		}
		if got := strconv.Itoa(strings.Count("\n"+string(b), "\nFrom ")); got != f[3] {
			tr.fatalf("%s holds %s messages, want %s", f[2], got, f[3])
		}
	case "set":
		switch {
		case f[1] == "plain":
			tr.cfg.AllowPlain = true
		case f[1] == "tls":
			tr.cert = testenv.NewCert(tr.t)
			tr.cfg.TLS = tr.cert.Server
		case strings.HasPrefix(f[1], "preauth="):
			tr.cfg.Preauth = strings.TrimPrefix(f[1], "preauth=")
		case strings.HasPrefix(f[1], "maxline="):
			tr.cfg.MaxLine, _ = strconv.Atoi(strings.TrimPrefix(f[1], "maxline="))
		case strings.HasPrefix(f[1], "maxliteral="):
			tr.cfg.MaxLiteral, _ = strconv.ParseInt(strings.TrimPrefix(f[1], "maxliteral="), 10, 64)
		case strings.HasPrefix(f[1], "idle="):
			tr.cfg.IdleTimeout, _ = time.ParseDuration(strings.TrimPrefix(f[1], "idle="))
		case strings.HasPrefix(f[1], "maxconns="):
			tr.cfg.MaxConns, _ = strconv.Atoi(strings.TrimPrefix(f[1], "maxconns="))
		case f[1] == "p9cr":
			tr.cfg.P9CR = true
		default:
			tr.fatalf("bad set %q", f[1])
		}
	case "open", "opentls":
		tr.start()
		l := tr.l
		if f[0] == "opentls" {
			l = tr.ltls
		}
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			tr.fatalf("%v", err)
		}
		if f[0] == "opentls" {
			c = tls.Client(c, tr.cert.Client)
		}
		tr.cur = &conn{c: c, r: bufio.NewReader(c)}
		tr.conns[f[1]] = tr.cur
	case "use":
		tr.cur = tr.conns[f[1]]
	case "starttls":
		tc := tls.Client(tr.cur.c, tr.cert.Client)
		if err := tc.Handshake(); err != nil {
			tr.fatalf("handshake: %v", err)
		}
		tr.cur.c, tr.cur.r = tc, bufio.NewReader(tc)
	case "hangup":
		tr.cur.c.Close()
	case "p9key":
		key := auth.PasswordToKey(f[2])
		testenv.WriteKeys(tr.t, tr.root, nil)
		if err := os.WriteFile(filepath.Join(tr.root, "keys", f[1], "key"), key[:], 0600); err != nil {
			tr.fatalf("%v", err)
		}
	case "p9cr":
		i := strings.LastIndex(tr.cur.untagged, "encrypt challenge: ")
		if i < 0 {
			tr.fatalf("no challenge in %q", tr.cur.untagged)
		}
		resp, err := auth.P9CRResponse(auth.PasswordToKey(f[3]), strings.TrimSpace(tr.cur.untagged[i+len("encrypt challenge: "):]))
		if err != nil {
			tr.fatalf("%v", err)
		}
		tr.send(f[1] + " LOGIN " + f[2] + " " + resp)
	case "write", "host":
		rest := strings.TrimSpace(strings.SplitN(line, " "+f[2]+" ", 2)[1])
		want, err := strconv.Unquote(rest)
		if err != nil {
			tr.fatalf("bad quoted string %s", rest)
		}
		path := filepath.Join(tr.root, "box", f[1], f[2])
		if f[0] == "write" {
			os.MkdirAll(filepath.Dir(path), 0700)
			if err := os.WriteFile(path, []byte(want), 0600); err != nil {
				tr.fatalf("%v", err)
			}
			return
		}
		got, err := os.ReadFile(path)
		if err != nil {
			tr.fatalf("%v", err)
		}
		if string(got) != want {
			tr.fatalf("%s holds\n%q\nwant\n%q", f[2], got, want)
		}
	case "hostre":
		re := regexp.MustCompile("(?s)^" + strings.TrimSpace(strings.SplitN(line, " "+f[2]+" ", 2)[1]) + "$")
		got, err := os.ReadFile(filepath.Join(tr.root, "box", f[1], f[2]))
		if err != nil {
			tr.fatalf("%v", err)
		}
		if !re.Match(got) {
			tr.fatalf("%s holds\n%q\nwant a match for %s", f[2], got, re)
		}
	case "deliver":
		var m bytes.Buffer
		for _, raw := range storedRaws(testenv.Fixture(f[3])) {
			mbox.Format(&m, "deliver@example.com", time.Date(2025, 1, 6, 10, 0, 0, 0, time.UTC), raw)
		}
		if err := mbox.Append(filepath.Join(tr.root, "box", f[1], f[2]), m.Bytes(), 10*time.Second); err != nil {
			tr.fatalf("%v", err)
		}
	case "cram":
		chal, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(tr.cur.last, "+ "))
		if err != nil {
			tr.fatalf("no challenge in %q", tr.cur.last)
		}
		m := hmac.New(md5.New, []byte(f[2]))
		m.Write(chal)
		tr.send(base64.StdEncoding.EncodeToString([]byte(f[1] + " " + hex.EncodeToString(m.Sum(nil)))))
	case "wait":
		ms, _ := strconv.Atoi(f[1])
		time.Sleep(time.Duration(ms) * time.Millisecond)
	default:
		tr.fatalf("bad line %q", line)
	}
}

// start starts the server on its first use, so that set lines apply.
func (tr *transcript) start() {
	if tr.srv != nil {
		return
	}
	tr.cfg.Source = &mailfs.Source{Root: tr.root}
	if tr.cfg.Preauth == "" {
		testenv.WriteKeys(tr.t, tr.root, nil)
		keys, err := auth.OpenKeys(filepath.Join(tr.root, "keys"))
		if err != nil {
			tr.fatalf("%v", err)
		}
		tr.cfg.Keys = keys
	}
	tr.cfg.ServerName = "test.example"
	tr.cfg.IdlePoll = 50 * time.Millisecond
	srv, err := imap.New(tr.cfg)
	if err != nil {
		tr.fatalf("%v", err)
	}
	tr.srv = srv
	tr.l, _ = net.Listen("tcp", "127.0.0.1:0")
	tr.ltls, _ = net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(tr.l, false)
	go srv.Serve(tr.ltls, true)
}

func (tr *transcript) send(line string) {
	tr.cur.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := tr.cur.c.Write([]byte(line + "\r\n")); err != nil {
		tr.fatalf("send %q: %v", line, err)
	}
}

func (tr *transcript) recv() string {
	tr.cur.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	s, err := tr.cur.r.ReadString('\n')
	if err != nil {
		return "<" + err.Error() + ">"
	}
	if !strings.HasSuffix(s, "\r\n") {
		tr.fatalf("line %q does not end in CRLF", s)
	}
	s = strings.TrimSuffix(s, "\r\n")
	tr.cur.last = s
	if strings.HasPrefix(s, "* NO [ALERT]") {
		tr.cur.untagged = s
	}
	return s
}

// storedRaws gives each message's raw as upasfs serves it (testenv.Raw).
func storedRaws(data []byte) [][]byte {
	var raws [][]byte
	for _, unix := range testenv.SplitMbox(data) {
		raws = append(raws, testenv.Raw(unix))
	}
	return raws
}
