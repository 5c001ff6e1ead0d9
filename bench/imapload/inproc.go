package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"

	"p9mail/bench/internal/loadkit"
	"p9mail/protocol/auth"
	"p9mail/protocol/imap"
	"p9mail/protocol/mailfs"
)

// serveInProcess starts protocol/imap over the in-process upasfs
// emulator on o.root, as cmd/imap4d -p -root -keys does, on a loopback
// port it puts in o.addr. stop closes the listener.
func serveInProcess(o *options) (stop func(), err error) {
	if o.root == "" {
		return nil, fmt.Errorf("%w: -inproc needs -root", errUsage)
	}
	if o.keys == "" {
		o.keys = filepath.Join(o.root, "keys")
	}
	keys, err := auth.OpenKeys(o.keys)
	if err != nil {
		return nil, err
	}
	cfg := imap.Config{
		Source:     &mailfs.Source{Root: o.root},
		Keys:       keys,
		AllowPlain: true,
		Delay:      auth.DefaultDelay,
	}
	if err := cfg.Source.Check(); err != nil {
		return nil, err
	}
	srv, err := imap.New(cfg)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	o.addr = l.Addr().String()
	go srv.Serve(l, false)
	return func() { l.Close() }, nil
}

// measureInProcess serves in this process and runs o.runs sessions on
// INBOX (after copying in o.mbox, if set, and removing its .imp): the
// first is cold (the server's caches are empty), the rest warm. With
// o.cpuprofile set, the cold run is profiled into <prefix>.cold.<step>.prof
// and the last warm one into <prefix>.warm.<step>.prof. The sessions change nothing in the mailbox
// (BODY.PEEK), so they share one copy.
func measureInProcess(o *options) error {
	if o.mbox != "" {
		dst := filepath.Join(o.root, "box", o.user, "mbox")
		if err := loadkit.CopyFile(o.mbox, dst); err != nil {
			return err
		}
		if err := os.Remove(dst + ".imp"); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	stop, err := serveInProcess(o)
	if err != nil {
		return err
	}
	defer stop()
	prefix, n := o.cpuprofile, max(o.runs, 1)
	for i := range n {
		o.kind, o.cpuprofile = "warm", ""
		if i == 0 {
			o.kind = "cold"
		}
		if prefix != "" && (i == 0 || i == n-1) {
			o.cpuprofile = prefix + "." + o.kind
		}
		if err := measure1(o); err != nil {
			return err
		}
	}
	return nil
}
