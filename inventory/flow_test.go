package inventory

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/faultline/faultline/fleet"
	"github.com/google/go-cmp/cmp"
)

// sameNodes fails t when the fast path accepts text but builds other nodes
// than yaml.v3 does; it reports whether the fast path accepted it.
func sameNodes(t testing.TB, text []byte, off, indent int) bool {
	t.Helper()
	got, ok := parseFlowItems(text, off, indent)
	if !ok {
		return false
	}
	want, err := parsePiece(text, off)
	if err != nil {
		t.Fatalf("the fast path read what yaml.v3 refuses (%v):\n%s", err, text)
	}
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("nodes differ (-yaml.v3 +fast path) for:\n%s\n%s", text, cmp.Diff(want, got))
	}
	return true
}

// TestFlowItemsAreYAMLs: for every list piece of the corpus and of
// generated inventories, the fast path either says no or builds yaml.v3's
// nodes exactly.
func TestFlowItemsAreYAMLs(t *testing.T) {
	files := corpus(t)
	files["generated"] = generated(t, fleet.Spec{Seed: 3, Sites: 2, RacksPerSite: 6, ServersPerRack: 8}.Defaults())
	accepted := 0
	for _, data := range files {
		for _, size := range []int{64, 4096} {
			secs, ok := presplit(data, size)
			if !ok {
				continue
			}
			for _, s := range secs {
				if !s.list {
					continue
				}
				for _, p := range s.pieces {
					if sameNodes(t, data[p.start:p.end], p.line-1, s.indent) {
						accepted++
					}
				}
			}
		}
	}
	if accepted == 0 {
		t.Fatal("the fast path read no piece of the corpus")
	}
}

// TestFlowItems: what the fast path reads and what it leaves to yaml.v3.
func TestFlowItems(t *testing.T) {
	tests := []struct {
		text string
		fast bool
	}{
		{"  - {id: a, name: Site 0}\n", true},
		{"  - {id: a, n: 7, on: true, x: null, y: False}\n", true},
		{"  - {a: \"s0:p\", b: 'x y'}\n", true},
		{"  - {id: d, psus: [{id: PSU1, pdu: p, outlet: 4}, {id: PSU2}], tags: [], m: {}}\n", true},
		{"- {id: a}\n- {id: b}", true},
		{"  - {id: a}\n\n  - {id: b}\n", false},                         // a blank line
		{"  - {id: a} # note\n", false},                                 // a comment
		{"  - {id: &x a}\n", false},                                     // an anchor
		{"  - {id: a, n: 07}\n", false},                                 // a leading zero
		{"  - {id: a, n: 1.5}\n", false},                                // a float
		{"  - {id: a, d: 2024-01-01}\n", false},                         // a date
		{"  - {id: a,}\n", false},                                       // a trailing comma
		{"  - {id:  a}\n", false},                                       // two spaces
		{"  - {id: \"a\\tb\"}\n", false},                                // an escape
		{"  - {id: 'it''s'}\n", false},                                  // a quote in quotes
		{"  - {id: é}\n", false},                                        // not ASCII
		{"  - id: a\n", false},                                          // a block mapping
		{"   - {id: a}\n", false},                                       // out of line
		{"  - {a: {b: {c: {d: {e: {f: {g: {h: {i: 1}}}}}}}}}\n", false}, // too deep
	}
	for i, tt := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			indent := 2
			if tt.text[0] == '-' {
				indent = 0
			}
			if got := sameNodes(t, []byte(tt.text), 10, indent); got != tt.fast {
				t.Fatalf("fast path %v, want %v", got, tt.fast)
			}
		})
	}
}

// FuzzFlowItems: whatever the fast path reads, it reads as yaml.v3 does.
func FuzzFlowItems(f *testing.F) {
	for _, s := range []string{
		"  - {id: s0-r0-srv1, kind: server, rack: s0-r0, draw_w: 290, psus: [{id: PSU1, pdu: s0-r0-pdu-a, outlet: 3}]}\n",
		"  - {a: \"s0-spine-1:peer\", b: \"s0-spine-2:peer\"}\n",
		"  - {id: svc1, members: [a, b, c], requires: [svc0], tolerate: 2}\n",
		"- {x: [1, [2, 3], {y: z}], w: 'q'}\n- {id: b}",
	} {
		f.Add([]byte(s), uint8(2))
	}
	f.Fuzz(func(t *testing.T, text []byte, indent uint8) {
		sameNodes(t, text, 3, int(indent%8))
	})
}
