package wire_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"p9mail/protocol/imap/wire"
)

// Transcripts in testdata/transcripts/*.txt: "C:" lines are what the
// client sends, "S:" lines what the test server writes, each line ending
// CRLF on the wire. The server reads each command with readCommand and
// answers with the command as writeCommand renders it, or with
// "<tag> BAD <msg>" / "<tag> NO [TOOBIG] <msg>"; the decoder's
// continuation callback writes "+ Ready for literal data". An optional
// "O:" line sets options: literal+, maxline=N, maxliteral=N,
// maxliterals=N. Lines starting "#" are comments.
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/transcripts/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			opts, in, want := loadTranscript(t, file)
			if got := serveTranscript(in, opts); got != want {
				t.Errorf("server wrote:\n%s\nwant:\n%s", show(got), show(want))
			}
		})
	}
}

func show(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

func loadTranscript(t *testing.T, file string) (wire.Options, string, string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var opts wire.Options
	var in, want strings.Builder
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "C: "):
			in.WriteString(line[3:] + "\r\n")
		case strings.HasPrefix(line, "S: "):
			want.WriteString(line[3:] + "\r\n")
		case strings.HasPrefix(line, "O: "):
			opts = parseOptions(t, line[3:])
		case line == "" || line[0] == '#':
		default:
			t.Fatalf("bad transcript line %q", line)
		}
	}
	return opts, in.String(), want.String()
}

func parseOptions(t *testing.T, s string) wire.Options {
	var o wire.Options
	for _, f := range strings.Fields(s) {
		name, val, _ := strings.Cut(f, "=")
		n, _ := strconv.Atoi(val)
		switch name {
		case "literal+":
			o.LiteralPlus = true
		case "maxline":
			o.Limits.MaxLine = n
		case "maxliteral":
			o.Limits.MaxLiteral = int64(n)
		case "maxliterals":
			o.Limits.MaxLiterals = n
		default:
			t.Fatalf("bad option %q", f)
		}
	}
	return o
}

// serveTranscript runs the test server over in and returns its output.
func serveTranscript(in string, opts wire.Options) string {
	var out bytes.Buffer
	w := bufio.NewWriter(&out)
	enc := wire.NewEncoder(w)
	opts.Continue = func() error {
		return enc.Atom("+").SP().Text("Ready for literal data").CRLF().Flush()
	}
	d := wire.NewDecoder(bufio.NewReader(strings.NewReader(in)), opts)
	for d.Next() == nil {
		c, ok := readCommand(d)
		if ok {
			writeCommand(enc, c)
			continue
		}
		err := d.Err()
		if errors.Is(err, io.EOF) {
			break // the client hung up between commands
		}
		var we *wire.Error
		tag := c.tag
		if tag == "" {
			tag = "*"
		}
		switch {
		case err == nil:
			enc.Atom(tag).SP().Atom("BAD").SP().Text("unknown command " + c.name).CRLF()
		case errors.As(err, &we) && we.Code != "":
			enc.Atom(tag).SP().Atom("NO").SP().Code(we.Code).SP().Text(we.Msg).CRLF()
		case errors.As(err, &we):
			enc.Atom(tag).SP().Atom("BAD").SP().Text(we.Msg).CRLF()
		default:
			enc.Atom("*").SP().Atom("BYE").SP().Text(fmt.Sprint(err)).CRLF()
		}
	}
	enc.Flush()
	return out.String()
}
