package sitebus

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/faultline/faultline/inventory"
)

const shareInventory = `version: 1
sites: [{id: east}, {id: west}]
racks: [{id: e1, site: east}, {id: e2, site: east}, {id: w1, site: west}]
power:
  - {id: grid-e, kind: utility, site: east}
  - {id: pdu-e1, kind: pdu, rack: e1, inputs: [grid-e], management: {snmp: {address: "127.0.0.1:1161", community: c}}}
  - {id: grid-w, kind: utility, site: west}
  - {id: pdu-w1, kind: pdu, rack: w1, inputs: [grid-w], management: {snmp: {address: "127.0.0.1:1162", community: c}}}
devices:
  - {id: sw-e1, kind: switch, rack: e1, psus: [{id: PSU1, pdu: pdu-e1}], management: {snmp: {address: "127.0.0.1:1163", community: c}}}
  - {id: db-e2, kind: server, rack: e2, psus: [{id: PSU1, pdu: pdu-e1}], management: {snmp: {address: "127.0.0.1:1164", community: c}}}
  - {id: db-w1, kind: server, rack: w1, psus: [{id: PSU1, pdu: pdu-w1}], management: {snmp: {address: "127.0.0.1:1165", community: c}}}
  - {id: app-w1, kind: server, rack: w1, psus: [{id: PSU1, pdu: pdu-w1}]}
`

func loadShareInventory(t *testing.T) *inventory.Inventory {
	t.Helper()
	path := filepath.Join(t.TempDir(), "inv.yaml")
	if err := os.WriteFile(path, []byte(shareInventory), 0o600); err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Load(path, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestShareTargets(t *testing.T) {
	inv := loadShareInventory(t)
	cases := []struct {
		list string
		want []string
	}{
		{"site=east", []string{"pdu-e1", "sw-e1", "db-e2"}},
		{"site=west", []string{"pdu-w1", "db-w1"}},
		{"db-*", []string{"db-e2", "db-w1"}},
		{"kind=pdu", []string{"pdu-e1", "pdu-w1"}},
		{"kind=device", []string{"sw-e1", "db-e2", "db-w1"}}, // the same language as a maintenance plan's
		{"rack=e2, sw-e1", []string{"sw-e1", "db-e2"}},
		{"rack=w*", []string{"pdu-w1", "db-w1"}},
		{"app-w1", nil}, // not managed: nothing to poll
		{"site=north", nil},
	}
	for _, tc := range cases {
		t.Run(tc.list, func(t *testing.T) {
			s, err := ParseShare(tc.list)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tg := range s.Targets(inv) {
				got = append(got, tg.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("%s selects %v, want %v", tc.list, got, tc.want)
			}
		})
	}
	var got []string
	for _, tg := range SiteShare("east").Targets(inv) {
		got = append(got, tg.ID)
	}
	if !slices.Equal(got, []string{"pdu-e1", "sw-e1", "db-e2"}) {
		t.Fatalf("SiteShare(east) = %v", got)
	}
}

func TestParseShareErrors(t *testing.T) {
	cases := []struct{ list, want string }{
		{"", "no selector"},
		{" , ", "no selector"},
		{"room=a", `selector "room=a": unknown key "room": use an id or glob`},
		{"kind=", `selector "kind=": the value is empty`},
		{"db-[", `selector "db-[": bad glob`},
	}
	for _, tc := range cases {
		_, err := ParseShare(tc.list)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseShare(%q) = %v, want %q", tc.list, err, tc.want)
		}
	}
}

// FuzzParseShare: any --devices value parses or is an error, and a
// parsed share selects from an inventory without panicking.
func FuzzParseShare(f *testing.F) {
	for _, s := range []string{"site=east", "db-*,kind=pdu", "rack=[a-", "=x", "kind=switch, rack=e*"} {
		f.Add(s)
	}
	inv, err := inventory.Parse("fuzz.yaml", []byte(shareInventory), inventory.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, list string) {
		s, err := ParseShare(list)
		if err != nil {
			return
		}
		_ = s.Targets(inv)
	})
}
