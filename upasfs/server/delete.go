package server

import (
	"fmt"
	"os"

	"p9mail/upasfs/mbox"
)

// remove deletes the messages del from the mailbox file: under the
// mailbox locks it syncs (so mail delivered meanwhile is kept), then
// rewrites the file without them (spec §1.8). Messages already gone
// are ignored. A file that is not an mbox is never rewritten
// (decision 4).
func (b *Box) remove(del []*Msg) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	l, err := mbox.Lock(b.path, b.store.LockTimeout)
	if err != nil {
		return err
	}
	defer l.Unlock()
	// A crash may have left an unfinished <path>.tmp (spec §1.8).
	if err := mbox.Recover(b.path); err != nil {
		return err
	}
	if err := b.sync(); err != nil {
		return err
	}
	if !b.valid || b.gen == nil {
		return nil
	}
	drop := make(map[*Msg]bool, len(del))
	for _, m := range del {
		if !m.gone {
			drop[m] = true
		}
	}
	if len(drop) == 0 {
		return nil
	}
	var keep []*Msg
	var locs []mbox.Msg
	for _, m := range b.msgs {
		if !drop[m] {
			keep = append(keep, m)
			locs = append(locs, m.loc)
		}
	}
	newLocs, err := mbox.Rewrite(b.path, b.gen.f, locs)
	if err != nil {
		return fmt.Errorf("rewrite %s: %w", b.path, err)
	}
	f, err := os.Open(b.path)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	g := newGen(f)
	for i, m := range keep {
		m.loc, m.gen = newLocs[i], g
		b.store.cache.forget(m)
	}
	for m := range drop {
		b.bury(m)
	}
	b.gen.decRef()
	b.gen = g
	b.msgs = keep
	b.setStat(st)
	b.vers++
	b.version++
	b.saveIndex()
	return nil
}
