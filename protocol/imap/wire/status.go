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
	// StatusSize is the mailbox's octets, its messages' RFC822.SIZEs
	// summed (RFC 8438).
	StatusSize StatusItem = "SIZE"
	// StatusAppendLimit is the largest message APPEND takes into the
	// mailbox (RFC 7889 §3.2).
	StatusAppendLimit StatusItem = "APPENDLIMIT"
)

var statusItems = map[string]StatusItem{
	"MESSAGES": StatusMessages, "RECENT": StatusRecent, "UIDNEXT": StatusUIDNext,
	"UIDVALIDITY": StatusUIDValidity, "UNSEEN": StatusUnseen,
	"SIZE": StatusSize, "APPENDLIMIT": StatusAppendLimit,
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
