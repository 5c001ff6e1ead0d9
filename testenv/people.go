package testenv

import (
	"slices"
	"strings"
	"time"
)

// person is a correspondent: display name, address and home time zone.
type person struct {
	first, last string // display name parts; last may be empty
	addr        string // addr-spec, always ASCII
	zone        *time.Location
}

// name is the person's display name.
func (p person) name() string {
	if p.last == "" {
		return p.first
	}
	return p.first + " " + p.last
}

// zones are the time zones people write Date: headers in (RFC 5322 §3.3).
var zones = []*time.Location{
	time.FixedZone("GMT", 0),
	time.FixedZone("EST", -5*3600),
	time.FixedZone("PST", -8*3600),
	time.FixedZone("CET", 3600),
	time.FixedZone("IST", 5*3600+1800),
	time.FixedZone("JST", 9*3600),
}

var (
	firstNames = []string{"Alice", "Bob", "Carol", "Dave", "Eve", "Frank",
		"Grace", "Heidi", "Ivan", "Judy", "Mallory", "Niaj", "Olivia",
		"Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter", "Wendy"}
	lastNames = []string{"Smith", "Jones", "Example", "Miller", "Nguyen",
		"Garcia", "Kim", "Okafor", "Rossi", "Dubois", "Kowalski", "Tanaka",
		"O'Brien", "Van Dyke"}
	domains = []string{"example.com", "example.org", "example.net",
		"mail.example.com", "plan9.example", "cs.example.edu"}
)

// asciiPeople are built from the name tables; everyone's address is
// derived from the name, so a name always goes with the same address.
var asciiPeople = buildASCIIPeople()

func buildASCIIPeople() []person {
	var ps []person
	for i, f := range firstNames {
		for j := 0; j < 3; j++ {
			l := lastNames[(i*5+j*3)%len(lastNames)]
			d := domains[(i+j)%len(domains)]
			local := strings.ToLower(f)
			if j > 0 {
				local += "." + strings.ToLower(strings.NewReplacer("'", "", " ", "").Replace(l))
			}
			ps = append(ps, person{first: f, last: l, addr: local + "@" + d,
				zone: zones[(i+j)%len(zones)]})
		}
	}
	return ps
}

// intlPeople have display names outside ASCII (for the RFC 2047 kinds);
// the first latin1Count fit in ISO-8859-1.
var intlPeople = []person{
	{"Björn", "Ågren", "bjorn.agren@example.se", zones[3]},
	{"Jürgen", "Müller", "juergen.mueller@example.de", zones[3]},
	{"François", "Lefèvre", "francois@example.fr", zones[3]},
	{"José", "Núñez", "jose.nunez@example.es", zones[3]},
	{"Zoë", "Brontë", "zoe@example.co.uk", zones[0]},
	{"Søren", "Kierkegård", "soren@example.dk", zones[3]},
	{"Małgorzata", "Wójcik", "m.wojcik@example.pl", zones[3]},
	{"Αλέξανδρος", "Παπαδόπουλος", "alex@example.gr", zones[3]},
	{"山田", "太郎", "yamada@example.jp", zones[5]},
	{"Дмитрий", "Иванов", "dmitry@example.ru", zones[3]},
}

const latin1Count = 6

// people is who takes part in message i: a sender and 1-3 recipients.
type people struct {
	from person
	to   []person
	cc   []person
}

// pickPeople chooses the people of message i. It depends on (seed, i)
// and on whether the kind wants a non-ASCII sender, nothing else, so that
// Envelope and Message agree.
func pickPeople(seed int64, i int, k Kind) people {
	r := newRNG(seed, i, streamPeople)
	var ps people
	ps.from = pick(&r, asciiPeople)
	intl, latin1 := r.intn(len(intlPeople)), r.intn(latin1Count)
	switch k {
	case EncodedUTF8:
		ps.from = intlPeople[intl]
	case EncodedLatin1:
		ps.from = intlPeople[latin1]
	}
	seen := []person{ps.from}
	ps.to = pickOthers(&r, r.between(1, 3), &seen)
	if r.chance(25) {
		ps.cc = pickOthers(&r, r.between(1, 2), &seen)
	}
	return ps
}

// pickOthers picks n people not in seen and adds them to it.
func pickOthers(r *rng, n int, seen *[]person) []person {
	out := make([]person, 0, n)
	for len(out) < n {
		p := pick(r, asciiPeople)
		if !slices.ContainsFunc(*seen, func(q person) bool { return q.addr == p.addr }) {
			out = append(out, p)
			*seen = append(*seen, p)
		}
	}
	return out
}
