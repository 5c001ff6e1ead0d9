package imap_test

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"p9mail/protocol/auth"
	"p9mail/protocol/imap"
	"p9mail/protocol/mailfs"
	"p9mail/testenv"
)

// TestTranscripts runs the IMAP conversations in testdata/*.txt, in the
// language of testenv.Transcript, plus:
//
//	set plain|p9cr|preauth=<user>|maxline=<n>|maxliteral=<n>|maxpreauthliteral=<n>|maxstrings=<n>|idle=<d>|maxconns=<n>|
//	    maxperaddr=<n>|logintimeout=<d>|maxkeywords=<n>|maxmsgkeywords=<n>|maxsearchkeys=<n>|createspecialuse
//	p9key <user> <password>        host: the user's Plan 9 key file, from the password
//	p9cr <tag> <user> <password>   LOGIN with the response to the last "encrypt challenge"
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) { runTranscript(t, f) })
	}
}

func runTranscript(t *testing.T, file string) {
	tr := testenv.NewTranscript(t)
	cfg := imap.Config{Delay: auth.Delay{Base: time.Millisecond, Max: 4 * time.Millisecond, Limit: 3}}
	alerts := map[*testenv.Conn]string{} // the last "* NO [ALERT]" line
	tr.Set = func(opt string) bool {
		name, val, _ := strings.Cut(opt, "=")
		switch name {
		case "tls":
			cfg.TLS = tr.Cert.Server
		case "plain":
			cfg.AllowPlain = true
		case "p9cr":
			cfg.P9CR = true
		case "preauth":
			cfg.Preauth = val
		case "maxline":
			cfg.MaxLine, _ = strconv.Atoi(val)
		case "maxliteral":
			cfg.MaxLiteral, _ = strconv.ParseInt(val, 10, 64)
		case "maxpreauthliteral":
			cfg.MaxPreauthLiteral, _ = strconv.ParseInt(val, 10, 64)
		case "maxstrings":
			cfg.MaxStrings, _ = strconv.ParseInt(val, 10, 64)
		case "idle":
			cfg.IdleTimeout, _ = time.ParseDuration(val)
		case "maxconns":
			cfg.MaxConns, _ = strconv.Atoi(val)
		case "maxkeywords":
			cfg.MaxKeywords, _ = strconv.Atoi(val)
		case "maxmsgkeywords":
			cfg.MaxMessageKeywords, _ = strconv.Atoi(val)
		case "maxsearchkeys":
			cfg.MaxSearchKeys, _ = strconv.Atoi(val)
		case "maxsearchupdates":
			cfg.MaxSearchUpdates, _ = strconv.Atoi(val)
		case "maxperaddr":
			cfg.MaxPerAddr, _ = strconv.Atoi(val)
		case "createspecialuse":
			cfg.CreateSpecialUse = true
		case "logintimeout":
			cfg.LoginTimeout, _ = time.ParseDuration(val)
		default:
			return false
		}
		return true
	}
	tr.Seen = func(line string) {
		if strings.HasPrefix(line, "* NO [ALERT]") {
			alerts[tr.Cur] = line
		}
	}
	tr.Command = func(f []string, line string) bool {
		switch f[0] {
		case "p9key":
			key := auth.PasswordToKey(f[2])
			testenv.WriteKeys(t, tr.Root, nil)
			if err := os.WriteFile(filepath.Join(tr.Root, "keys", f[1], "key"), key[:], 0600); err != nil {
				tr.Fatalf("%v", err)
			}
		case "p9cr":
			_, chal, ok := strings.Cut(alerts[tr.Cur], "encrypt challenge: ")
			if !ok {
				tr.Fatalf("no challenge in %q", alerts[tr.Cur])
			}
			resp, err := auth.P9CRResponse(auth.PasswordToKey(f[3]), strings.TrimSpace(chal))
			if err != nil {
				tr.Fatalf("%v", err)
			}
			tr.Send(f[1] + " LOGIN " + f[2] + " " + resp)
		default:
			return false
		}
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
		cfg.ServerName = "test.example"
		cfg.IdlePoll = 50 * time.Millisecond
		srv, err := imap.New(cfg)
		if err != nil {
			tr.Fatalf("%v", err)
		}
		return testenv.ServeLoopback(t, srv.Serve)
	}
	tr.RunFile(file)
}
