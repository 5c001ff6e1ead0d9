package main

import (
	"errors"
	"fmt"
	"io/fs"
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
	o.addr, stop, err = loadkit.ServeInProcess(o.root, o.keys, func(src *mailfs.Source, keys *auth.Keys) (loadkit.Server, error) {
		return imap.New(imap.Config{Source: src, Keys: keys, AllowPlain: true, Delay: auth.DefaultDelay})
	})
	return stop, err
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
