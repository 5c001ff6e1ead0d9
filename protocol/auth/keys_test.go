package auth

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// keyTree writes files (path relative to a fresh keys dir → content) with
// private modes and returns the dir. Directories are made 0700.
func keyTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "keys")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// testKeys is the users most tests share.
func testKeys(t testing.TB) *Keys {
	t.Helper()
	key := PasswordToKey("password")
	future := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	past := strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10)
	dir := keyTree(t, map[string]string{
		"dbc/secret":     "tanstaaf",
		"tim/secret":     "tanstaaftanstaaf\n",
		"glenda/secret":  "secret",
		"glenda/key":     string(key[:]),
		"glenda/status":  "ok\n",
		"glenda/expire":  "never\n",
		"soon/secret":    "secret",
		"soon/expire":    future + "\n",
		"gone/secret":    "secret",
		"gone/expire":    past + "\n",
		"zero/secret":    "secret",
		"zero/expire":    "0",
		"bad/secret":     "secret",
		"bad/expire":     "tomorrow",
		"off/secret":     "secret",
		"off/status":     "disabled\n",
		"old/secret":     "secret",
		"old/status":     "expired\n",
		"odd/secret":     "secret",
		"odd/status":     "maybe",
		"empty/secret":   "\n",
		"nokey/secret":   "secret",
		"shortkey/key":   "123456",
		"sp ace/secret":  "spaced",
		"a.b-c_d/secret": "dotted",
	})
	if err := os.Mkdir(filepath.Join(dir, "nosecret"), 0o700); err != nil {
		t.Fatal(err)
	}
	k, err := OpenKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSecret(t *testing.T) {
	k := testKeys(t)
	tests := []struct {
		user, want string
		err        error
	}{
		{"dbc", "tanstaaf", nil},
		{"tim", "tanstaaftanstaaf", nil}, // one trailing newline dropped
		{"glenda", "secret", nil},
		{"soon", "secret", nil},
		{"zero", "secret", nil}, // keyfs: expire 0 = never
		{"sp ace", "spaced", nil},
		{"a.b-c_d", "dotted", nil},
		{"gone", "", ErrDisabled},
		{"bad", "", ErrDisabled},
		{"off", "", ErrDisabled},
		{"old", "", ErrDisabled},
		{"odd", "", ErrDisabled},
		{"empty", "", ErrDisabled},
		{"nobody", "", ErrUnknownUser},
		{"nosecret", "", ErrUnknownUser},
		{"Glenda", "", ErrUnknownUser},
		{"", "", ErrBadName},
		{".", "", ErrBadName},
		{"..", "", ErrBadName},
		{"../keys/glenda", "", ErrBadName},
		{"glenda/", "", ErrBadName},
		{`a\b`, "", ErrBadName},
		{"glen\x00da", "", ErrBadName},
		{strings.Repeat("x", 65), "", ErrBadName},
	}
	for _, tt := range tests {
		got, err := k.Secret(tt.user)
		if !errors.Is(err, tt.err) || string(got) != tt.want {
			t.Errorf("Secret(%q) = %q, %v; want %q, %v", tt.user, got, err, tt.want, tt.err)
		}
	}
}

func TestNameLimit(t *testing.T) {
	name := strings.Repeat("x", 64)
	k, err := OpenKeys(keyTree(t, map[string]string{name + "/secret": "s"}))
	if err != nil {
		t.Fatal(err)
	}
	if s, err := k.Secret(name); err != nil || string(s) != "s" {
		t.Errorf("64-byte name: %q, %v", s, err)
	}
}

func TestOpenKeysRefuses(t *testing.T) {
	tests := []struct {
		name  string
		setup func(dir string) error
		bad   string // path the error must name, relative to dir
	}{
		{"dir 0755", func(d string) error { return os.Chmod(d, 0o755) }, ""},
		{"dir 0702", func(d string) error { return os.Chmod(d, 0o702) }, ""},
		{"user dir 0750", func(d string) error { return os.Chmod(filepath.Join(d, "u"), 0o750) }, "u"},
		{"secret 0644", func(d string) error { return os.Chmod(filepath.Join(d, "u/secret"), 0o644) }, "u/secret"},
		{"secret 0620", func(d string) error { return os.Chmod(filepath.Join(d, "u/secret"), 0o620) }, "u/secret"},
		{"stray 0604", func(d string) error { return os.WriteFile(filepath.Join(d, "README"), nil, 0o604) }, "README"},
		{"symlink", func(d string) error { return os.Symlink("/etc/passwd", filepath.Join(d, "u/key")) }, "u/key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := keyTree(t, map[string]string{"u/secret": "s"})
			if err := tt.setup(dir); err != nil {
				t.Fatal(err)
			}
			_, err := OpenKeys(dir)
			want := filepath.Join(dir, tt.bad)
			if !errors.Is(err, ErrInsecure) || !strings.Contains(err.Error(), want+" ") {
				t.Errorf("OpenKeys = %v; want ErrInsecure naming %s", err, want)
			}
		})
	}
}

func TestOpenKeysMissing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "none")
	if _, err := OpenKeys(dir); err == nil || !strings.Contains(err.Error(), "none") {
		t.Errorf("OpenKeys(missing) = %v; want an error naming it", err)
	}
	file := keyTree(t, map[string]string{"f": ""})
	if _, err := OpenKeys(filepath.Join(file, "f")); err == nil {
		t.Error("OpenKeys(regular file) succeeded")
	}
}

// Modes are checked again at each read: a secret made readable after
// OpenKeys is refused.
func TestSecretLaterInsecure(t *testing.T) {
	dir := keyTree(t, map[string]string{"u/secret": "s", "v/secret": "s"})
	k, err := OpenKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "u/secret"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "v"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "u"), filepath.Join(dir, "w")); err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{"u", "v", "w"} {
		if _, err := k.Secret(user); !errors.Is(err, ErrInsecure) {
			t.Errorf("Secret(%s) = %v; want ErrInsecure", user, err)
		}
	}
}

func TestSecretTooLong(t *testing.T) {
	k, err := OpenKeys(keyTree(t, map[string]string{"u/secret": strings.Repeat("s", maxSecretLen+1)}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Secret("u"); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("Secret(huge) = %v; want too long", err)
	}
}

func TestDESKey(t *testing.T) {
	k := testKeys(t)
	if key, err := k.desKey("glenda"); err != nil || key != PasswordToKey("password") {
		t.Errorf("desKey(glenda) = %x, %v", key, err)
	}
	if _, err := k.desKey("nokey"); !errors.Is(err, ErrUnknownUser) {
		t.Errorf("desKey(nokey) = %v; want ErrUnknownUser", err)
	}
	if _, err := k.desKey("shortkey"); err == nil || !strings.Contains(err.Error(), "6 bytes, want 7") {
		t.Errorf("desKey(shortkey) = %v; want a length error", err)
	}
	if _, err := k.desKey("off"); !errors.Is(err, ErrDisabled) {
		t.Errorf("desKey(off) = %v; want ErrDisabled", err)
	}
}
