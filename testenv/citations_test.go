package testenv

import (
	"bufio"
	"bytes"
	"fmt"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The documents that comments cite, by the name a citation uses:
// "spec §2.5" is docs/plan9.md, "p9p §3.1" (or "p9p-upasfs.md §3.1")
// docs/p9p.md, "decision 12" (or "decisions §12") docs/decisions.md.
var citedDocs = map[string]string{
	"spec":      "docs/plan9.md",
	"p9p":       "docs/p9p.md",
	"decisions": "docs/decisions.md",
}

// A citation is one cited section, where it is cited.
type citation struct {
	doc     string // a key of citedDocs
	section string // "2.5", "12"
	file    string // relative to the repository root
	line    int
	guessed bool // a bare § given the document of an earlier comment
}

func (c citation) String() string {
	return fmt.Sprintf("%s:%d: %s §%s", c.file, c.line, c.doc, c.section)
}

// markRE finds, in comment or string text, the "decision N" citations,
// the names of documents (perhaps with a "§N" after them) and the bare
// "§N". A name decides the document of the bare "§N" that follow it:
// ours, or an RFC or Internet-Draft, whose sections are not ours. The
// words "spec", "p9p" and "decisions" name a document only before a §.
var markRE = regexp.MustCompile(`(?i)` +
	`(?P<decn>\bdecisions?\s+\d+(?:\s*(?:,|and|or|–|-)\s*\d+)*)` +
	`|(?P<label>\b(?:spec/)?p9p-upasfs\.md|\b(?:spec/)?plan9-mail\.md|\b(?:spec/)?decisions\.md` +
	`|\bspec\s+decisions\b|\bdecisions\b|\bspec\b|\bp9p\b|(?-i:\bRFC\s+\d+)|\bdraft-[a-z0-9-]+)` +
	`(?:\s*§\s*(?P<lsect>\d+(?:\.\d+)*))?` +
	`|§\s*(?P<sect>\d+(?:\.\d+)*)`)

// labelDoc gives the document a name found by markRE stands for: a key
// of citedDocs, "" for an RFC or draft, "?" for a word that names
// nothing without a § after it.
func labelDoc(label string, withSect bool) string {
	l := strings.ToLower(label)
	file := strings.HasSuffix(l, ".md")
	switch {
	case strings.HasPrefix(l, "rfc"), strings.HasPrefix(l, "draft-"):
		return ""
	case !file && !withSect:
		return "?"
	case strings.Contains(l, "p9p"):
		return "p9p"
	case strings.Contains(l, "decisions"):
		return "decisions"
	default:
		return "spec"
	}
}

var numRE = regexp.MustCompile(`\d+`)

// A unit is the text of one comment group or string literal, with the
// line of each of its bytes.
type unit struct {
	text  []byte
	lines []int
}

func (u *unit) add(s string, line int) {
	if len(u.text) > 0 {
		u.text = append(u.text, ' ')
		u.lines = append(u.lines, line)
	}
	for i := 0; i < len(s); i++ {
		u.text = append(u.text, s[i])
		u.lines = append(u.lines, line)
		if s[i] == '\n' {
			line++
		}
	}
}

// units splits a Go source file into its comment groups (consecutive
// comments with no other token between them) and string literals.
func units(src []byte) []unit {
	fset := token.NewFileSet()
	f := fset.AddFile("", fset.Base(), len(src))
	var s scanner.Scanner
	s.Init(f, src, func(token.Position, string) {}, scanner.ScanComments)
	var out []unit
	var cur unit
	flush := func() {
		if len(cur.text) > 0 {
			out = append(out, cur)
		}
		cur = unit{}
	}
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		line := f.Line(pos)
		switch {
		case tok == token.COMMENT:
			lit = strings.TrimPrefix(lit, "//")
			lit = strings.TrimPrefix(lit, "/*")
			lit = strings.TrimSuffix(lit, "*/")
			cur.add(lit, line)
		case tok == token.SEMICOLON && lit == "\n":
			// an inserted semicolon: not a token between comments
		case tok == token.STRING:
			flush()
			cur.add(lit, line)
			flush()
		default:
			flush()
		}
	}
	flush()
	return out
}

// extract lists the citations of our documents in one source file. A
// bare "§N" belongs to the document named last before it in its
// comment or string (none if that was an RFC); in one that names none,
// to the document of the last "§" before it in the file (guessed).
func extract(file string, src []byte) []citation {
	var out []citation
	cited := "" // the document of the last "§" in the file
	for _, u := range units(src) {
		last, inUnit := cited, false
		for _, m := range markRE.FindAllSubmatchIndex(u.text, -1) {
			group := func(name string) (int, int) {
				i := markRE.SubexpIndex(name)
				return m[2*i], m[2*i+1]
			}
			cite := func(a, b int) {
				cited = last
				if last != "" {
					out = append(out, citation{
						doc: last, section: string(u.text[a:b]),
						file: file, line: u.lines[a], guessed: !inUnit,
					})
				}
			}
			if a, b := group("decn"); a >= 0 {
				out = append(out, decisionList(file, u, a, b)...)
			} else if a, b := group("label"); a >= 0 {
				sa, sb := group("lsect")
				doc := labelDoc(string(u.text[a:b]), sa >= 0)
				if doc == "?" {
					continue
				}
				last, inUnit = doc, true
				if sa >= 0 {
					cite(sa, sb)
				}
			} else if a, b := group("sect"); a >= 0 {
				cite(a, b)
			}
		}
	}
	return out
}

// decisionList expands "decision 4", "decisions 5, 6", "decisions 5
// and 6" and the range "decisions 9–11".
func decisionList(file string, u unit, a, b int) []citation {
	text := string(u.text[a:b])
	var out []citation
	add := func(n, at int) {
		out = append(out, citation{doc: "decisions", section: strconv.Itoa(n), file: file, line: u.lines[a+at]})
	}
	prev, prevEnd := 0, 0
	for _, r := range numRE.FindAllStringIndex(text, -1) {
		n, _ := strconv.Atoi(text[r[0]:r[1]])
		if prev > 0 && strings.ContainsAny(text[prevEnd:r[0]], "–-") {
			for k := prev + 1; k < n; k++ {
				add(k, r[0])
			}
		}
		add(n, r[0])
		prev, prevEnd = n, r[1]
	}
	return out
}

var (
	headingRE  = regexp.MustCompile(`^#{1,6}\s+(\d+(?:\.\d+)*)\.?(?:\s|$)`)
	listItemRE = regexp.MustCompile(`^(\d+)\.\s`)
)

// sections lists the numbered sections of a document: its headings
// "### 2.5 Title" and "## 2. Title"; with items, also the top-level
// numbered list items "12. " (the decisions).
func sections(t *testing.T, path string, items bool) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	have := make(map[string]bool)
	sc := bufio.NewScanner(bytes.NewReader(b))
	fence := false
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "```") {
			fence = !fence
		}
		if fence {
			continue
		}
		if m := headingRE.FindStringSubmatch(line); m != nil {
			have[m[1]] = true
		}
		if m := listItemRE.FindStringSubmatch(line); items && m != nil {
			have[m[1]] = true
		}
	}
	return have
}

// repoRoot is the repository's top directory: testenv's parent.
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(wd)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod above %s: %v", wd, err)
	}
	return root
}

// goFiles lists the repository's .go files, relative to root: not
// those in testdata, vendor or hidden directories, nor this one (whose
// examples cite what they like).
func goFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") && name != "citations_test.go" {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

func allCitations(t *testing.T, root string) []citation {
	t.Helper()
	var all []citation
	for _, file := range goFiles(t, root) {
		src, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, extract(file, src)...)
	}
	return all
}

// TestCitations checks that every section the Go sources cite as
// "spec §N", "p9p §N" or "decision N" has a heading (or, for a
// decision, an item) in the repository's document for it.
func TestCitations(t *testing.T) {
	root := repoRoot(t)
	have := make(map[string]map[string]bool)
	for doc, path := range citedDocs {
		have[doc] = sections(t, filepath.Join(root, path), doc == "decisions")
	}
	all := allCitations(t, root)
	if len(all) == 0 {
		t.Fatal("no citations found: the extractor is broken")
	}
	count := make(map[string]int)
	for _, c := range all {
		count[c.doc]++
		if os.Getenv("CITATIONS_LIST") != "" {
			g := ""
			if c.guessed {
				g = " (document guessed from an earlier comment)"
			}
			t.Logf("%v%s", c, g)
		}
		if !have[c.doc][c.section] {
			t.Errorf("%v: no section %s in %s", c, c.section, citedDocs[c.doc])
		}
	}
	t.Logf("%d citations checked: spec %d, p9p %d, decisions %d",
		len(all), count["spec"], count["p9p"], count["decisions"])
}

// docLinkRE finds the repository's documents named in README.md,
// as links or in text: docs/upasfs.md, docs/upasfs.md#authentication.
var docLinkRE = regexp.MustCompile(`\bdocs/[A-Za-z0-9_.-]+\.md\b`)

// TestCitationsReadmeLinks checks that every docs/X.md README.md names
// exists.
func TestCitationsReadmeLinks(t *testing.T) {
	root := repoRoot(t)
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]bool)
	for i, line := range strings.Split(string(b), "\n") {
		for _, name := range docLinkRE.FindAllString(line, -1) {
			if seen[name] {
				continue
			}
			seen[name] = true
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(name))); err != nil {
				t.Errorf("README.md:%d: %s: %v", i+1, name, err)
			}
		}
	}
	for _, doc := range citedDocs {
		if !seen[doc] {
			t.Errorf("README.md does not name %s", doc)
		}
	}
}

// TestCitationsExtract checks the extractor on the forms the sources
// use.
func TestCitationsExtract(t *testing.T) {
	src := "package x\n\n" +
		"// A (spec §1.4, §2.5.) and (spec\n// §2.9, §1.8). RFC 3501 §6.4.5 is not ours,\n" +
		"// nor §7.4.2 after it; p9p-upasfs.md §6.1 (§10), p9p §3.3.\n" +
		"// (decisions 5\n// and 6), decisions 9–11, decision 16, 17, spec decisions §3.\n" +
		"var x = 1\n\n" +
		"// The spec says so; p9p §3.1.\n" +
		"var z = 2 // message/rfc822 parts were promoted, §1.4 (RFC 2047).\n" +
		"var w = 3 // Decoded as RFC 2047 says, §1.5.\n" +
		"var y = \"decision 1: see p9p-upasfs.md §9.1\"\n"
	var got []string
	for _, c := range extract("x.go", []byte(src)) {
		g := ""
		if c.guessed {
			g = "?"
		}
		got = append(got, fmt.Sprintf("%d:%s§%s%s", c.line, c.doc, c.section, g))
	}
	want := []string{
		"3:spec§1.4", "3:spec§2.5", "4:spec§2.9", "4:spec§1.8",
		"5:p9p§6.1", "5:p9p§10", "5:p9p§3.3",
		"6:decisions§5", "7:decisions§6", "7:decisions§9", "7:decisions§10", "7:decisions§11",
		"7:decisions§16", "7:decisions§17", "7:decisions§3",
		"10:p9p§3.1", "11:p9p§1.4?",
		"13:decisions§1", "13:p9p§9.1",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("extract:\n got %v\nwant %v", got, want)
	}
}
