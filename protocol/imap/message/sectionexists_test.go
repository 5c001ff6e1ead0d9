package message

import (
	"testing"
)

// TestSectionExists: every part BODYSTRUCTURE lists exists, a part
// number past the parts does not, and whatever does not exist is what
// Section gives as the empty string.
func TestSectionExists(t *testing.T) {
	for _, name := range fixtures {
		srcs, ss := loadAll(t, mailbox(t, name))
		for i, s := range ss {
			parts := map[string]*Body{}
			bs := s.BodyStructure(true)
			if bs.IsMultipart() {
				partNumbers(bs, nil, parts)
			} else {
				parts["1"] = bs
				partNumbers(bs, []int{1}, parts)
			}
			var secs []Section
			for _, spec := range []string{"", "HEADER", "TEXT", "MIME", "HEADER.FIELDS"} {
				if spec != "MIME" {
					secs = append(secs, Section{Specifier: spec, Fields: []string{"Subject"}})
				}
				secs = append(secs, Section{Part: []int{99}, Specifier: spec})
				for num, b := range parts {
					p := undot(num)
					if spec == "" && !s.SectionExists(Section{Part: p}) {
						t.Errorf("%s message %d: part %s (%s) does not exist", name, i+1, num, b.Type)
					}
					secs = append(secs, Section{Part: p, Specifier: spec, Fields: []string{"Subject"}},
						Section{Part: append(append([]int{}, p...), 99), Specifier: spec})
				}
			}
			for _, sec := range secs {
				if s.SectionExists(sec) {
					continue
				}
				size, _, err := s.Section(srcs[i], sec, nil)
				if err != nil || size != 0 {
					t.Errorf("%s message %d: %+v does not exist, but Section gives %d octets, %v", name, i+1, sec, size, err)
				}
			}
			if s.SectionExists(Section{Part: []int{99}}) {
				t.Errorf("%s message %d: part 99 exists", name, i+1)
			}
		}
	}
}
