package testenv

import (
	"bytes"
	"encoding/json"
	"sync"
	"testing"
	"time"
)

// LogBuffer collects what a server writes (its JSON log records, its
// -d trace) while the test reads it.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String is what has been written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Records parses the buffer as slog's JSON records, one per line.
func (l *LogBuffer) Records(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range bytes.Split([]byte(l.String()), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var r map[string]any
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("log line not JSON: %q: %v", line, err)
		}
		out = append(out, r)
	}
	return out
}

// WaitRecord waits up to 5 seconds for a record with message msg whose
// fields include match (numbers as JSON gives them: float64) and
// returns it.
func (l *LogBuffer) WaitRecord(t testing.TB, msg string, match map[string]any) map[string]any {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
	next:
		for _, r := range l.Records(t) {
			if r["msg"] != msg {
				continue
			}
			for k, v := range match {
				if r[k] != v {
					continue next
				}
			}
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q record with %v in:\n%s", msg, match, l.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
