package imap

import (
	"math/rand/v2"
	"slices"
	"testing"

	"p9mail/protocol/imap/wire"
)

// TestSortOrderUpdates checks CONTEXT=SORT's positions (RFC 5267
// §4.3.2) against a client: random messages leave and join a sorted
// result, and the REMOVEFROM and ADDTO pairs, applied one by one to the
// client's copy, must give what sorting the new result from scratch
// gives. Both readings of a position (one by one, or all against one
// order) are checked.
func TestSortOrderUpdates(t *testing.T) {
	keys := []wire.SortKey{{Name: "SUBJECT", Reverse: true}, {Name: "SIZE"}}
	rng := rand.New(rand.NewPCG(1, 2))
	subjects := []string{"a", "b", "c"}
	key := map[uint32]*sortKey{}
	for uid := uint32(1); uid <= 60; uid++ {
		key[uid] = &sortKey{subject: subjects[rng.IntN(3)], size: int64(rng.IntN(4))}
	}
	sortUIDs := func(uids []uint32) []uint32 {
		out := slices.Clone(uids)
		slices.SortFunc(out, func(a, b uint32) int {
			return compareSorted(keys, sorted{uid: a, k: key[a]}, sorted{uid: b, k: key[b]})
		})
		return out
	}
	for round := range 200 {
		in := map[uint32]bool{}
		var start []uint32
		for uid := uint32(1); uid <= 60; uid++ {
			if rng.IntN(2) == 0 {
				in[uid] = true
				start = append(start, uid)
			}
		}
		start = sortUIDs(start)
		o := &sortOrder{keys: keys}
		for _, uid := range start {
			o.list = append(o.list, sorted{uid: uid, k: key[uid]})
		}
		client := slices.Clone(start)
		num := map[uint32]uint32{}
		var joins []joining
		for uid := uint32(1); uid <= 60; uid++ {
			switch {
			case in[uid] && rng.IntN(4) == 0:
				num[uid] = uid
				delete(in, uid)
			case !in[uid] && rng.IntN(4) == 0:
				joins = append(joins, joining{sorted{uid: uid, k: key[uid]}, uid})
				in[uid] = true
			}
		}
		// REMOVEFROM: each pair names its run where it stands.
		before := slices.Clone(client)
		for _, r := range o.remove(num) {
			if got := client[r.pos-1 : r.pos-1+len(r.nums)]; !slices.Equal(got, r.nums) {
				t.Fatalf("round %d: REMOVEFROM (%d %v) but the client has %v there", round, r.pos, r.nums, got)
			}
			if got := before[r.pos-1 : r.pos-1+len(r.nums)]; !slices.Equal(got, r.nums) {
				t.Fatalf("round %d: REMOVEFROM (%d %v) but the old order has %v there", round, r.pos, r.nums, got)
			}
			client = slices.Delete(client, r.pos-1, r.pos-1+len(r.nums))
		}
		runs := o.merge(joins)
		for _, r := range runs {
			client = slices.Insert(client, r.pos-1, r.nums...)
		}
		var want []uint32
		for uid := range in {
			want = append(want, uid)
		}
		want = sortUIDs(want)
		if !slices.Equal(client, want) {
			t.Fatalf("round %d: client has %v, want %v", round, client, want)
		}
		var kept []uint32
		for _, e := range o.list {
			kept = append(kept, e.uid)
		}
		if !slices.Equal(kept, want) {
			t.Fatalf("round %d: server keeps %v, want %v", round, kept, want)
		}
		// ADDTO read against the final order: each run is where it says.
		for _, r := range runs {
			if got := want[r.pos-1 : r.pos-1+len(r.nums)]; !slices.Equal(got, r.nums) {
				t.Fatalf("round %d: ADDTO (%d %v) but the new order has %v there", round, r.pos, r.nums, got)
			}
		}
	}
}
