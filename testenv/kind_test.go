package testenv

import "testing"

func TestKindString(t *testing.T) {
	tests := []struct {
		k    Kind
		want string
	}{
		{Plain, "Plain"},
		{NestedRFC822, "NestedRFC822"},
		{NulByte, "NulByte"},
		{NumKinds, "Kind(12)"},
		{-1, "Kind(-1)"},
	}
	for _, tt := range tests {
		if got := tt.k.String(); got != tt.want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(tt.k), got, tt.want)
		}
	}
}

// TestKindOfCoversAll: any mailbox of NumKinds messages holds every kind.
func TestKindOfCoversAll(t *testing.T) {
	for seed := int64(-5); seed < 60; seed++ {
		var seen [NumKinds]bool
		for i := 0; i < int(NumKinds); i++ {
			k := KindOf(seed, i)
			if k < 0 || k >= NumKinds || seen[k] {
				t.Fatalf("seed %d: message %d has kind %v, seen before or out of range", seed, i, k)
			}
			seen[k] = true
		}
	}
}

// TestKindOfMix: the kinds of a large mailbox follow kindWeights.
func TestKindOfMix(t *testing.T) {
	const n = 20000
	var count [NumKinds]int
	for i := 0; i < n; i++ {
		count[KindOf(7, i)]++
	}
	for k, c := range count {
		want := kindWeights[k] * n / 100
		if c < want*8/10-20 || c > want*12/10+20 {
			t.Errorf("%v: %d of %d, want about %d", Kind(k), c, n, want)
		}
	}
}

// TestKindOfGolden pins the kinds of seed 1's first messages, so a change
// to the mix (which other packages' tests may depend on) is deliberate.
func TestKindOfGolden(t *testing.T) {
	want := []Kind{FromInBody, Plain, EightBit, Base64Text, NestedRFC822,
		EncodedUTF8, Alternative, EncodedLatin1, QuotedPrintable, NulByte,
		Attachment, NoDateFromLine, Plain, NulByte, Plain, Plain}
	for i, k := range want {
		if got := KindOf(1, i); got != k {
			t.Errorf("KindOf(1, %d) = %v, want %v", i, got, k)
		}
	}
	if k := KindOf(1, -3); k < 0 || k >= NumKinds {
		t.Errorf("KindOf(1, -3) = %v", k)
	}
}
