package audit

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/observation"
)

// A dual-inlet PDU: pdu-x takes feed-a and feed-b, each behind its own UPS;
// both web servers hang on pdu-x alone, so by design no single feed is a
// single point of failure for web.
const inletInv = `version: 1
sites: [{id: s1}]
racks: [{id: r1, site: s1}]
power:
  - {id: ups-a, kind: ups, site: s1}
  - {id: ups-b, kind: ups, site: s1}
  - {id: feed-a, kind: feed, site: s1, inputs: [ups-a]}
  - {id: feed-b, kind: feed, site: s1, inputs: [ups-b]}
  - {id: pdu-x, kind: pdu, rack: r1, inputs: [feed-a, feed-b], capacity_w: 4000,
     management: {snmp: {address: 127.0.0.1, community: "${env:C}"}}}
devices:
  - {id: web-1, kind: server, rack: r1, draw_w: 500, psus: [{id: PSU1, pdu: pdu-x}]}
  - {id: web-2, kind: server, rack: r1, draw_w: 500, psus: [{id: PSU1, pdu: pdu-x}]}
services:
  - {id: web, members: [web-1, web-2], min_up: 1}
`

// TestInletLost: an inlet of a dual-inlet PDU that reads no voltage takes
// that input away from the PDU in the observed view: the surviving feed
// (and what is behind it) becomes web's single point of failure, named
// nearest first, with the lost inlet as what spent the redundancy; a
// what-if failing the surviving feed takes web down; the load flows
// through the surviving input; all of it clears when the inlet reads
// voltage again. Inputs are matched to declared inputs by name, else by
// position.
func TestInletLost(t *testing.T) {
	inv, err := inventory.Parse("inlet.yaml", []byte(inletInv), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	volts := func(v float64) *float64 { return &v }
	pdu := func(ins ...observation.PowerInput) observation.Device {
		return observation.Device{ID: "pdu-x", Source: observation.SourceSNMP, AttemptedAt: at, CollectedAt: at, Inputs: ins}
	}
	const lostID = "redundancy-lost/web/feed-b"
	cases := []struct {
		name string
		ins  []observation.PowerInput
		lost bool // the feed-a inlet is lost
	}{
		{"by position", []observation.PowerInput{{Name: "I1", Voltage: volts(0)}, {Name: "I2", Voltage: volts(230)}}, true},
		{"by name", []observation.PowerInput{{Name: "feed-b", Voltage: volts(231)}, {Name: "FEED-A", Voltage: volts(2)}}, true},
		{"back", []observation.PowerInput{{Name: "I1", Voltage: volts(229)}, {Name: "I2", Voltage: volts(230)}}, false},
		// Three phases of one inlet say nothing about which feed is lost.
		{"phases", []observation.PowerInput{{Name: "L1", Voltage: volts(0)}, {Name: "L2", Voltage: volts(230)}, {Name: "L3", Voltage: volts(230)}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := model.Observe(inv, []observation.Device{pdu(c.ins...)})
			g, err := model.Build(inv, &o.Overlay)
			if err != nil {
				t.Fatal(err)
			}
			inlet := g.Lookup(model.InletID("pdu-x", "feed-a"))
			if inlet < 0 || g.Kinds[inlet] != model.KindInlet {
				t.Fatalf("no inlet component pdu-x/inlet/feed-a (got %d)", inlet)
			}
			if g.Failed[inlet] != c.lost {
				t.Fatalf("inlet failed %v, want %v (overlay %v)", g.Failed[inlet], c.lost, o.Overlay.Failed)
			}
			a := Analyze(g, Options{})
			var lost *Finding
			for _, f := range a.Findings() {
				if f.Rule == "spof" || f.Rule == "double-fault" {
					for _, cause := range f.Causes {
						if strings.Contains(cause, "/inlet/") {
							t.Errorf("%s names an inlet, which never fails by design: %v", f.ID, f.Causes)
						}
					}
				}
				if f.ID == lostID {
					lost = &f
				}
			}
			if !c.lost {
				if lost != nil {
					t.Fatalf("%s with no inlet lost: %s", lostID, lost.Message)
				}
				return
			}
			if lost == nil {
				t.Fatalf("no %s; findings: %v", lostID, ids2(a.Findings()))
			}
			if want := []string{"feed-b", "ups-b"}; !slices.Equal(lost.Causes, want) {
				t.Errorf("causes %v, want %v (nearest first)", lost.Causes, want)
			}
			if !strings.Contains(lost.Message, "pdu-x/inlet/feed-a") {
				t.Errorf("message %q does not name the lost inlet", lost.Message)
			}
			// The load of both servers flows through feed-b alone.
			p := func(id string) int32 { return g.Power[g.Entities[g.Lookup(id)]].Comp }
			load := func(id string) float64 { return a.Power.Load[g.Entities[p(id)]] }
			if load("feed-a") != 0 || load("feed-b") != 1000 || load("ups-b") != 1000 {
				t.Errorf("load feed-a %v feed-b %v ups-b %v, want 0, 1000, 1000", load("feed-a"), load("feed-b"), load("ups-b"))
			}
			w, err := RunWhatIf(g, a, []string{"feed-b"})
			if err != nil {
				t.Fatal(err)
			}
			down := false
			for _, im := range w.Down {
				if im.ID == "web" {
					down = true
				}
			}
			if !down {
				t.Errorf("what-if feed-b: web not down (%+v)", w.Down)
			}
		})
	}
}

func ids2(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
}
