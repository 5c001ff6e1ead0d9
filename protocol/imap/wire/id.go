package wire

// Limits of RFC 2971 §3.3 on an ID parameter list.
const (
	MaxIDPairs = 30   // field-value pairs
	MaxIDField = 30   // octets in a field name
	MaxIDValue = 1024 // octets in a value
)

// IDParam is one field of an ID command (RFC 2971); Nil is a NIL value.
type IDParam struct {
	Field, Value string
	Nil          bool
}

// ExpectIDParams reads an ID parameter list (RFC 2971 §4
// id_params_list): "(" [string SP nstring *(SP string SP nstring)] ")"
// or NIL, which gives a nil slice. A list beyond the limits of §3.3 is
// a parse error.
func (d *Decoder) ExpectIDParams(params *[]IDParam) bool {
	c, ok := d.peek()
	if !ok {
		return false
	}
	if c != '(' {
		if !d.expectNIL("ID parameter list or NIL") {
			return false
		}
		*params = nil
		return true
	}
	d.advance('(')
	list := []IDParam{}
	if d.consume(')') {
		// An empty list: RFC 2971's "#" allows it, clients send NIL.
		*params = list
		return true
	}
	for {
		var p IDParam
		if !d.ExpectString(&p.Field) || !d.ExpectSP() || !d.ExpectNString(&p.Value, &p.Nil) {
			return false
		}
		switch {
		case len(p.Field) > MaxIDField:
			return d.fail("ID field name longer than %d octets", MaxIDField)
		case len(p.Value) > MaxIDValue:
			return d.fail("ID value longer than %d octets", MaxIDValue)
		case len(list) == MaxIDPairs:
			return d.fail("more than %d ID fields", MaxIDPairs)
		}
		list = append(list, p)
		if d.consume(')') {
			*params = list
			return true
		}
		if !d.ExpectSP() {
			return false
		}
	}
}
