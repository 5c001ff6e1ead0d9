//go:build unix

package campaign

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	bin       *Bin
	buildErr  error
	binDir    string
)

// testBin builds the binaries once for the package's tests.
func testBin(t *testing.T) *Bin {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "campaign-bin")
		if buildErr == nil {
			bin, buildErr = Build(binDir)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

func envInt(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return n
}

// TestCrash runs the crash campaign at CI size (CRASH_TRIALS, default
// 20; CRASH_SEED).
func TestCrash(t *testing.T) {
	b := testBin(t)
	var phases []string
	if p := os.Getenv("CRASH_PHASES"); p != "" {
		phases = strings.Split(p, ",")
	}
	res, err := RunCrash(CrashConfig{
		Trials:   envInt(t, "CRASH_TRIALS", 20),
		Seed:     uint64(envInt(t, "CRASH_SEED", int(time.Now().UnixNano()%1e6))),
		Bin:      b,
		Dir:      shortDir(t),
		Log:      testWriter{t},
		Phases:   phases,
		MDAPlan9: os.Getenv("CRASH_MDA_PLAN9") == "1",
	})
	if res != nil {
		res.Report(testWriter{t})
	}
	if err != nil {
		t.Fatal(err)
	}
	// Every finding fails, a known one too: the .imp is replaced by
	// rename since the campaign found KnownImpTruncate.
	for _, f := range res.Findings {
		t.Errorf("trial %d (%s, %s, killed %s): %s (%s)", f.Trial, f.Phase, f.Mode, f.Victim, f.Error, f.Known)
	}
}

// TestCrashCatches breaks the mailbox behind the servers' back after a
// trial's kill and checks that the campaign reports it: a message cut
// short, and an acknowledged message removed.
func TestCrashCatches(t *testing.T) {
	b := testBin(t)
	for _, c := range []struct {
		name, want string
		mutate     func(data []byte) []byte
	}{
		{"cut", "damaged message", func(d []byte) []byte {
			// Drop the last line of the last message, keep its end.
			d = bytes.TrimSuffix(d, []byte("\n\n"))
			return append(d[:bytes.LastIndexByte(d, '\n')+1], '\n')
		}},
		{"lose", "missing, acknowledged", func(d []byte) []byte {
			return d[bytes.Index(d, []byte("\nFrom "))+1:]
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := RunCrash(CrashConfig{
				Trials: 2, Seed: 1, Bin: b, Dir: shortDir(t),
				Phases: []string{PhaseStore},
				Mutate: func(trial int, dir string) error {
					if trial != 0 {
						return nil
					}
					path := filepath.Join(dir, "mbox")
					data, err := os.ReadFile(path)
					if err != nil {
						return err
					}
					return os.WriteFile(path, c.mutate(data), 0o600)
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, f := range res.Findings {
				t.Log(f.Error)
				found = found || strings.Contains(f.Error, c.want)
			}
			if !found {
				t.Errorf("no finding %q after the mailbox was broken", c.want)
			}
		})
	}
}

// shortDir is a temporary directory whose path fits a unix socket name.
func shortDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "cmp")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
