package redfishsim

import "testing"

func TestParseExpand(t *testing.T) {
	tests := []struct {
		in     string
		mode   byte
		levels int
		err    bool
	}{
		{".", '.', 1, false},
		{"*", '*', 1, false},
		{"~", '~', 1, false},
		{".($levels=3)", '.', 3, false},
		{"*($levels=9)", '*', 6, false}, // capped at the service's MaxLevels
		{".($levels=0)", 0, 0, true},
		{".($levels=x)", 0, 0, true},
		{"Thermal", 0, 0, true},
		{".(levels=2)", 0, 0, true},
		{"", 0, 0, true},
	}
	for _, tc := range tests {
		got, err := parseExpand(tc.in, 6)
		if (err != nil) != tc.err || !tc.err && (got.mode != tc.mode || got.levels != tc.levels) {
			t.Errorf("parseExpand(%q) = %+v, %v", tc.in, got, err)
		}
	}
}

func FuzzParseExpand(f *testing.F) {
	for _, s := range []string{".", "*($levels=2)", "~($levels=1)", ".($levels=", "($levels=3)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := parseExpand(s, 6)
		if err == nil && (spec.levels < 1 || spec.levels > 6) {
			t.Fatalf("parseExpand(%q) levels %d", s, spec.levels)
		}
		canonical(s)
		selectProps(map[string]any{"A": 1, "@odata.id": "/x"}, s)
	})
}
