//go:build !plan9

package ninep

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"9fans.net/go/plan9"
	"9fans.net/go/plan9/srv9p"
)

var (
	testKey  = []byte("0123456789abcdef-the-shared-key")
	wrongKey = []byte("0123456789abcdef-not-the-key!!!")
)

// TestAuthAttach: without a key, with a wrong one and with the right
// one, an attach to a server that requires the key is refused, refused
// and accepted; the authenticated client may attach as another user.
func TestAuthAttach(t *testing.T) {
	srv := newTestServer(t)
	srv.Attach = func(ctx context.Context, fid, afid *srv9p.Fid, user, aname string) (plan9.Qid, error) {
		if afid != nil {
			return plan9.Qid{}, errors.New("the inner server saw an afid")
		}
		return fid.Qid(), nil // any user: RequireAuth decides
	}
	addr := startServer(t, RequireAuth(srv, testKey))
	if fsys, err := Mount(addr, testUser, ""); err == nil || !strings.Contains(err.Error(), "authentication required") {
		t.Errorf("attach without a key: %v, want authentication required", err)
		if err == nil {
			fsys.Close()
		}
	}
	if fsys, err := MountKey(addr, testUser, "", wrongKey); err == nil || !strings.Contains(err.Error(), "authentication failed") {
		t.Errorf("attach with a wrong key: %v, want authentication failed", err)
		if err == nil {
			fsys.Close()
		}
	}
	for _, user := range []string{testUser, "glenda", "rob"} {
		fsys, err := MountKey(addr, user, "", testKey)
		if err != nil {
			t.Fatalf("attach as %s with the key: %v", user, err)
		}
		if b, err := fsys.ReadFile("hello"); err != nil || string(b) != "hello, world\n" {
			t.Errorf("as %s: ReadFile(hello) = %q, %v", user, b, err)
		}
		if err := fsys.Close(); err != nil {
			t.Error(err)
		}
	}
}

// TestAuthNotRequired: a server without RequireAuth (a plan9port
// upas/fs) refuses Tauth; the client then reports it, and attaching
// without a key works.
func TestAuthNotRequired(t *testing.T) {
	addr := startServer(t, newTestServer(t))
	if fsys, err := MountKey(addr, testUser, "", testKey); err == nil || !strings.Contains(err.Error(), "authentication not required") {
		t.Errorf("MountKey on a server without auth: %v, want authentication not required", err)
		if err == nil {
			fsys.Close()
		}
	}
	fsys, err := MountKey(addr, testUser, "", nil)
	if err != nil {
		t.Fatalf("MountKey without a key: %v", err)
	}
	fsys.Close()
}

// rawAuth dials addr and runs Tversion; the test speaks 9P itself.
func rawAuth(t *testing.T, addr string) *conn {
	t.Helper()
	nc, err := Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	c, err := dialConn(nc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.close() })
	return c
}

// challenge runs Tauth and Topen on afid and returns the snonce.
func challenge(t *testing.T, c *conn, afid uint32, user string) []byte {
	t.Helper()
	if _, err := c.rpc(&plan9.Fcall{Type: plan9.Tauth, Afid: afid, Uname: user}, plan9.NOFID); err != nil {
		t.Fatalf("Tauth: %v", err)
	}
	if _, err := c.rpc(&plan9.Fcall{Type: plan9.Topen, Fid: afid, Mode: plan9.ORDWR}, plan9.NOFID); err != nil {
		t.Fatalf("Topen afid: %v", err)
	}
	msg, err := c.readAuth(afid)
	if err != nil {
		t.Fatal(err)
	}
	snonce, err := parseChallenge(msg)
	if err != nil {
		t.Fatalf("challenge %q: %v", msg, err)
	}
	return snonce
}

// TestAuthReplay: a response that authenticated one afid fails on a
// new one (its nonce is fresh), and on its own afid a second time; an
// afid takes one response, so a wrong one cannot be followed by the
// right one; an afid does not attach as another user.
func TestAuthReplay(t *testing.T) {
	addr := startServer(t, RequireAuth(newTestServer(t), testKey))
	c := rawAuth(t, addr)
	s1 := challenge(t, c, 100, testUser)
	cnonce := bytes.Repeat([]byte{7}, nonceLen)
	old := responseMsg(cnonce, authMAC(testKey, clientLabel, s1, cnonce, testUser, ""))
	if _, err := c.write(100, []byte(old), 0); err != nil {
		t.Fatalf("the right response: %v", err)
	}
	if _, err := c.write(100, []byte(old), 0); err == nil {
		t.Error("the response accepted twice on one afid")
	}
	if _, _, err := c.attach("glenda", "", 100); err == nil {
		t.Error("an afid of test attached as glenda")
	}
	if _, _, err := c.attach(testUser, "", 100); err != nil {
		t.Errorf("attach with the afid: %v", err)
	}

	s2 := challenge(t, c, 200, testUser)
	if bytes.Equal(s1, s2) {
		t.Fatal("two afids got the same nonce")
	}
	if _, err := c.write(200, []byte(old), 0); err == nil {
		t.Error("an old response accepted on a new afid")
	}
	if _, _, err := c.attach(testUser, "", 200); err == nil {
		t.Error("attach after a replayed response")
	}

	s3 := challenge(t, c, 300, testUser)
	bad := responseMsg(cnonce, authMAC(wrongKey, clientLabel, s3, cnonce, testUser, ""))
	if _, err := c.write(300, []byte(bad), 0); err == nil {
		t.Error("a wrong response accepted")
	}
	good := responseMsg(cnonce, authMAC(testKey, clientLabel, s3, cnonce, testUser, ""))
	if _, err := c.write(300, []byte(good), 0); err == nil {
		t.Error("a second response accepted after a wrong one")
	}
	if _, _, err := c.attach(testUser, "", 300); err == nil {
		t.Error("attach after a wrong response")
	}
}

// TestAuthServerProof: a server that accepts the client but cannot
// prove it holds the key is refused by the client.
func TestAuthServerProof(t *testing.T) {
	s := RequireAuth(newTestServer(t), testKey)
	read := s.Read
	s.Read = func(ctx context.Context, fid *srv9p.Fid, data []byte, off int64) (int, error) {
		if st := afidOf(fid); st != nil && st.ok {
			return fid.ReadString(data, off, proofMsg(make([]byte, 32)))
		}
		return read(ctx, fid, data, off)
	}
	fsys, err := MountKey(startServer(t, s), testUser, "", testKey)
	if !errors.Is(err, errNoProof) {
		t.Errorf("MountKey with a bad server proof: %v, want %v", err, errNoProof)
	}
	if err == nil {
		fsys.Close()
	}
}

func TestReadAuthKey(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // whatever the umask
			t.Fatal(err)
		}
		return p
	}
	key := string(testKey)
	if b, err := ReadAuthKey(write("ok", key+"\n", 0600)); err != nil || string(b) != key {
		t.Errorf("ReadAuthKey(0600) = %q, %v", b, err)
	}
	for _, tc := range []struct {
		name, data string
		mode       os.FileMode
		want       string
	}{
		{"group", key, 0640, "mode"},
		{"world", key, 0604, "mode"},
		{"short", "short\n", 0600, "shorter"},
		{"long", strings.Repeat("k", maxAuthKey+1), 0600, "longer"},
	} {
		if _, err := ReadAuthKey(write(tc.name, tc.data, tc.mode)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ReadAuthKey(%s) error %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := ReadAuthKey(dir); err == nil {
		t.Error("ReadAuthKey of a directory succeeded")
	}
}

// FuzzAuthMessages: the parsers never panic, and what they accept is
// exactly what the encoders write.
func FuzzAuthMessages(f *testing.F) {
	n := bytes.Repeat([]byte{0xab}, nonceLen)
	m := bytes.Repeat([]byte{0xcd}, macHexLen/2)
	for _, s := range []string{challengeMsg(n), responseMsg(n, m), proofMsg(m), "", "ok \n", authProto + " zz\n", strings.ToUpper(responseMsg(n, m))} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if b, err := parseChallenge(s); err == nil && challengeMsg(b) != s {
			t.Errorf("parseChallenge(%q) accepted a non-canonical message", s)
		}
		if n, m, err := parseResponse(s); err == nil && responseMsg(n, m) != s {
			t.Errorf("parseResponse(%q) accepted a non-canonical message", s)
		}
		if b, err := parseProof(s); err == nil && proofMsg(b) != s {
			t.Errorf("parseProof(%q) accepted a non-canonical message", s)
		}
	})
}
