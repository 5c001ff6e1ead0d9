package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"p9mail/protocol/auth"
	"p9mail/protocol/imap"
	"p9mail/protocol/mailfs"
	"p9mail/protocol/pop3"
)

func newCmd(root, user, input string) *cmd {
	return &cmd{root: root, user: user, in: bufio.NewReader(strings.NewReader(input))}
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

// login tries user/secret on IMAP and POP3 servers over root and
// returns whether each accepted.
func login(t *testing.T, root, user, secret string) (imapOK, popOK bool) {
	t.Helper()
	keys, err := auth.OpenKeys(filepath.Join(root, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	delay := auth.Delay{Base: time.Millisecond, Max: time.Millisecond, Limit: 3}
	isrv, err := imap.New(imap.Config{Source: &mailfs.Source{Root: root}, Keys: keys, AllowPlain: true, Delay: delay})
	if err != nil {
		t.Fatal(err)
	}
	psrv, err := pop3.New(pop3.Config{Source: &mailfs.Source{Root: root}, Keys: keys, AllowPlain: true, Delay: delay})
	if err != nil {
		t.Fatal(err)
	}
	dialog := func(serve func(net.Conn), lines []string, okPrefix string) bool {
		c1, c2 := net.Pipe()
		go serve(c1)
		defer c2.Close()
		c2.SetDeadline(time.Now().Add(10 * time.Second))
		r := bufio.NewReader(c2)
		if _, err := r.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		var last string
		for _, l := range lines {
			if _, err := c2.Write([]byte(l + "\r\n")); err != nil {
				t.Fatal(err)
			}
			if last, err = r.ReadString('\n'); err != nil {
				t.Fatal(err)
			}
		}
		return strings.HasPrefix(last, okPrefix)
	}
	imapOK = dialog(func(c net.Conn) { isrv.ServeConn(c, false) }, []string{"a LOGIN " + user + " \"" + secret + "\""}, "a OK")
	popOK = dialog(func(c net.Conn) { psrv.ServeConn(c, false) }, []string{"USER " + user, "PASS " + secret}, "+OK")
	return imapOK, popOK
}

func TestLifecycle(t *testing.T) {
	root := t.TempDir()
	if err := newCmd(root, "glenda", "first secret\n").create(); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{
		"keys": 0700, "keys/glenda": 0700, "keys/glenda/secret": 0600,
		"box/glenda": 0700, "box/glenda/mbox": 0600,
	} {
		if got := mode(t, filepath.Join(root, path)); got != want {
			t.Errorf("%s: mode %v, want %v", path, got, want)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(root, "box/glenda/mbox")); len(b) != 0 {
		t.Errorf("mbox not empty: %q", b)
	}
	if i, p := login(t, root, "glenda", "first"); i || p {
		t.Fatalf("a wrong secret logged in: imap %v pop3 %v", i, p)
	}
	if i, p := login(t, root, "glenda", "first secret"); !i || !p {
		t.Fatalf("created user cannot log in: imap %v pop3 %v", i, p)
	}
	if err := newCmd(root, "glenda", "x\n").create(); err == nil {
		t.Error("created glenda twice")
	}
	// -p
	if err := newCmd(root, "glenda", "second\n").setSecret(); err != nil {
		t.Fatal(err)
	}
	if i, p := login(t, root, "glenda", "second"); !i || !p {
		t.Fatalf("new secret refused: imap %v pop3 %v", i, p)
	}
	if i, p := login(t, root, "glenda", "first secret"); i || p {
		t.Fatalf("old secret still accepted: imap %v pop3 %v", i, p)
	}
	if err := newCmd(root, "glenda", "\n").setSecret(); err == nil {
		t.Error("empty secret accepted")
	}
	// -d, -e
	if err := newCmd(root, "glenda", "").setStatus("disabled"); err != nil {
		t.Fatal(err)
	}
	keys, err := auth.OpenKeys(filepath.Join(root, "keys"))
	if err != nil {
		t.Fatalf("keys after -d: %v", err)
	}
	if _, err := keys.Secret("glenda"); !errors.Is(err, auth.ErrDisabled) {
		t.Errorf("disabled user's Secret: %v", err)
	}
	if i, p := login(t, root, "glenda", "second"); i || p {
		t.Fatalf("disabled user logged in: imap %v pop3 %v", i, p)
	}
	if err := newCmd(root, "glenda", "").setStatus("ok"); err != nil {
		t.Fatal(err)
	}
	if i, p := login(t, root, "glenda", "second"); !i || !p {
		t.Fatalf("enabled user refused: imap %v pop3 %v", i, p)
	}
	// -r: refused without "yes"; the mail stays without -mail.
	if err := newCmd(root, "glenda", "no\n").remove(false, false); err == nil {
		t.Fatal("removed without confirmation")
	}
	if err := newCmd(root, "glenda", "yes\n").remove(false, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "keys/glenda")); !os.IsNotExist(err) {
		t.Errorf("keys entry left: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "box/glenda/mbox")); err != nil {
		t.Errorf("mail removed without -mail: %v", err)
	}
	if i, p := login(t, root, "glenda", "second"); i || p {
		t.Fatalf("removed user logged in: imap %v pop3 %v", i, p)
	}
	// Again with the mail, forced.
	if err := newCmd(root, "rob", "s\n").create(); err != nil {
		t.Fatal(err)
	}
	if err := newCmd(root, "rob", "").remove(true, true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "box/rob")); !os.IsNotExist(err) {
		t.Errorf("mail directory left with -mail: %v", err)
	}
	if err := newCmd(root, "../x", "s\n").create(); err == nil {
		t.Error("bad user name accepted")
	}
}

// TestSecretNotEchoed runs changeuser on a terminal (script(1) gives
// it one) and types the secret after each prompt: the secret is set,
// and never echoed.
func TestSecretNotEchoed(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		msg := "script (bsdutils) not installed: .ci/run must install it"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	bin := filepath.Join(t.TempDir(), "changeuser")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	root := t.TempDir()
	c := exec.Command(script, "-qfec", bin+" -root "+root+" glenda", "/dev/null")
	in, err := c.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.Stderr = c.Stdout
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	var seen strings.Builder
	buf := make([]byte, 256)
	for _, prompt := range []string{"secret: ", "again: "} {
		for !strings.Contains(seen.String(), prompt) {
			n, err := out.Read(buf)
			seen.Write(buf[:n])
			if err != nil {
				t.Fatalf("waiting for %q: %v; output %q", prompt, err, seen.String())
			}
		}
		time.Sleep(100 * time.Millisecond) // echo is off by now
		if _, err := in.Write([]byte("hidden-pw\r")); err != nil {
			t.Fatal(err)
		}
		seen.Reset()
	}
	rest, _ := io.ReadAll(out)
	seen.Write(rest)
	if err := c.Wait(); err != nil {
		t.Fatalf("changeuser: %v; output %q", err, seen.String())
	}
	if strings.Contains(seen.String(), "hidden-pw") {
		t.Errorf("the secret was echoed: %q", seen.String())
	}
	b, err := os.ReadFile(filepath.Join(root, "keys/glenda/secret"))
	if err != nil || string(b) != "hidden-pw" {
		t.Errorf("secret file %q, %v", b, err)
	}
}
