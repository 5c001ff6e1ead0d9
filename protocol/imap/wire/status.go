package wire

// StatusItem is a STATUS data item (RFC 3501 §6.3.10).
type StatusItem string

// STATUS data items.
const (
	StatusMessages    StatusItem = "MESSAGES"
	StatusRecent      StatusItem = "RECENT"
	StatusUIDNext     StatusItem = "UIDNEXT"
	StatusUIDValidity StatusItem = "UIDVALIDITY"
	StatusUnseen      StatusItem = "UNSEEN"
)

var statusItems = map[string]StatusItem{
	"MESSAGES": StatusMessages, "RECENT": StatusRecent, "UIDNEXT": StatusUIDNext,
	"UIDVALIDITY": StatusUIDValidity, "UNSEEN": StatusUnseen,
}

// ExpectStatusItems reads "(" status-att *(SP status-att) ")" (RFC 3501
// §9 status), items case-insensitive, in the order sent.
func (d *Decoder) ExpectStatusItems(items *[]StatusItem) bool {
	if !d.expect('(', `"(" to start status items`) {
		return false
	}
	var list []StatusItem
	for {
		var name string
		if !d.keyword(&name, "status item") {
			return false
		}
		it, ok := statusItems[name]
		if !ok {
			return d.fail("illegal status item %s", quote(name))
		}
		list = append(list, it)
		if d.consume(')') {
			*items = list
			return true
		}
		if !d.ExpectSP() {
			return false
		}
	}
}
