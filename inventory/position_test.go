package inventory

import "testing"

func TestDeclaredAt(t *testing.T) {
	src := `version: 1
sites: [{id: s1}]
racks: [{id: r1, site: s1}]
power:
  - {id: pdu-a, kind: pdu, rack: r1}
devices:
  - id: sw-1
    kind: switch
    rack: r1
    psus: [{id: PSU1, pdu: pdu-a}]
  - id: srv-1
    kind: server
    rack: r1
    psus: [{id: PSU1, pdu: pdu-a}]
    storage: [{id: os, raid: raid1, drives: 2}]
links:
  - {a: "srv-1:eno1", b: "sw-1:Ethernet1"}
services:
  - {id: app, members: [srv-1]}
`
	inv, err := Parse("inv.yaml", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		id   string
		want Pos
	}{
		{"s1", Pos{Line: 2, Col: 14}},
		{"r1", Pos{Line: 3, Col: 14}},
		{"pdu-a", Pos{Line: 5, Col: 10}},
		{"sw-1", Pos{Line: 7, Col: 9}},
		{"sw-1/PSU1", Pos{Line: 10, Col: 17}},
		{"srv-1/os", Pos{Line: 15, Col: 20}},
		{"srv-1/os/1", Pos{Line: 15, Col: 20}},
		{"srv-1/PSU9", Pos{Line: 11, Col: 9}},
		{"srv-1:eno1~sw-1:Ethernet1", Pos{Line: 17, Col: 5}},
		{"sw-1:Ethernet1~srv-1:eno1", Pos{Line: 17, Col: 5}},
		{"srv-1:eno1", Pos{Line: 17, Col: 9}},
		{"srv-1:eno9", Pos{Line: 11, Col: 9}},
		{"app", Pos{Line: 19, Col: 10}},
		{"ghost", Pos{}},
		{"ghost/PSU1", Pos{}},
	}
	for _, tc := range cases {
		if got := inv.DeclaredAt(tc.id); got != tc.want {
			t.Errorf("DeclaredAt(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}
