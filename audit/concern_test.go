package audit

import (
	"slices"
	"testing"

	"github.com/faultline/faultline/inventory"
)

// TestConcern: a finding concerns the devices and power nodes its subject
// and causes name or are parts of, subject first, each once.
func TestConcern(t *testing.T) {
	inv, err := inventory.Load("../inventory.yaml", inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		subject string
		causes  []string
		want    []string
	}{
		{"device", "db-1", nil, []string{"db-1"}},
		{"psu of a device", "db-1/PSU2", nil, []string{"db-1"}},
		{"port of a device", "db-1:eno1", nil, []string{"db-1"}},
		{"power node part", "pdu-r02-a/outlet/3", nil, []string{"pdu-r02-a"}},
		{"service with causes", "accounts-db", []string{"db-1/PSU1", "pdu-r02-a", "lon1"}, []string{"db-1", "pdu-r02-a"}},
		{"link cause names both ends", "app-2", []string{"db-1:eno1~tor-2a:Ethernet1"}, []string{"app-2", "db-1", "tor-2a"}},
		{"each once", "db-1", []string{"db-1/PSU1", "db-1:eno2"}, []string{"db-1"}},
		{"file", "inventory.yaml", nil, nil},
		{"unknown", "nope/x", []string{"nope:y"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := []Finding{{Subject: tc.subject, Causes: tc.causes}}
			concern(inv, fs)
			if !slices.Equal(fs[0].Devices, tc.want) {
				t.Errorf("devices %q, want %q", fs[0].Devices, tc.want)
			}
		})
	}
}
