package imp

import "testing"

func TestFlagsString(t *testing.T) {
	for _, tc := range []struct {
		f    Flags
		want string
	}{
		{0, "--------"},
		{Seen, "s-------"},
		{Answered, "-a------"},
		{Flagged, "--f-----"},
		{Deleted, "---D----"},
		{Draft, "----d---"},
		{Recent, "-----r--"},
		{System, "safDd---"},
		{System | Recent, "safDdr--"},
		{Seen | Deleted | Recent | 0xc0, "s--D-r--"}, // unnamed bits are not shown
	} {
		if got := tc.f.String(); got != tc.want {
			t.Errorf("Flags(%#x).String() = %q, want %q", uint8(tc.f), got, tc.want)
		}
	}
}

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Flags
		ok   bool
	}{
		{"--------", 0, true},
		{"safDdr--", System | Recent, true},
		{"s-f-----", Seen | Flagged, true},
		{"---D-r--", Deleted | Recent, true},
		{"S-------", 0, false}, // case matters
		{"-s------", 0, false}, // letter in another flag's place
		{"d-------", 0, false},
		{"------r-", 0, false}, // positions 7 and 8 are always '-'
		{"-------x", 0, false},
		{"safDdr-", 0, false}, // 7 characters
		{"safDdr---", 0, false},
		{"", 0, false},
		{"s- -----", 0, false},
	} {
		got, err := ParseFlags(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseFlags(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// Every combination of the six flags survives String and ParseFlags.
func TestFlagsRoundTrip(t *testing.T) {
	for f := Flags(0); f <= System|Recent; f++ {
		got, err := ParseFlags(f.String())
		if err != nil || got != f {
			t.Errorf("ParseFlags(%q) = %v, %v; want %v", f.String(), got, err, f)
		}
	}
}
