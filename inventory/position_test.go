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
		{"s1", Pos{2, 14}},
		{"r1", Pos{3, 14}},
		{"pdu-a", Pos{5, 10}},
		{"sw-1", Pos{7, 9}},
		{"sw-1/PSU1", Pos{10, 17}},
		{"srv-1/os", Pos{15, 20}},
		{"srv-1/os/1", Pos{15, 20}},
		{"srv-1/PSU9", Pos{11, 9}},
		{"srv-1:eno1~sw-1:Ethernet1", Pos{17, 5}},
		{"sw-1:Ethernet1~srv-1:eno1", Pos{17, 5}},
		{"srv-1:eno1", Pos{17, 9}},
		{"srv-1:eno9", Pos{11, 9}},
		{"app", Pos{19, 10}},
		{"ghost", Pos{}},
		{"ghost/PSU1", Pos{}},
	}
	for _, tc := range cases {
		if got := inv.DeclaredAt(tc.id); got != tc.want {
			t.Errorf("DeclaredAt(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}
