package mbox

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// tornState writes the mailbox old, then the append record of
// appending msg to it, and the first n bytes of that append, as a
// writer killed mid-append leaves them; then more (another agent's
// bytes written after the torn ones).
func tornState(t *testing.T, old, msg []byte, n int, more []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mbox")
	sep, err := missingSeparator(bytes.NewReader(old), int64(len(old)))
	if err != nil {
		t.Fatal(err)
	}
	data := append([]byte(sep), msg...)
	in := NewIntent(int64(len(old)), len(sep), data)
	if err := os.WriteFile(IntentPath(path), in.Marshal(), 0600); err != nil {
		t.Fatal(err)
	}
	file := append(append(append([]byte{}, old...), data[:n]...), more...)
	if err := os.WriteFile(path, file, 0600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRecoverTornAppend(t *testing.T) {
	a, b := taggedMsg("a"), taggedMsg("b")
	// Another agent's message (its From line differs from ours, as any
	// but one of the same sender in the same second does).
	agent := []byte("From mda@example.com Mon Jan  6 10:00:01 2025\nX-Tag: agent\n\nFrom-less body\n\n")
	// A Unix agent's message glued to the torn bytes, no newline between.
	glued := []byte("From mda@example.com Mon Jan  6 10:00:00 2025\nX-Tag: agent\n\nbody\n\n")
	cases := []struct {
		name string
		old  []byte
		n    int    // bytes of the append written
		more []byte // another agent's append after the torn bytes
		want []byte // the file after Recover
	}{
		{"nothing written", a, 0, nil, a},
		{"torn in the From line", a, 3, nil, a},
		{"torn in the body", a, len(b) - 7, nil, a},
		{"whole, record left", a, len(b), nil, append(append([]byte{}, a...), b...)},
		{"torn, into an empty file", nil, 20, nil, []byte{}},
		{"torn, separator added", a[:len(a)-1], 30, nil, a[:len(a)-1]},
		{"torn, agent after at a line start", a, 40, append([]byte("\n"), agent...), append(append([]byte{}, a...), agent...)},
		{"torn, agent glued", a, 41, glued, append(append([]byte{}, a...), glued...)},
		{"torn in the body, agent after", a, 70, append([]byte("\n"), agent...), append(append([]byte{}, a...), agent...)},
		{"torn in the body, agent glued", a, 70, glued, append(append([]byte{}, a...), glued...)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := tornState(t, c.old, b, c.n, c.more)
			if err := Recover(path); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, c.want) {
				t.Errorf("after Recover:\n%q\nwant\n%q", got, c.want)
			}
			if _, err := os.Stat(IntentPath(path)); !os.IsNotExist(err) {
				t.Errorf("record still there: %v", err)
			}
			// A record left by a crash after the repair is stale.
			tornAgain := tornState(t, c.old, b, c.n, c.more)
			rec, err := os.ReadFile(IntentPath(tornAgain))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(IntentPath(path), rec, 0600); err != nil {
				t.Fatal(err)
			}
			if err := Recover(path); err != nil {
				t.Fatal(err)
			}
			if again, _ := os.ReadFile(path); !bytes.Equal(again, c.want) {
				t.Errorf("a stale record changed the file:\n%q", again)
			}
		})
	}
}

// TestAppendAfterTorn: the next Append cuts the torn tail off first,
// and removes its own record.
func TestAppendAfterTorn(t *testing.T) {
	a, b, c := taggedMsg("a"), taggedMsg("b"), taggedMsg("c")
	path := tornState(t, a, b, 50, nil)
	if err := Append(path, c, time.Second); err != nil {
		t.Fatal(err)
	}
	_, msgs := scanFile(t, path)
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want a and c", len(msgs))
	}
	got, _ := os.ReadFile(path)
	if want := append(append([]byte{}, a...), c...); !bytes.Equal(got, want) {
		t.Errorf("file %q, want %q", got, want)
	}
	if _, err := os.Stat(IntentPath(path)); !os.IsNotExist(err) {
		t.Errorf("record left: %v", err)
	}
}

func TestParseIntent(t *testing.T) {
	in := NewIntent(10, 1, []byte("\nFrom x Mon Jan  6 10:00:00 GMT 2025\nbody\n\n"))
	got, err := ParseIntent(in.Marshal())
	if err != nil || got != in {
		t.Fatalf("ParseIntent(Marshal) = %+v, %v; want %+v", got, err, in)
	}
	m := in.Marshal()
	for _, bad := range [][]byte{m[:len(m)-1], m[:20], []byte("p9mail-append 1 0 1 00 00\n"), nil} {
		if _, err := ParseIntent(bad); err == nil {
			t.Errorf("ParseIntent(%q) accepted", bad)
		}
	}
}

func FuzzParseIntent(f *testing.F) {
	f.Add(NewIntent(0, 0, []byte("From x\n\n")).Marshal())
	f.Add([]byte("p9mail-append 5 4 3\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := ParseIntent(b)
		if err != nil {
			return
		}
		if again, err := ParseIntent(in.Marshal()); err != nil || again != in {
			t.Fatalf("round trip of %q: %+v, %v", b, again, err)
		}
		// Damage must stay inside any file.
		file := bytes.Repeat([]byte("From a\n"), 5)
		from, to, err := in.Damage(bytes.NewReader(file), int64(len(file)))
		if err == nil && (from < 0 || to > int64(len(file)) || from > to) {
			t.Fatalf("Damage = [%d, %d) of %d bytes", from, to, len(file))
		}
	})
}
