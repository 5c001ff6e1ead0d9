package ninep

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"testing"
)

// TestPipeStream sends more than PipeBuffer each way at once in
// writes of random sizes and reads of random sizes: every byte arrives
// in order, and a writer past the buffer waits rather than fails.
func TestPipeStream(t *testing.T) {
	a, b := Pipe()
	const n = 3*PipeBuffer + 12345
	send := func(w io.Writer, seed int64) <-chan error {
		done := make(chan error, 1)
		go func() {
			rng := rand.New(rand.NewSource(seed))
			data := make([]byte, n)
			rng.Read(data)
			for len(data) > 0 {
				k := min(len(data), 1+rng.Intn(3*PipeBuffer/2))
				if _, err := w.Write(data[:k]); err != nil {
					done <- err
					return
				}
				data = data[k:]
			}
			done <- nil
		}()
		return done
	}
	check := func(r io.Reader, seed int64) {
		rng := rand.New(rand.NewSource(seed))
		want := make([]byte, n)
		rng.Read(want)
		got := make([]byte, 0, n)
		buf := make([]byte, 70000)
		for len(got) < n {
			k, err := r.Read(buf[:1+rand.Intn(len(buf))])
			if err != nil {
				t.Fatalf("read after %d bytes: %v", len(got), err)
			}
			got = append(got, buf[:k]...)
		}
		if !bytes.Equal(got, want) {
			t.Fatal("bytes differ")
		}
	}
	ab, ba := send(a, 1), send(b, 2)
	check(b, 1)
	check(a, 2)
	if err := <-ab; err != nil {
		t.Fatal(err)
	}
	if err := <-ba; err != nil {
		t.Fatal(err)
	}
}

// TestPipeClose: what was written before a Close can still be read,
// then io.EOF; writes after it fail on both ends; a writer waiting for
// room is released.
func TestPipeClose(t *testing.T) {
	a, b := Pipe()
	if _, err := a.Write([]byte("last words")); err != nil {
		t.Fatal(err)
	}
	blocked := make(chan error, 1)
	go func() {
		_, err := b.Write(make([]byte, 2*PipeBuffer)) // nobody reads a
		blocked <- err
	}()
	a.Close()
	if err := <-blocked; !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("blocked writer: %v, want ErrClosedPipe", err)
	}
	got, err := io.ReadAll(b)
	if err != nil || string(got) != "last words" {
		t.Fatalf("read %q, %v", got, err)
	}
	if _, err := a.Write([]byte("x")); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("write on the closed end: %v", err)
	}
	if _, err := b.Write([]byte("x")); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("write to the closed end: %v", err)
	}
}
