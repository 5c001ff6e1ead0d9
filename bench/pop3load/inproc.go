package main

import (
	"fmt"
	"path/filepath"

	"p9mail/bench/internal/loadkit"
	"p9mail/protocol/auth"
	"p9mail/protocol/mailfs"
	"p9mail/protocol/pop3"
)

// serveInProcess starts protocol/pop3 over the in-process upasfs
// emulator on o.root, as cmd/pop3 -p -root -keys does, on a loopback
// port it puts in o.addr. stop closes the listener.
func serveInProcess(o *options) (stop func(), err error) {
	if o.root == "" {
		return nil, fmt.Errorf("%w: -inproc needs -root", errUsage)
	}
	o.addr, stop, err = loadkit.ServeInProcess(o.root, o.keys, func(src *mailfs.Source, keys *auth.Keys) (loadkit.Server, error) {
		return pop3.New(pop3.Config{Source: src, Keys: keys, AllowPlain: true, Delay: auth.DefaultDelay})
	})
	return stop, err
}

// measureInProcess serves in this process and runs o.runs sessions, each
// on a fresh copy of o.mbox if set: the first is cold (the server's
// caches are empty), the rest warm; only the last is profiled.
func measureInProcess(o *options) error {
	if o.runs > 1 && o.mbox == "" {
		return fmt.Errorf("%w: -runs needs -mbox (each run deletes half)", errUsage)
	}
	stop, err := serveInProcess(o)
	if err != nil {
		return err
	}
	defer stop()
	prefix := o.cpuprofile
	for i := range max(o.runs, 1) {
		if o.mbox != "" {
			dst := filepath.Join(o.root, "box", o.user, "mbox")
			if err := loadkit.CopyFile(o.mbox, dst); err != nil {
				return err
			}
		}
		o.kind, o.cpuprofile = "warm", ""
		if i == 0 {
			o.kind = "cold"
		}
		if i == o.runs-1 {
			o.cpuprofile = prefix
		}
		if err := measure1(o); err != nil {
			return err
		}
	}
	return nil
}
