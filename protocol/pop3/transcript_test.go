package pop3_test

import (
	"crypto/md5"
	"encoding/hex"
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"p9mail/protocol/auth"
	"p9mail/protocol/mailfs"
	"p9mail/protocol/pop3"
	"p9mail/testenv"
)

// TestTranscripts runs the POP3 conversations in testdata/*.txt, in the
// language of testenv.Transcript, plus:
//
//	set plain|preauth=<user>|maxline=<n>|idle=<d>|maxconns=<n>|maxperaddr=<n>|logintimeout=<d>
//	apop <user> <secret>   send APOP with the digest of the greeting's challenge
func TestTranscripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	if len(files) == 0 {
		t.Fatal("no transcripts")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) { runTranscript(t, f) })
	}
}

var challengeRE = regexp.MustCompile(`<[0-9a-f]+\.[0-9a-f]+@[^>]+>`)

func runTranscript(t *testing.T, file string) {
	tr := testenv.NewTranscript(t)
	cfg := pop3.Config{Delay: auth.Delay{Base: time.Millisecond, Max: 4 * time.Millisecond, Limit: 3}}
	challenges := map[*testenv.Conn]string{} // of each greeting
	tr.Set = func(opt string) bool {
		name, val, _ := strings.Cut(opt, "=")
		switch name {
		case "tls":
			cfg.TLS = tr.Cert.Server
		case "plain":
			cfg.AllowPlain = true
		case "preauth":
			cfg.Preauth = val
		case "maxline":
			cfg.MaxLine, _ = strconv.Atoi(val)
		case "idle":
			cfg.IdleTimeout, _ = time.ParseDuration(val)
		case "maxconns":
			cfg.MaxConns, _ = strconv.Atoi(val)
		case "maxperaddr":
			cfg.MaxPerAddr, _ = strconv.Atoi(val)
		case "logintimeout":
			cfg.LoginTimeout, _ = time.ParseDuration(val)
		default:
			return false
		}
		return true
	}
	tr.Seen = func(line string) {
		if strings.HasPrefix(line, "+OK POP3 server ready ") {
			challenges[tr.Cur] = challengeRE.FindString(line)
		}
	}
	tr.Command = func(f []string, line string) bool {
		if f[0] != "apop" {
			return false
		}
		sum := md5.Sum([]byte(challenges[tr.Cur] + f[2]))
		tr.Send("APOP " + f[1] + " " + hex.EncodeToString(sum[:]))
		return true
	}
	tr.Start = func() (net.Listener, net.Listener) {
		cfg.Source = &mailfs.Source{Addr: tr.FSAddr, Root: tr.Root}
		if cfg.Preauth == "" {
			keys, err := auth.OpenKeys(testenv.WriteKeys(t, tr.Root, nil))
			if err != nil {
				tr.Fatalf("%v", err)
			}
			cfg.Keys = keys
		}
		cfg.Domain = "test.example"
		srv, err := pop3.New(cfg)
		if err != nil {
			tr.Fatalf("%v", err)
		}
		return testenv.ServeLoopback(t, srv.Serve)
	}
	tr.RunFile(file)
}
