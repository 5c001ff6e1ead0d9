//go:build unix

package mbox

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bigMsg is the message childBigAppend appends over and over: large
// enough that a SIGKILL often lands inside its write.
func bigMsg() []byte {
	var body strings.Builder
	body.WriteString("Subject: big\r\n\r\n")
	line := strings.Repeat("x", 70) + "\r\n"
	for body.Len() < 8<<20 {
		body.WriteString(line)
	}
	var b bytes.Buffer
	if err := Format(&b, "big@example.com", testDate, []byte(body.String())); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// childBigAppend appends bigMsg to path until killed.
func childBigAppend(path string) error {
	msg := bigMsg()
	fmt.Println("ready")
	for {
		if err := Append(path, msg, 10*time.Second); err != nil {
			return err
		}
	}
}

// TestKillMidAppend SIGKILLs an appender at random moments: after the
// next writer's Recover every message in the file is whole, and the
// record is gone. It reports how many kills left a torn tail (the
// case the record exists for).
func TestKillMidAppend(t *testing.T) {
	if testing.Short() {
		t.Skip("writes some hundreds of MB")
	}
	want := bigMsg()
	wantMsgs, err := Scan(bytes.NewReader(want), 0)
	if err != nil || len(wantMsgs) != 1 {
		t.Fatal(len(wantMsgs), err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	torn := 0
	const trials = 8
	for i := range trials {
		path := filepath.Join(t.TempDir(), "mbox")
		cmd, _ := startChild(t, "bigappend", true, "MBOX_PATH="+path)
		time.Sleep(time.Duration(20+rng.IntN(200)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		if rec, err := os.ReadFile(IntentPath(path)); err == nil {
			if in, err := ParseIntent(rec); err == nil {
				f, err := os.Open(path)
				if err != nil {
					ents, _ := os.ReadDir(filepath.Dir(path))
					for _, e := range ents {
						t.Log(e.Name())
					}
					t.Fatal(err)
				}
				st, _ := f.Stat()
				if from, to, _ := in.Damage(f, st.Size()); from != to {
					torn++
				}
				f.Close()
			}
		}
		l, err := Lock(path, 5*time.Second)
		if err != nil {
			t.Fatalf("trial %d: lock after the kill: %v", i, err)
		}
		if err := Recover(path); err != nil {
			t.Fatalf("trial %d: %v", i, err)
		}
		l.Unlock()
		b, msgs := scanFile(t, path)
		if int64(len(b)) != int64(len(msgs))*int64(len(want)) {
			t.Fatalf("trial %d: %d bytes for %d messages of %d", i, len(b), len(msgs), len(want))
		}
		for _, m := range msgs {
			if m.Digest != wantMsgs[0].Digest {
				t.Fatalf("trial %d: message at %d is not whole", i, m.Off)
			}
		}
		if _, err := os.Stat(IntentPath(path)); !os.IsNotExist(err) {
			t.Fatalf("trial %d: record left: %v", i, err)
		}
	}
	t.Logf("%d of %d kills left a torn tail, all cut back", torn, trials)
}
