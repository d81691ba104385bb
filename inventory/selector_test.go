package inventory

import (
	"strings"
	"testing"
)

func TestParseSelector(t *testing.T) {
	cases := []struct {
		in, key, pattern, err string
	}{
		{"db-*", "", "db-*", ""},
		{"kind=pdu", "kind", "pdu", ""},
		{"rack=r0*", "rack", "r0*", ""},
		{"site=lon1", "site", "lon1", ""},
		{"row=3", "", "", `unknown key "row"`},
		{"kind=", "", "", "the value is empty"},
		{"db-[", "", "", "bad glob"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			sel, err := ParseSelector(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseSelector(%q) error %v, want %q", tc.in, err, tc.err)
				}
				return
			}
			if err != nil || sel.Key != tc.key || sel.Pattern != tc.pattern {
				t.Fatalf("ParseSelector(%q) = %+v, %v", tc.in, sel, err)
			}
		})
	}
}

// TestMatchEntry: kind= names a device by its kind or "device", a power
// node by its kind or "power"; rack= and site= by placement.
func TestMatchEntry(t *testing.T) {
	inv, err := Load("../inventory.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		sel, id string
		want    bool
	}{
		{"db-*", "db-1", true},
		{"db-*", "pdu-r02-a", false},
		{"kind=device", "db-1", true},
		{"kind=power", "pdu-r02-a", true},
		{"kind=pdu", "pdu-r02-a", true},
		{"kind=pdu", "db-1", false},
		{"site=lon1", "db-1", true},
		{"site=dub1", "db-1", false},
	}
	for _, tc := range cases {
		sel, err := ParseSelector(tc.sel)
		if err != nil {
			t.Fatal(err)
		}
		if got := sel.MatchEntry(inv, tc.id); got != tc.want {
			t.Errorf("%s on %s = %v, want %v", tc.sel, tc.id, got, tc.want)
		}
	}
}
