package daemon_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"p9mail/testenv"
)

// TestEmulatorIndexKept: imap4d with its built-in emulator and -index
// keeps the emulator's parse of a mailbox of 1,000 messages or more in
// <index>/upasfs, beside its own in <index>/imap, so that a restarted
// server need not parse the mailbox again (README, -index). The
// emulator was once started before it was given the directory, and
// kept nothing.
func TestEmulatorIndexKept(t *testing.T) {
	bin := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", bin, "p9mail/cmd/imap4d").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	root := testenv.MailRoot(t, "glenda")
	var mbox bytes.Buffer
	if _, err := testenv.WriteMbox(&mbox, 1, 1200); err != nil {
		t.Fatal(err)
	}
	testenv.WriteFixture(t, root, "glenda", "mbox", mbox.Bytes())
	testenv.WriteKeys(t, root, map[string]string{"glenda": "index-secret-1"})
	index := filepath.Join(t.TempDir(), "index")
	addr := freePort(t)
	cmd := exec.Command(filepath.Join(bin, "imap4d"), "-l", addr, "-p", "-root", root, "-index", index)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		if t.Failed() {
			t.Logf("imap4d:\n%s", stderr.String())
		}
	}()
	c := dial(t, addr, nil)
	defer c.Close()
	talk(t, c, "* OK", "a LOGIN glenda index-secret-1", "a OK", "b SELECT INBOX", "b OK", "c LOGOUT", "c OK")
	for _, sub := range []string{"upasfs", "imap"} {
		ents, err := os.ReadDir(filepath.Join(index, sub))
		if err != nil || len(ents) == 0 {
			t.Errorf("%s/%s: %d entries, %v; want the mailbox's index", index, sub, len(ents), err)
		}
	}
}
