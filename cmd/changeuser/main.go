// Command changeuser manages the users of the mail servers, after Plan
// 9's auth/changeuser: their secrets in the keys directory (keyfs
// layout, protocol/auth) and their mail directories.
//
// Usage:
//
//	changeuser [-root dir] [-keys dir] user         create: secret, mail directory, empty mbox
//	changeuser [-keys dir] -p user                  change the secret
//	changeuser [-keys dir] -d user                  disable (status "disabled": logins refused)
//	changeuser [-keys dir] -e user                  enable again (status "ok")
//	changeuser [-root dir] [-keys dir] -r [-f] [-mail] user   remove (the mail only with -mail)
//
// The secret is read from the terminal with echo off (twice), or from
// standard input, one line, when that is not a terminal. The keys
// directory defaults to <root>/keys, as the servers' -keys does.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"p9mail/protocol/mailfs"
)

func main() {
	root := flag.String("root", "", "mail root `dir` holding box/<user>/ (create, and remove with -mail)")
	keys := flag.String("keys", "", "secrets `dir` in keyfs layout (default: <root>/keys)")
	passwd := flag.Bool("p", false, "change the user's secret")
	disable := flag.Bool("d", false, "disable the user")
	enable := flag.Bool("e", false, "enable a disabled user")
	remove := flag.Bool("r", false, "remove the user's keys entry")
	force := flag.Bool("f", false, "with -r: do not ask for confirmation")
	mail := flag.Bool("mail", false, "with -r: remove the user's mail directory too")
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	c := &cmd{root: *root, keys: *keys, user: flag.Arg(0), in: bufio.NewReader(os.Stdin), tty: isTerminal(os.Stdin)}
	var err error
	n := 0
	for _, b := range []bool{*passwd, *disable, *enable, *remove} {
		if b {
			n++
		}
	}
	switch {
	case n > 1:
		err = errors.New("at most one of -p, -d, -e, -r")
	case *passwd:
		err = c.setSecret()
	case *disable:
		err = c.setStatus("disabled")
	case *enable:
		err = c.setStatus("ok")
	case *remove:
		err = c.remove(*force, *mail)
	default:
		err = c.create()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "changeuser:", err)
		os.Exit(1)
	}
}

type cmd struct {
	root, keys, user string
	in               *bufio.Reader
	tty              bool
}

// keysDir is the keys directory, created 0700 if absent.
func (c *cmd) keysDir() (string, error) {
	dir := c.keys
	if dir == "" {
		if c.root == "" {
			return "", errors.New("give -keys or -root")
		}
		dir = filepath.Join(c.root, "keys")
	}
	if err := os.MkdirAll(dir, 0700); err != nil {
		return "", err
	}
	return dir, nil
}

func (c *cmd) userDir() (string, error) {
	if !mailfs.ValidUser(c.user) {
		return "", fmt.Errorf("bad user name %q", c.user)
	}
	dir, err := c.keysDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, c.user), nil
}

// create makes the keys entry (<keys>/<user>/ 0700, secret 0600, as
// auth.OpenKeys requires no group or other bits) and the mail
// directory <root>/box/<user>/ (0700) with an empty mbox (0600).
func (c *cmd) create() error {
	if c.root == "" {
		return errors.New("create needs -root")
	}
	dir, err := c.userDir()
	if err != nil {
		return err
	}
	if _, err := os.Lstat(dir); err == nil {
		return fmt.Errorf("user %s exists (use -p to change the secret)", c.user)
	}
	secret, err := c.readSecret()
	if err != nil {
		return err
	}
	box := filepath.Join(c.root, "box", c.user)
	if err := os.MkdirAll(filepath.Dir(box), 0755); err != nil {
		return err
	}
	if err := os.Mkdir(box, 0700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	mbox, err := os.OpenFile(filepath.Join(box, "mbox"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0600)
	switch {
	case errors.Is(err, fs.ErrExist): // keep the mail already there
	case err != nil:
		return err
	default:
		if err := mbox.Close(); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0700); err != nil {
		return err
	}
	return writeSecret(dir, secret)
}

// writeSecret replaces dir/secret (0600) by way of a temporary file.
func writeSecret(dir string, secret []byte) error {
	tmp := filepath.Join(dir, "secret.tmp")
	os.Remove(tmp)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0600)
	if err != nil {
		return err
	}
	_, err = f.Write(secret)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, "secret"))
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

func (c *cmd) existing() (string, error) {
	dir, err := c.userDir()
	if err != nil {
		return "", err
	}
	if st, err := os.Lstat(dir); err != nil || !st.IsDir() {
		return "", fmt.Errorf("no user %s in %s", c.user, filepath.Dir(dir))
	}
	return dir, nil
}

func (c *cmd) setSecret() error {
	dir, err := c.existing()
	if err != nil {
		return err
	}
	secret, err := c.readSecret()
	if err != nil {
		return err
	}
	return writeSecret(dir, secret)
}

// setStatus writes keyfs's status file, which protocol/auth reads at
// every login: any word but "ok" refuses the user.
func (c *cmd) setStatus(status string) error {
	dir, err := c.existing()
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "status"), []byte(status+"\n"), 0600)
}

func (c *cmd) remove(force, mail bool) error {
	dir, err := c.existing()
	if err != nil {
		return err
	}
	box := ""
	if mail {
		if c.root == "" {
			return errors.New("-mail needs -root")
		}
		box = filepath.Join(c.root, "box", c.user)
	}
	if !force {
		what := "the keys of " + c.user
		if box != "" {
			what += " and ALL THE MAIL in " + box
		}
		fmt.Fprintf(os.Stderr, "remove %s? (yes/no) ", what)
		line, err := c.in.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if strings.TrimSpace(line) != "yes" {
			return errors.New("not removed")
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if box != "" {
		return os.RemoveAll(box)
	}
	return nil
}

// maxSecret bounds a secret read (auth reads at most 1024 bytes).
const maxSecret = 1000

// readSecret reads the secret: from a terminal twice with echo off,
// else one line of standard input.
func (c *cmd) readSecret() ([]byte, error) {
	if !c.tty {
		s, err := c.line()
		if err != nil {
			return nil, err
		}
		return s, checkSecret(s)
	}
	var got [2][]byte
	for i, prompt := range []string{"secret: ", "again: "} {
		fmt.Fprint(os.Stderr, prompt)
		s, err := c.noEcho()
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return nil, err
		}
		got[i] = s
	}
	if !bytes.Equal(got[0], got[1]) {
		return nil, errors.New("the secrets differ")
	}
	return got[0], checkSecret(got[0])
}

func checkSecret(s []byte) error {
	switch {
	case len(s) == 0:
		return errors.New("empty secret")
	case len(s) > maxSecret:
		return fmt.Errorf("secret longer than %d bytes", maxSecret)
	}
	return nil
}

// line reads one line, without its end.
func (c *cmd) line() ([]byte, error) {
	s, err := c.in.ReadString('\n')
	if err != nil && (!errors.Is(err, io.EOF) || s == "") {
		return nil, fmt.Errorf("read the secret: %w", err)
	}
	return []byte(strings.TrimRight(s, "\r\n")), nil
}

// noEcho reads a line from the terminal with echo off: through
// golang.org/x/term, or, where that cannot (a system it does not
// know), with stty, echo restored afterwards.
func (c *cmd) noEcho() ([]byte, error) {
	if s, err := term.ReadPassword(int(os.Stdin.Fd())); err == nil {
		return s, nil
	}
	if err := stty("-echo"); err != nil {
		return nil, fmt.Errorf("turn echo off: %w", err)
	}
	s, err := c.line()
	if rerr := stty("echo"); err == nil && rerr != nil {
		err = fmt.Errorf("turn echo on: %w", rerr)
	}
	return s, err
}

func stty(arg string) error {
	cmd := exec.Command("stty", arg)
	cmd.Stdin = os.Stdin
	return cmd.Run()
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
