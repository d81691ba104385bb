package inventory

import (
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"8h", 8 * time.Hour, true},
		{"30m", 30 * time.Minute, true},
		{"2h30m", 150 * time.Minute, true},
		{"3d", 72 * time.Hour, true},
		{"1.5d", 36 * time.Hour, true},
		{"1d12h", 36 * time.Hour, true},
		{"0s", 0, true},
		{"0d", 0, true},
		{"", 0, false},
		{"8", 0, false},
		{"-8h", 0, false},
		{"1d-2h", 0, false},
		{"-1d", 0, false},
		{"1e3d", 0, false},
		{"d", 0, false},
		{"1dd", 0, false},
		{"8 hours", 0, false},
		{"1w", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseDuration(tt.in)
		if ok != tt.ok || time.Duration(got) != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, %v", tt.in, time.Duration(got), ok, tt.want, tt.ok)
		}
	}
}

// FuzzParseDuration: a repair time never panics, is never negative, and
// without days reads exactly as Go reads it.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"8h", "3d", "1.5d", "1d12h", "2h30m", "-1d", "1e3d", "1d-2h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseDuration(s)
		if !ok {
			return
		}
		if d < 0 {
			t.Fatalf("ParseDuration(%q) = %v, negative", s, time.Duration(d))
		}
		if !strings.Contains(s, "d") {
			if g, err := time.ParseDuration(s); err != nil || Duration(g) != d {
				t.Fatalf("ParseDuration(%q) = %v; Go reads %v, %v", s, time.Duration(d), g, err)
			}
		}
	})
}

const reliabilityInventory = `version: 1
sites: [{id: lon1}]
racks: [{id: r01, site: lon1}]
power:
  - {id: feed-a, kind: feed, site: lon1}
  - {id: pdu-a, kind: pdu, rack: r01, inputs: [feed-a]}
devices:
  - id: db-1
    kind: server
    rack: r01
    psus: [{id: PSU1, pdu: pdu-a}]
    storage: [{id: data, raid: raid1, drives: 2}]
  - {id: tor-1, kind: switch, rack: r01, psus: [{id: PSU1, pdu: pdu-a}]}
links:
  - {a: "db-1:eno1", b: "tor-1:e1"}
  - {a: "db-1:eno2", b: "tor-1:e2", cable: bnd-1}
  - {a: "db-1:eno3", b: "tor-1:e3", cable: bnd-1}
services:
  - {id: db, members: [db-1]}
reliability:
  defaults:
    psu: {afr: 0.02, repair: 8h}
    switch: {repair: 1d12h}
    cable: {afr: 0.005}
  components:
    db-1: {afr: 0.1, repair: 48h}
    db-1/PSU1: {repair: 30m}
    db-1/data/1: {afr: 0.05}
    db-1:eno1~tor-1:e1: {afr: 0}
    pdu-a: {}
    bnd-1: {repair: 2h}
`

func TestReliabilitySection(t *testing.T) {
	inv, err := Parse("r.yaml", []byte(reliabilityInventory), Options{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Warnings) != 0 {
		t.Fatalf("warnings: %v", inv.Warnings)
	}
	rel := &inv.Reliability
	byID := map[string]*Rate{}
	for i := range rel.Components {
		byID[rel.Components[i].ID] = &rel.Components[i]
	}
	tests := []struct {
		kind, id string
		want     Figure
	}{
		{"psu", "", Figure{AFR: 0.02, Repair: 8 * time.Hour}},
		{"switch", "", Figure{AFR: BuiltinRates["switch"].AFR, Repair: 36 * time.Hour}},
		{"server", "db-1", Figure{AFR: 0.1, Repair: 48 * time.Hour}},
		{"psu", "db-1/PSU1", Figure{AFR: 0.02, Repair: 30 * time.Minute}},
		{"drive", "db-1/data/1", Figure{AFR: 0.05, Repair: BuiltinRates["drive"].Repair}},
		{"link", "db-1:eno1~tor-1:e1", Figure{AFR: 0, Repair: BuiltinRates["link"].Repair}},
		{"pdu", "pdu-a", BuiltinRates["pdu"]},
		{"feed", "feed-a", BuiltinRates["feed"]},
		{"cable", "", Figure{AFR: 0.005, Repair: BuiltinRates["cable"].Repair}},
		{"cable", "bnd-1", Figure{AFR: 0.005, Repair: 2 * time.Hour}},
	}
	for _, tt := range tests {
		r := byID[tt.id]
		if tt.id != "" && tt.id != "feed-a" && r == nil {
			t.Fatalf("component %s not read", tt.id)
		}
		if got := rel.Figure(tt.kind, r); got != tt.want {
			t.Errorf("%s %q: figure %+v, want %+v", tt.kind, tt.id, got, tt.want)
		}
	}
	if p := byID["db-1/PSU1"].IDPos; p.Line != 27 || p.Col != 5 {
		t.Errorf("db-1/PSU1 at %d:%d, want 27:5", p.Line, p.Col)
	}
}

// TestBuiltinRates: every kind has a built-in figure, well under a year
// down.
func TestBuiltinRates(t *testing.T) {
	for _, k := range RateKinds {
		f, ok := BuiltinRates[k]
		if !ok {
			t.Errorf("kind %s has no built-in figure", k)
			continue
		}
		if q := f.Unavailability(); q <= 0 || q > 1e-2 {
			t.Errorf("kind %s: unavailability %g out of (0, 0.01]", k, q)
		}
	}
	if len(BuiltinRates) != len(RateKinds) {
		t.Errorf("%d built-in figures for %d kinds", len(BuiltinRates), len(RateKinds))
	}
}
