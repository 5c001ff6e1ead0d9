package message

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestTranscripts runs testdata/*.txt. Each names the mailbox it reads
// (testdata/<name>.mbox, else testenv.Fixture(<name>)) and lists, per
// message ("msg N"), FETCH items and what they must give exactly:
//
//	BODYSTRUCTURE (...)          IMAP text, or a Go-quoted string
//	RFC822.SIZE 268
//	BODY[4.2.HEADER.FIELDS (SUBJECT)]<0.10> "Go-quoted bytes"
//
// Lines starting with # are comments.
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txt")
		t.Run(name, func(t *testing.T) { runTranscript(t, file, name) })
	}
}

// update rewrites the transcripts with what the code gives: review the
// diff before committing it.
var update = flag.Bool("update", false, "rewrite testdata/*.txt with the values got")

func runTranscript(t *testing.T, file, name string) {
	mbox := mailbox(t, name)
	srcs, ss := loadAll(t, mbox)
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	msg := -1
	var out []string
	defer func() {
		if *update && !t.Failed() {
			os.WriteFile(file, []byte(strings.Join(out, "\n")+"\n"), 0644)
		}
	}()
	for line := 1; sc.Scan(); line++ {
		l := sc.Text()
		out = append(out, l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		where := fmt.Sprintf("%s:%d", file, line)
		if n, ok := strings.CutPrefix(l, "msg "); ok {
			msg, err = strconv.Atoi(n)
			if err != nil || msg < 1 || msg > len(ss) {
				t.Fatalf("%s: bad message %q", where, n)
			}
			msg--
			continue
		}
		if msg < 0 {
			t.Fatalf("%s: item before any msg line", where)
		}
		item, want := splitItem(t, where, l)
		got := fetchItem(t, where, ss[msg], srcs[msg], item)
		if *update {
			if got != want {
				out[len(out)-1] = item + " " + encodeValue(l[len(item)+1:], got)
			}
			continue
		}
		if got != want {
			t.Errorf("%s: %s\n got %s\nwant %s", where, item, strconv.Quote(got), strconv.Quote(want))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

// splitItem splits a transcript line into the item and its expected
// value, unquoting a Go-quoted one.
func splitItem(t *testing.T, where, l string) (item, want string) {
	end := strings.IndexByte(l, ' ')
	if i := strings.IndexByte(l, '['); i >= 0 && (end < 0 || i < end) {
		j := strings.IndexByte(l[i:], ']') + i
		end = j + strings.IndexByte(l[j:], ' ')
	}
	if end <= 0 {
		t.Fatalf("%s: no expected value", where)
	}
	item, want = l[:end], l[end+1:]
	if strings.HasPrefix(want, `"`) {
		u, err := strconv.Unquote(want)
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		want = u
	}
	return item, want
}

// fetchItem evaluates one FETCH item.
func fetchItem(t *testing.T, where string, s *Structure, src Source, item string) string {
	switch item {
	case "BODY":
		return string(s.BodyStructure(false).Append(nil))
	case "BODYSTRUCTURE":
		return string(s.BodyStructure(true).Append(nil))
	case "ENVELOPE":
		return string(s.Envelope().Append(nil))
	case "RFC822.SIZE":
		return strconv.FormatInt(s.Size(), 10)
	}
	spec, ok := strings.CutPrefix(item, "BODY[")
	if !ok {
		t.Fatalf("%s: unknown item %q", where, item)
	}
	spec, partial, _ := strings.Cut(spec, "]")
	var p *Partial
	if partial != "" {
		p = new(Partial)
		if _, err := fmt.Sscanf(partial, "<%d.%d>", &p.Start, &p.Count); err != nil {
			t.Fatalf("%s: bad partial %q", where, partial)
		}
	}
	return string(fetch(t, s, src, parseSection(spec), p))
}

// parseSection parses the text between BODY[ and ] (RFC 3501 §9
// "section-spec"), leniently: this is test input.
func parseSection(spec string) Section {
	var sec Section
	for spec != "" {
		head, rest, _ := strings.Cut(spec, ".")
		k, err := strconv.Atoi(head)
		if err != nil {
			break
		}
		sec.Part = append(sec.Part, k)
		spec = rest
	}
	spec, list, _ := strings.Cut(spec, " ")
	sec.Specifier = spec
	list = strings.Trim(list, "()")
	if list != "" {
		sec.Fields = strings.Fields(list)
	}
	return sec
}

// TestParseSection checks the test's own section parser.
func TestParseSection(t *testing.T) {
	got := parseSection("4.2.HEADER.FIELDS.NOT (From To)")
	if fmt.Sprint(got) != fmt.Sprint(Section{Part: []int{4, 2}, Specifier: "HEADER.FIELDS.NOT", Fields: []string{"From", "To"}}) {
		t.Errorf("got %+v", got)
	}
	if got := parseSection(""); got.Part != nil || got.Specifier != "" {
		t.Errorf("empty: got %+v", got)
	}
	if !bytes.Equal([]byte(fmt.Sprint(parseSection("3").Part)), []byte("[3]")) {
		t.Errorf("3: got %+v", parseSection("3"))
	}
}

// encodeValue writes got in the form the line used: Go-quoted or IMAP
// text.
func encodeValue(old, got string) string {
	if strings.HasPrefix(old, "\"") {
		return strconv.Quote(got)
	}
	return got
}
