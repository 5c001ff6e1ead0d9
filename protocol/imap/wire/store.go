package wire

import "strings"

// StoreOp is how STORE changes the flags (RFC 3501 §6.4.6).
type StoreOp int

// STORE operations: FLAGS, +FLAGS, -FLAGS.
const (
	StoreReplace StoreOp = iota
	StoreAdd
	StoreRemove
)

// Store is STORE's data item and value (RFC 3501 §9 store-att-flags).
type Store struct {
	Op     StoreOp
	Silent bool     // ".SILENT": send no untagged FETCH
	Flags  []string // system flags in canonical case; may be empty for FLAGS ()
}

var storeOps = map[string]Store{
	"FLAGS":         {Op: StoreReplace},
	"FLAGS.SILENT":  {Op: StoreReplace, Silent: true},
	"+FLAGS":        {Op: StoreAdd},
	"+FLAGS.SILENT": {Op: StoreAdd, Silent: true},
	"-FLAGS":        {Op: StoreRemove},
	"-FLAGS.SILENT": {Op: StoreRemove, Silent: true},
}

// ExpectStore reads STORE's arguments after the sequence set:
// ["+" / "-"] "FLAGS" [".SILENT"] SP (flag-list / flag *(SP flag)).
func (d *Decoder) ExpectStore(s *Store) bool {
	var name string
	if !d.keyword(&name, "store attribute") {
		return false
	}
	st, ok := storeOps[name]
	if !ok {
		return d.fail("illegal store attribute %s", quote(name))
	}
	if !d.ExpectSP() {
		return false
	}
	if c, ok := d.peek(); ok && c == '(' {
		if !d.ExpectFlagList(&st.Flags) {
			return false
		}
		*s = st
		return true
	}
	for {
		var f string
		if !d.ExpectFlag(&f) {
			return false
		}
		st.Flags = append(st.Flags, f)
		if !d.SP() {
			break
		}
	}
	if d.err != nil {
		return false
	}
	*s = st
	return true
}

// String returns the arguments as a client writes them, e.g.
// `+FLAGS.SILENT (\Deleted)`.
func (s Store) String() string {
	var b strings.Builder
	b.WriteString([...]string{"", "+", "-"}[s.Op%3])
	b.WriteString("FLAGS")
	if s.Silent {
		b.WriteString(".SILENT")
	}
	b.WriteString(" (")
	b.WriteString(strings.Join(s.Flags, " "))
	b.WriteString(")")
	return b.String()
}
