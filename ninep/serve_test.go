//go:build !plan9

package ninep

import (
	"io"
	"os"
	"os/exec"
	"testing"
)

// TestServeStdio runs this test binary as a child that serves the test
// tree on its standard input and output, as under listen(8) or inetd.
func TestServeStdio(t *testing.T) {
	if os.Getenv("NINEP_STDIO_CHILD") == "1" {
		ServeStdio(newTestServer(t))
		os.Exit(0) // before the test framework prints to the closed stdout
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeStdio$")
	cmd.Env = append(os.Environ(), "NINEP_STDIO_CHILD=1")
	cmd.Stderr = os.Stderr
	w, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	r, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	fsys, err := Attach(pipeConn{r, w}, testUser, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := fsys.ReadFile("sub/b"); err != nil || string(got) != "B\n" {
		t.Errorf("ReadFile over stdio = %q, %v", got, err)
	}
	fsys.Close() // closes the child's stdin: it returns and exits
	if err := cmd.Wait(); err != nil {
		t.Errorf("child: %v", err)
	}
}

// pipeConn joins a child's stdout (r) and stdin (w) into one stream.
type pipeConn struct {
	io.ReadCloser
	w io.WriteCloser
}

func (c pipeConn) Write(p []byte) (int, error) { return c.w.Write(p) }
func (c pipeConn) Close() error {
	c.w.Close()
	return c.ReadCloser.Close()
}

func TestServeClosed(t *testing.T) {
	l, err := Listen(t.TempDir() + "/s")
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	if err := Serve(l, newTestServer(t)); err != nil {
		t.Errorf("Serve on a closed listener = %v, want nil", err)
	}
}
