package server_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"9fans.net/go/plan9"

	"p9mail/ninep"
	"p9mail/testenv"
	"p9mail/upasfs/server"
)

// p9pMtime is the mtime of both copies of a mailbox: message files and
// directories carry it (spec §1.2; p9p-upasfs.md §2).
var p9pMtime = time.Unix(1736157600, 0)

// TestCompareP9P serves the same mailboxes with a real plan9port upas/fs
// and with the emulator, walks both trees completely (every message,
// every part directory, every file) and compares directory entries and
// file contents byte for byte. Differences in knownDiffs are counted and
// logged; any other difference fails. See docs/upasfs.md.
func TestCompareP9P(t *testing.T) {
	bin := testenv.P9PBinary(t)
	u, err := user.Current()
	if err != nil {
		t.Fatalf("login name: %v", err)
	}
	for _, name := range append(testenv.FixtureNames(), "fromlines", "mime-extra", "gen200") {
		t.Run(name, func(t *testing.T) {
			data := testenv.Fixture(name)
			switch name {
			case "digest":
				// The digest's untyped parts differ on purpose, as a whole
				// subtree (docs/upasfs.md: message/rfc822 with child 1
				// here, text/plain there); knownDiffs has no rule for
				// that yet.
				t.Skip("untyped multipart/digest parts differ on purpose (docs/upasfs.md)")
			case "fromlines":
				data = fromLines()
			case "mime-extra": // the MIME parser's edge cases
				var err error
				if data, err = os.ReadFile("../mime/testdata/extra.mbox"); err != nil {
					t.Fatal(err)
				}
			case "gen200":
				if testing.Short() {
					t.Skip("200 messages through 9pserve take about 30 s")
				}
				var b bytes.Buffer
				if _, err := testenv.WriteMbox(&b, 1, 200); err != nil {
					t.Fatal(err)
				}
				data = b.Bytes()
			}
			c := &comparison{t: t, known: map[string]*knownCount{}}
			c.theirsAddr, c.theirs = startP9P(t, bin, u.Username, data)
			c.oursAddr, c.ours = startOurs(t, u.Username, data)
			c.probe()
			c.compareRoot()
			c.compareDir("")
			c.report()
		})
	}
}

// fromLines is an mbox of From lines whose date 4e replaces ("???" and
// the epoch with one space; spec §1.4 unixdate) or keeps (none, and the
// epoch as 4e writes it), and of one without a sender.
func fromLines() []byte {
	const rcvd = "Received: from x by y; Tue, 14 Jan 2025 12:00:00 -0500\n"
	const date = "Date: Wed, 15 Jan 2025 12:00:00 +0000\n"
	var b strings.Builder
	for _, h := range []string{
		"From a@b.c\n" + rcvd + date,
		"From a@b.c ???\n" + rcvd,
		"From a@b.c Thu Jan  1 00:00:00 GMT 1970\n" + date,
		"From a@b.c Thu Jan 1 00:00:00 GMT 1970\n" + date,
		"From \n" + date + "From: Q <q@r.s>\n",
		"From a@b.c   \n",
	} {
		b.WriteString(h + "Subject: s\n\nx\n\n")
	}
	return []byte(b.String())
}

// startOurs serves data as the file box/<login>/cmp, given as
// Config.File (upas/fs -f) so that it shows up as "mbox", and attaches.
func startOurs(t *testing.T, login string, data []byte) (string, ninep.FS) {
	root := testenv.MailRoot(t, login)
	file := testenv.WriteFixture(t, root, login, "cmp", data)
	if err := os.Chtimes(file, p9pMtime, p9pMtime); err != nil {
		t.Fatal(err)
	}
	emu := testenv.StartEmulator(t, root, server.Config{File: file})
	return emu.Addr, emu.Mount(t, login, "")
}

// startP9P runs `upas/fs -s -p -f <copy of data>` with a private
// NAMESPACE, USER set to the login and HOME in a temp dir, and attaches
// through its 9pserve as the login (a wrong uname would poison it,
// p9p-upasfs.md §6.1). Both processes it leaves behind are killed by PID
// when the test ends (§10).
func startP9P(t *testing.T, bin, login string, data []byte) (string, ninep.FS) {
	addr := testenv.StartP9P(t, bin, login, func(dir string) []string {
		file := filepath.Join(dir, "box")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(file, p9pMtime, p9pMtime); err != nil {
			t.Fatal(err)
		}
		return []string{"-p", "-f", file}
	})
	fsys, err := ninep.Mount(addr, login, "")
	if err != nil {
		t.Fatalf("attach to upas/fs: %v", err)
	}
	t.Cleanup(func() { fsys.Close() })
	return addr, fsys
}

// A comparison walks the emulator's tree (ours) and upas/fs's (theirs).
type comparison struct {
	t                    *testing.T
	ours, theirs         ninep.FS
	oursAddr, theirsAddr string

	dirs, files, bytes int
	known              map[string]*knownCount
	unexpected         int
}

type knownCount struct {
	n       int
	example string
}

// maxReported caps the unexpected differences printed per mailbox.
const maxReported = 40

// A diff is one difference: field of path is ours in the emulator and
// theirs in upas/fs. files and theirFiles hold the contents of the
// files in path's directory, for context.
type diff struct {
	path, field       string
	ours, theirs      string
	files, theirFiles map[string]string
}

func (d diff) String() string {
	return fmt.Sprintf("%s %s: ours %q, theirs %q", d.path, d.field, trunc(d.ours), trunc(d.theirs))
}

// differ records a difference: a known one is counted, any other fails
// the test.
func (c *comparison) differ(d diff) {
	if d.ours == d.theirs {
		return
	}
	for _, k := range knownDiffs {
		if k.match(d) {
			kc := c.known[k.name]
			if kc == nil {
				kc = &knownCount{example: d.String()}
				c.known[k.name] = kc
			}
			kc.n++
			return
		}
	}
	c.unexpected++
	if c.unexpected <= maxReported {
		c.t.Errorf("unexpected difference: %v", d)
	}
}

func (c *comparison) report() {
	c.t.Logf("compared %d directories and %d files (%d bytes)", c.dirs, c.files, c.bytes)
	for _, k := range knownDiffs {
		if kc := c.known[k.name]; kc != nil {
			c.t.Logf("known difference %s (%s): %d times, e.g. %s", k.name, k.reason, kc.n, kc.example)
		}
	}
	if c.unexpected > maxReported {
		c.t.Errorf("%d unexpected differences in all", c.unexpected)
	}
}

// compareRoot compares the root's own stat.
func (c *comparison) compareRoot() {
	o, err1 := c.ours.Stat("")
	th, err2 := c.theirs.Stat("")
	if err1 != nil || err2 != nil {
		c.t.Fatalf("stat /: ours %v, theirs %v", err1, err2)
	}
	c.compareEntry("/", o, th, nil, nil)
}

// compareDir lists dir in both trees, compares the listings, the
// entries and the contents of the files in it, then recurses into its
// sub-directories.
func (c *comparison) compareDir(dir string) {
	c.dirs++
	oe, err1 := c.ours.ReadDir(dir)
	te, err2 := c.theirs.ReadDir(dir)
	if err1 != nil || err2 != nil {
		c.differ(diff{path: dir, field: "ls error", ours: errText(err1), theirs: errText(err2)})
		return
	}
	on, tn := dirNames(oe), dirNames(te)
	c.differ(diff{path: dir, field: "listing", ours: strings.Join(on, " "), theirs: strings.Join(tn, " ")})
	ours, theirs := readFiles(c.ours, dir, oe), readFiles(c.theirs, dir, te)
	var sub []string
	for _, o := range oe {
		i := slices.Index(tn, o.Name)
		if i < 0 {
			continue
		}
		p := path.Join(dir, o.Name)
		c.compareEntry(p, o, te[i], ours, theirs)
		if o.Qid.Type&plan9.QTDIR != 0 && te[i].Qid.Type&plan9.QTDIR != 0 {
			sub = append(sub, p)
			continue
		}
		if o.Name == "ctl" {
			continue // read by probe
		}
		c.files++
		c.bytes += len(theirs[o.Name])
		c.differ(diff{path: p, field: "content", ours: ours[o.Name], theirs: theirs[o.Name], files: ours, theirFiles: theirs})
	}
	for _, p := range sub {
		c.compareDir(p)
	}
}

func dirNames(ents []*plan9.Dir) []string {
	var names []string
	for _, d := range ents {
		names = append(names, d.Name)
	}
	return names
}

// readFiles reads every plain file listed in dir, except ctl; a
// failed read gives "error: <text>" as the contents.
func readFiles(fsys ninep.FS, dir string, ents []*plan9.Dir) map[string]string {
	files := map[string]string{}
	for _, d := range ents {
		if d.Qid.Type&plan9.QTDIR != 0 || d.Name == "ctl" {
			continue
		}
		b, err := fsys.ReadFile(path.Join(dir, d.Name))
		if err != nil {
			b = []byte("error: " + errText(err))
		}
		files[d.Name] = string(b)
	}
	return files
}

// compareEntry compares two directory entries of p. Times of the root
// and ctl are "now" in both servers and are allowed to differ by a
// minute.
func (c *comparison) compareEntry(p string, o, th *plan9.Dir, files, theirFiles map[string]string) {
	d := func(field string, ours, theirs any) {
		c.differ(diff{path: p, field: field, ours: fmt.Sprint(ours), theirs: fmt.Sprint(theirs), files: files, theirFiles: theirFiles})
	}
	d("mode", o.Mode, th.Mode)
	d("qid.type", o.Qid.Type, th.Qid.Type)
	d("qid.vers", o.Qid.Vers, th.Qid.Vers)
	d("qid.path", fmt.Sprintf("%#x", o.Qid.Path), fmt.Sprintf("%#x", th.Qid.Path))
	d("length", o.Length, th.Length)
	d("uid gid muid", []string{o.Uid, o.Gid, o.Muid}, []string{th.Uid, th.Gid, th.Muid})
	d("type dev", []uint32{uint32(o.Type), o.Dev}, []uint32{uint32(th.Type), th.Dev})
	if p == "/" || p == "ctl" {
		d("mtime within a minute", max(o.Mtime, th.Mtime)-min(o.Mtime, th.Mtime) <= 60, true)
		return
	}
	d("atime mtime", []uint32{o.Atime, o.Mtime}, []uint32{th.Atime, th.Mtime})
}

// errText is the server's error text without the client's "op name: "
// prefix, or "" for nil.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// knownDiffs are the differences docs/upasfs.md explains, each matched
// as narrowly as its explanation allows.
var knownDiffs = []struct {
	name, reason string
	match        func(diff) bool
}{
	{"length", "a stat length that follows a content difference judged on its own", func(d diff) bool {
		b := path.Base(d.path)
		return d.field == "length" && d.ours == strconv.Itoa(len(d.files[b])) && d.theirs == strconv.Itoa(len(d.theirFiles[b]))
	}},
	{"body-length", "body's stat length is always the undecoded length; p9p gives the decoded one once body was opened (p9p-upasfs.md §3.3)", func(d diff) bool {
		return d.field == "length" && path.Base(d.path) == "body" && d.ours == strconv.Itoa(len(d.files["rawbody"]))
	}},
	{"rfc2047", "decision 1: header and info decode RFC 2047 as 4e does; p9p keeps `_` and the white space (and folds) between encoded words (p9p-upasfs.md §9.1)", func(d diff) bool {
		return d.field == "content" && path.Base(d.path) == "header" && rfc2047Same(d, d.ours, d.theirs)
	}},
	{"info", "each differing line of info differs as RFC 2047 decoding (decision 1) or as the file it repeats, which is judged on its own", infoSame},
	{"nul-squeeze", "NUL bytes leave text bodies only; 4e's and p9p's nullsqueeze drops the text before the first NUL and shortens raw, rawbody, rawunix and lines", nulSqueezed},
	{"addr-fields", "repeated To:, Cc: and Bcc: fields are joined, as in 4e's final code; p9p's 2003 code keeps the last one", func(d diff) bool {
		b := path.Base(d.path)
		n := strings.Count(strings.ToLower("\n"+d.files["rawheader"]), "\n"+b+":")
		return d.field == "content" && (b == "to" || b == "cc" || b == "bcc") && n > 1 && strings.HasSuffix(d.ours, " "+d.theirs)
	}},
	{"qp-bad-escape", "quoted-printable: a '=' not followed by two hex digits is kept (RFC 2045 §6.7); 4e and p9p turn '=ZZ' into a NUL byte", qpBadEscape},
	{"qid-path", "our qid paths are id<<32|part<<8|filetype, p9p's id<<10|filetype; the file types must agree", func(d diff) bool {
		o, err1 := strconv.ParseUint(d.ours, 0, 64)
		th, err2 := strconv.ParseUint(d.theirs, 0, 64)
		return d.field == "qid.path" && err1 == nil && err2 == nil && o&0xff == th&0x3ff
	}},
	{"mbox-vers", "the mailbox directory's qid.vers is a change counter in both servers; the counts differ", func(d diff) bool {
		return d.field == "qid.vers" && d.path == "mbox"
	}},
	{"isdir", "srv9p refuses to open a directory for writing with lib9p's \"is a directory\" before our code sees it; upas/fs says \"permission denied\"", func(d diff) bool {
		return d.field == "error" && d.ours == "is a directory" && d.theirs == "permission denied"
	}},
	{"errno", "decision 3: Plan 9's error strings, not Unix errno text (p9p-upasfs.md §9.3)", func(d diff) bool {
		return d.field == "error" && d.ours == "file does not exist" && d.theirs == "No such file or directory"
	}},
	{"msize", "we offer 128 KiB + IOHDRSZ; p9p's 9pserve answers 8192 (p9p-upasfs.md §6.2)", func(d diff) bool {
		return d.field == "msize" && d.ours == strconv.Itoa(128*1024+plan9.IOHDRSZ)
	}},
}

// rfc2047Same reports whether ours and theirs, from a directory whose
// header or subject holds an encoded word, are the same once folds are
// undone, `_` is taken as a space and white space is ignored.
func rfc2047Same(d diff, ours, theirs string) bool {
	if !strings.Contains(d.files["rawheader"]+d.files["subject"], "=?") {
		return false
	}
	// p9p decodes folded lines in place; 4e drops the fold between
	// adjacent encoded words.
	unfold := strings.NewReplacer("\n ", " ", "\n\t", "\t")
	ol, tl := strings.Split(unfold.Replace(ours), "\n"), strings.Split(unfold.Replace(theirs), "\n")
	if len(ol) != len(tl) {
		return false
	}
	squeeze := func(s string) string {
		return strings.Join(strings.Fields(strings.ReplaceAll(s, "_", " ")), "")
	}
	for i := range ol {
		if ol[i] != tl[i] && squeeze(ol[i]) != squeeze(tl[i]) {
			return false
		}
	}
	return true
}

// infoFields are the files whose values make up info's 16 lines (spec
// §1.5).
var infoFields = strings.Fields(`from to cc replyto unixdate subject type disposition filename
	digest bcc inreplyto date sender messageid lines`)

func infoSame(d diff) bool {
	if d.field != "content" || path.Base(d.path) != "info" {
		return false
	}
	ol, tl := strings.Split(d.ours, "\n"), strings.Split(d.theirs, "\n")
	if len(ol) != len(infoFields)+1 || len(tl) != len(ol) {
		return false
	}
	for i, f := range infoFields {
		asFile := ol[i] == d.files[f] && tl[i] == d.theirFiles[f]
		if ol[i] != tl[i] && !asFile && !rfc2047Same(d, ol[i], tl[i]) {
			return false
		}
	}
	return true
}

// nulSqueezed accepts what 4e's nullsqueeze does to a text part with a
// NUL byte: it copies the bytes after the first NUL, less NULs, to the
// start of the body, in the message buffer itself.
func nulSqueezed(d diff) bool {
	rb := d.files["rawbody"]
	i := strings.IndexByte(rb, 0)
	if d.field != "content" || i < 0 || !strings.HasPrefix(d.files["type"], "text/") {
		return false
	}
	sq := strings.ReplaceAll(rb[i:], "\x00", "")
	switch path.Base(d.path) {
	case "rawbody":
		return d.theirs == sq
	case "raw", "rawunix":
		return strings.HasSuffix(d.ours, rb) && d.theirs == strings.TrimSuffix(d.ours, rb)+sq
	case "body":
		return d.ours == strings.ReplaceAll(rb, "\x00", "") && d.theirs == sq
	case "lines":
		return d.theirs == strconv.Itoa(strings.Count(sq, "\n"))
	}
	return false
}

// qpBadEscape accepts a body where theirs has one byte, hex2int(x)<<4 |
// hex2int(y) as 4e computes it, for each "=xy" of ours that is not a
// hex escape and is in rawbody.
func qpBadEscape(d diff) bool {
	if d.field != "content" || path.Base(d.path) != "body" {
		return false
	}
	o, th := d.ours, d.theirs
	for len(o) > 0 && len(th) > 0 {
		switch {
		case o[0] == th[0]:
			o, th = o[1:], th[1:]
		case len(o) >= 3 && o[0] == '=' && !(isHex(o[1]) && isHex(o[2])) &&
			th[0] == hex2int(o[1])<<4|hex2int(o[2]) && strings.Contains(d.files["rawbody"], o[:3]):
			o, th = o[3:], th[1:]
		default:
			return false
		}
	}
	return o == "" && th == ""
}

func isHex(c byte) bool { return strings.IndexByte("0123456789abcdefABCDEF", c) >= 0 }

// hex2int is 4e's: anything not a hex digit counts as 0.
func hex2int(c byte) byte {
	v, _ := strconv.ParseUint(string(c), 16, 8)
	return byte(v)
}

// probes are operations that fail or change nothing: "stat P", "read
// P", "open P" (for writing) and "ctl MSG" (a write to ctl). Their
// results (the contents read, "ok" or the error text) must agree.
var probes = []string{
	"stat nosuch", "stat mbox/1/nosuch", "stat mbox/1/subject/x",
	"read ctl", "read mbox/1/subject.txt", "open mbox/1/subject", "open mbox",
	"ctl bogus", "ctl open", "ctl open nosuchbox", "ctl delete mbox 99999", "ctl close nosuch",
}

func runProbe(f ninep.FS, probe string) string {
	op, arg, _ := strings.Cut(probe, " ")
	var err error
	switch op {
	case "stat":
		_, err = f.Stat(arg)
	case "read":
		var b []byte
		if b, err = f.ReadFile(arg); err == nil {
			return string(b)
		}
	case "open", "ctl":
		name := arg
		if op == "ctl" {
			name = "ctl"
		}
		var fd ninep.File
		if fd, err = f.Open(name, plan9.OWRITE); err == nil {
			if op == "ctl" {
				_, err = fd.Write([]byte(arg))
			}
			fd.Close()
		}
	}
	if err != nil {
		return errText(err)
	}
	return "ok"
}

// probe compares the negotiated msize and the probes.
func (c *comparison) probe() {
	c.differ(diff{path: "Tversion", field: "msize", ours: msize(c.oursAddr), theirs: msize(c.theirsAddr)})
	for _, p := range probes {
		c.differ(diff{path: p, field: "error", ours: runProbe(c.ours, p), theirs: runProbe(c.theirs, p)})
	}
}

// msize sends a Tversion asking for 1 MiB on a new connection to addr
// and returns the msize of the answer (or the error). It never attaches.
func msize(addr string) string {
	conn, err := ninep.Dial(addr)
	if err != nil {
		return err.Error()
	}
	defer conn.Close()
	tx := &plan9.Fcall{Type: plan9.Tversion, Tag: plan9.NOTAG, Msize: 1 << 20, Version: "9P2000"}
	if err := plan9.WriteFcall(conn, tx); err != nil {
		return err.Error()
	}
	rx, err := plan9.ReadFcall(conn)
	if err != nil {
		return err.Error()
	}
	return strconv.Itoa(int(rx.Msize))
}
