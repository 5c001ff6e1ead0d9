package wire

// ExpectCreateParams reads CREATE's optional parameter list after the
// mailbox name (RFC 4466 §2.2), of which the one known is USE (RFC
// 6154 §3): SP "(" "USE" SP "(" [use-attr *(SP use-attr)] ")" ")".
// With no parameters it reads nothing and *use stays nil; USE's
// attributes come back as sent (the engine checks them), "\" included.
func (d *Decoder) ExpectCreateParams(use *[]string) bool {
	if !d.SP() {
		return d.err == nil
	}
	if !d.expect('(', `"(" to start CREATE parameters`) {
		return false
	}
	var kw string
	if !d.keyword(&kw, "CREATE parameter") {
		return false
	}
	if kw != "USE" {
		return d.fail("unknown CREATE parameter %s", quote(kw))
	}
	var attrs []string
	if !d.ExpectSP() || !d.ExpectFlagList(&attrs) || !d.expect(')', `")" to end CREATE parameters`) {
		return false
	}
	*use = attrs
	return true
}
