package main

import "fmt"

// The sort session (-session sort, bench/imapsort.sh): connect, LOGIN,
// SELECT INBOX, three SORTs and a THREAD over every message (RFC 5256),
// LOGOUT. Each answer's size and CRC-32C go into the result, so that
// the report can say whether both servers gave the same order.
var sortSteps = []string{"connect", "LOGIN", "SELECT", "SORT-date", "SORT-subject", "SORT-from", "THREAD-refs", "LOGOUT", "total"}

var sortCommands = map[string]string{
	"SORT-date":    "SORT (DATE) UTF-8 ALL",
	"SORT-subject": "SORT (SUBJECT) UTF-8 ALL",
	"SORT-from":    "SORT (FROM) UTF-8 ALL",
	"THREAD-refs":  "THREAD REFERENCES UTF-8 ALL",
}

// sortStep runs one of sortCommands; its untagged answer must come.
func (s *session) sortStep(name string) func() error {
	return func() error {
		cmd := sortCommands[name]
		s.c.kind, s.c.sum, s.c.size = "", 0, 0
		if _, err := s.c.command(nil, cmd); err != nil {
			return err
		}
		want := "SORT"
		if name == "THREAD-refs" {
			want = "THREAD"
		}
		if s.c.kind != want {
			return fmt.Errorf("%s: no %s response", cmd, want)
		}
		if s.res.Answers == nil {
			s.res.Answers = map[string]string{}
		}
		s.res.Answers[name] = fmt.Sprintf("%d bytes, crc %08x", s.c.size, s.c.sum)
		return nil
	}
}

// compareAnswers says, per step, whether the two servers' SORT and
// THREAD answers were the same in every run.
func compareAnswers(rs []*result) []string {
	var out []string
	for _, st := range sortSteps {
		if _, ok := sortCommands[st]; !ok {
			continue
		}
		a := map[string]string{}
		for _, srv := range []string{"ours", "dovecot"} {
			a[srv] = distinct(pick(rs, srv), func(r *result) string { return r.Answers[st] })
		}
		verdict := "same"
		if a["ours"] != a["dovecot"] {
			verdict = "DIFFER"
		}
		out = append(out, fmt.Sprintf("%-12s %s: ours %s, Dovecot %s", st, verdict, a["ours"], a["dovecot"]))
	}
	return out
}
