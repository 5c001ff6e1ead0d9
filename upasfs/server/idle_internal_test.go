package server

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestIdleBounds: the parses kept for released boxes stay within
// IdleBoxes and IdleMessages, the most recently released first, and
// a box forgotten closes its file.
func TestIdleBounds(t *testing.T) {
	dir := t.TempDir()
	paths := make([]string, 4)
	for i := range paths {
		var b bytes.Buffer
		for k := range 3 {
			fmt.Fprintf(&b, "From a Mon Jan  1 00:00:00 2024\nSubject: %d.%d\n\nbody\n\n", i, k)
		}
		paths[i] = filepath.Join(dir, fmt.Sprint("box", i))
		if err := os.WriteFile(paths[i], b.Bytes(), 0600); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		boxes, msgs int
		kept        []int // indexes of paths, least recently released first
	}{
		{64, 200000, []int{0, 1, 2, 3}},
		{2, 200000, []int{2, 3}},
		{64, 7, []int{2, 3}}, // 3 messages each
		{64, 2, nil},
		{0, 200000, nil},
	} {
		s := NewStore()
		s.IdleBoxes, s.IdleMessages = c.boxes, c.msgs
		var all []*Box
		for _, p := range paths {
			b := s.box(p)
			b.mu.Lock()
			err := b.sync()
			b.mu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, b)
			s.release(b)
		}
		var kept []int
		for i, b := range all {
			if s.boxes[b.path] == b {
				kept = append(kept, i)
				if b.gen == nil || len(b.msgs) != 3 {
					t.Errorf("%+v: box %d kept without its parse", c, i)
				}
			} else if b.gen != nil || b.msgs != nil {
				t.Errorf("%+v: box %d forgotten but its file is open", c, i)
			}
		}
		if fmt.Sprint(kept) != fmt.Sprint(c.kept) || len(s.idle) != len(c.kept) {
			t.Errorf("IdleBoxes %d IdleMessages %d: kept %v (%d idle), want %v", c.boxes, c.msgs, kept, len(s.idle), c.kept)
		}
		// Taking a kept box again removes it from the idle list.
		if len(kept) > 0 {
			b := s.box(paths[kept[0]])
			if len(s.idle) != len(c.kept)-1 || b != all[kept[0]] {
				t.Errorf("%+v: box taken again: %d idle", c, len(s.idle))
			}
			s.release(b)
		}
	}
}
