package server_test

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"path"
	"strconv"
	"strings"
	"testing"

	"9fans.net/go/plan9"

	"p9mail/ninep"
	"p9mail/testenv"
	"p9mail/upasfs/server"
)

// splitMbox gives each message's rawunix, read the test's own way
// (testenv.SplitMbox), not the emulator's.
func splitMbox(data []byte) [][]byte {
	var msgs [][]byte
	for _, unix := range testenv.SplitMbox(data) {
		msgs = append(msgs, testenv.RawUnix(unix))
	}
	return msgs
}

var allFiles = strings.Fields(`body bcc cc date digest disposition filename from header inreplyto
	lines mimeheader messageid raw rawbody rawheader rawunix replyto sender subject to type unixheader info unixdate`)

// TestEveryFile reads every file of every message and part of every
// fixture through 9P and checks what can be checked independently:
// byte ranges against the mbox, digests against crypto/sha1, counts,
// the info lines against the single files, and stat lengths.
func TestEveryFile(t *testing.T) {
	for _, name := range testenv.FixtureNames() {
		t.Run(name, func(t *testing.T) {
			data := testenv.Fixture(name)
			root := testenv.MailRoot(t, "glenda")
			testenv.WriteFixture(t, root, "glenda", "mbox", data)
			emu := testenv.StartEmulator(t, root, server.Config{})
			fs := emu.Mount(t, "glenda", "")
			want := splitMbox(data)
			ents, err := fs.ReadDir("mbox")
			if err != nil {
				t.Fatal(err)
			}
			if len(ents) != len(want) {
				t.Fatalf("%d messages, want %d", len(ents), len(want))
			}
			for i, d := range ents {
				if d.Name != strconv.Itoa(i+1) {
					t.Errorf("entry %d is %q", i, d.Name)
				}
				checkMessage(t, fs, "mbox/"+d.Name, want[i])
			}
		})
	}
}

func read(t *testing.T, fs ninep.FS, name string) string {
	t.Helper()
	b, err := fs.ReadFile(name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return string(b)
}

func checkMessage(t *testing.T, fs ninep.FS, dir string, rawunix []byte) {
	files := checkDir(t, fs, dir, "")
	sum := sha1.Sum(rawunix)
	nl := bytes.IndexByte(rawunix, '\n')
	if nl < 0 {
		nl = len(rawunix)
	}
	raw := string(rawunix[min(nl+1, len(rawunix)):])
	hdr, body := raw, ""
	if i := strings.Index(raw, "\n\n"); i >= 0 {
		hdr, body = raw[:i+1], raw[i+2:]
	}
	eq := func(file, want string) {
		if got := files[file]; got != want {
			t.Errorf("%s/%s = %q, want %q", dir, file, trunc(got), trunc(want))
		}
	}
	eq("rawunix", string(rawunix))
	eq("digest", hex.EncodeToString(sum[:]))
	eq("raw", raw)
	eq("rawheader", hdr)
	eq("rawbody", body)
	eq("lines", strconv.Itoa(strings.Count(body, "\n")))
	eq("mimeheader", "")
	eq("unixheader", "From "+strings.Fields(string(rawunix[:nl]) + " ???")[1]+" "+files["unixdate"]+"\n")
	info := strings.Split(files["info"], "\n")
	if len(info) != 17 || info[16] != "" {
		t.Fatalf("%s/info has %d lines: %q", dir, len(info)-1, files["info"])
	}
	for i, f := range []string{"", "", "", "", "unixdate", "", "type", "disposition", "filename", "digest", "", "", "date", "", "messageid", "lines"} {
		if f != "" && info[i] != files[f] {
			t.Errorf("%s/info line %d = %q, want %s %q", dir, i+1, info[i], f, files[f])
		}
	}
}

// checkDir reads every file of a message or part directory, checks the
// file order (spec §1.2) and stat lengths, recurses into sub-parts,
// and returns the file contents.
// parentType is "" for a top-level message.
func checkDir(t *testing.T, fs ninep.FS, dir string, parentType string) map[string]string {
	ents, err := fs.ReadDir(dir)
	if err != nil {
		t.Fatalf("ls %s: %v", dir, err)
	}
	if len(ents) < len(allFiles) {
		t.Fatalf("%s has %d entries", dir, len(ents))
	}
	files := make(map[string]string)
	for i, d := range ents[:len(allFiles)] {
		if d.Name != allFiles[i] {
			t.Fatalf("%s entry %d = %q, want %q", dir, i, d.Name, allFiles[i])
		}
		if d.Mode != 0444 {
			t.Errorf("%s/%s mode %v", dir, d.Name, d.Mode)
		}
		c := read(t, fs, path.Join(dir, d.Name))
		files[d.Name] = c
		if d.Name != "body" && d.Length != uint64(len(c)) {
			t.Errorf("%s/%s: stat length %d, read %d bytes", dir, d.Name, d.Length, len(c))
		}
	}
	switch parentType {
	case "message/rfc822":
		// The encapsulated message: full headers (p9p-upasfs.md §3.4),
		// or none, when its first line is not a field (the header
		// block is empty and no empty line ends it).
		whole := files["raw"] == files["rawheader"]+"\n"+files["rawbody"]
		headless := files["rawheader"] == "" && files["raw"] == files["rawbody"]
		if !whole && !headless {
			t.Errorf("%s: raw is not rawheader+\\n+rawbody", dir)
		}
	case "":
	default:
		if files["raw"] != files["mimeheader"]+"\n"+files["rawbody"] && files["mimeheader"] != "" {
			t.Errorf("%s: raw is not mimeheader+\\n+rawbody", dir)
		}
		for _, f := range []string{"digest", "rawheader", "header", "unixheader"} {
			if files[f] != "" {
				t.Errorf("%s/%s = %q, want empty for a part", dir, f, trunc(files[f]))
			}
		}
	}
	if !strings.Contains(files["rawbody"], "\x00") && strings.HasPrefix(files["type"], "text/") &&
		files["body"] != files["rawbody"] && !strings.Contains(files["mimeheader"]+files["rawheader"], "ransfer-") &&
		!strings.Contains(strings.ToLower(files["mimeheader"]+files["rawheader"]), "charset") && isASCII(files["rawbody"]) {
		t.Errorf("%s/body differs from rawbody for plain ASCII text", dir)
	}
	for k, d := range ents[len(allFiles):] {
		if d.Name != strconv.Itoa(k+1) || d.Qid.Type&plan9.QTDIR == 0 {
			t.Errorf("%s: sub-part entry %q", dir, d.Name)
			continue
		}
		checkDir(t, fs, path.Join(dir, d.Name), files["type"])
	}
	return files
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func trunc(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}
