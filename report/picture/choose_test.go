package picture

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/fleet"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
)

// TestSummary: above MaxDevices the picture draws every device a critical
// finding names, a bounded number named by warnings, and the rest as counts.
func TestSummary(t *testing.T) {
	g, r := load(t, writeFleet(t, fleet.Spec{Seed: 7, Sites: 2, RacksPerSite: 10, ServersPerRack: 16, Flaws: 0.05}))
	p := New(g, r, Options{MaxDevices: 100})
	if !p.Summarized() || len(p.Notes()) == 0 {
		t.Fatal("a fleet above MaxDevices is drawn in full, or without a note")
	}
	critical, drawn, roots := map[int32]bool{}, 0, 0
	for _, f := range r.Findings {
		if f.Severity != audit.Critical {
			continue
		}
		for _, id := range f.Causes {
			c := g.Lookup(id)
			if c < 0 {
				continue
			}
			if d := g.DeviceOf(c); d >= 0 {
				critical[d] = true
			}
			if es := p.elements(c); len(es) == 0 || !strings.HasSuffix(es[0], escapeID(g.ID(p.owner(c)))) {
				t.Errorf("critical cause %s stands as %v, want its own element", id, es)
			}
		}
	}
	for d := range g.Devices {
		if p.sel.dev[d] {
			drawn++
			if g.Devices[d].Root {
				roots++
			}
		}
	}
	if drawn > len(critical)+warnBudget+roots {
		t.Errorf("%d devices drawn: more than the %d critical ones, %d roots and %d for warnings", drawn, len(critical), roots, warnBudget)
	}
	hidden := 0
	for s := range g.Sites {
		hidden += p.sel.hiddenDevs[s]
	}
	for rk := range g.Racks {
		hidden += p.sel.more[rk]
	}
	if drawn+hidden != len(g.Devices) {
		t.Errorf("%d devices drawn and %d counted, want %d in all", drawn, hidden, len(g.Devices))
	}
	checkPanel(t, "power", p.power)
	checkPanel(t, "network", p.network)
}

// TestObservedState: what the collectors saw failed is drawn failed, a
// device not collected is drawn unknown, and a failed cause keeps its mark.
func TestObservedState(t *testing.T) {
	inv, err := inventory.Load("../../inventory.yaml", inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := model.Build(inv, &model.Overlay{
		Failed:  map[string]model.Failure{"db-1/PSU2": {Why: "PSU reports Critical"}, "tor-3b": {Why: "no answer"}, "db-2:eno1": {Why: "link down"}},
		Unknown: map[string]bool{"web-1": true},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, fs := audit.Audit(g, audit.Options{})
	p := New(g, audit.NewReport(time.Time{}, fs), Options{})
	class := map[string]string{}
	for _, n := range append(p.power.Nodes, p.network.Nodes...) {
		class[n.ID] = n.Class
	}
	for _, d := range p.power.Dots {
		class[d.ID] = d.Class
	}
	for _, l := range p.network.Links {
		class[l.ID] = l.Class
	}
	for id, want := range map[string]string{
		"c-db-1/PSU2":                  "failed",
		"c-tor-3b":                     "failed",
		"n-tor-3b":                     "failed",
		"c-db-2:eno1~tor-2a:Ethernet2": "failed",
		"c-web-1":                      "unknown",
		"n-web-1":                      "unknown",
		"c-tor-3a":                     "crit", // now the only way up for web, app and mail
	} {
		if !strings.Contains(" "+class[id]+" ", " "+want+" ") {
			t.Errorf("%s has classes %q, want %s", id, class[id], want)
		}
	}
	for _, n := range p.power.Nodes {
		if n.ID == "c-tor-3b" && !strings.Contains(n.Title, "no answer") {
			t.Errorf("the tooltip of a failed device does not say why: %q", n.Title)
		}
	}
}
