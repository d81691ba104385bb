package picture

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/fleet"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
)

func load(t *testing.T, path string) (*model.Graph, *audit.Report) {
	t.Helper()
	inv, err := inventory.Load(path, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := model.Build(inv, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, fs := audit.Audit(g, audit.Options{})
	return g, audit.NewReport(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC), fs)
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeFleet(t *testing.T, spec fleet.Spec) string {
	t.Helper()
	var b bytes.Buffer
	if err := fleet.Write(&b, spec); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "fleet.yaml", b.String())
}

// inventories are the inventories the layout tests draw.
func inventories(t *testing.T) []string {
	paths, _ := filepath.Glob("../testdata/cases/*.yaml")
	return append(paths, "../../inventory.yaml",
		writeFleet(t, fleet.Spec{Seed: 3, Sites: 2, RacksPerSite: 8, ServersPerRack: 10}))
}

type rect struct{ x, y, w, h int }

func (a rect) overlaps(b rect) bool {
	return a.x < b.x+b.w && b.x < a.x+a.w && a.y < b.y+b.h && b.y < a.y+a.h
}

func (a rect) contains(b rect) bool {
	return a.x <= b.x && a.y <= b.y && b.x+b.w <= a.x+a.w && b.y+b.h <= a.y+a.h
}

func (a rect) String() string { return fmt.Sprintf("(%d,%d %dx%d)", a.x, a.y, a.w, a.h) }

// checkPanel checks what every panel must hold to: shapes inside it, and
// boxes that do not overlap.
func checkPanel(t *testing.T, name string, pn *panel) map[string]rect {
	t.Helper()
	bounds := rect{0, 0, pn.W, pn.H}
	boxes := map[string]rect{}
	for _, f := range append(append([]frame(nil), pn.Sites...), pn.Frames...) {
		r := rect{f.X, f.Y, f.W, f.H}
		if !bounds.contains(r) {
			t.Errorf("%s: frame %s %v is outside the picture %v", name, f.ID, r, bounds)
		}
		boxes[f.ID] = r
	}
	for i, a := range pn.Nodes {
		ra := rect{a.X, a.Y, a.W, a.H}
		if !bounds.contains(ra) {
			t.Errorf("%s: %s %v is outside the picture %v", name, a.ID, ra, bounds)
		}
		if _, dup := boxes[a.ID]; dup {
			t.Errorf("%s: %s is drawn twice", name, a.ID)
		}
		boxes[a.ID] = ra
		for _, b := range pn.Nodes[i+1:] {
			if rb := (rect{b.X, b.Y, b.W, b.H}); ra.overlaps(rb) {
				t.Errorf("%s: %s %v overlaps %s %v", name, a.ID, ra, b.ID, rb)
			}
		}
	}
	return boxes
}

func TestPowerLayout(t *testing.T) {
	for _, path := range inventories(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			g, r := load(t, path)
			p := New(g, r, Options{})
			boxes := checkPanel(t, "power", p.power)
			for d := range g.Devices {
				dev := &g.Devices[d]
				box, ok := boxes[ComponentID(dev.ID)]
				if !ok {
					t.Errorf("device %s is not drawn", dev.ID)
					continue
				}
				if rack := boxes[ComponentID(g.Racks[dev.Rack].ID)]; !rack.contains(box) {
					t.Errorf("device %s %v is outside its rack %v", dev.ID, box, rack)
				}
			}
			for i := range g.Power {
				if _, ok := boxes[ComponentID(g.Power[i].ID)]; !ok {
					t.Errorf("power node %s is not drawn", g.Power[i].ID)
				}
			}
			for _, rk := range g.Racks {
				site := g.Sites[rk.Site].ID
				if !boxes[ComponentID(site)].contains(boxes[ComponentID(rk.ID)]) {
					t.Errorf("rack %s is outside its site %s", rk.ID, site)
				}
			}
			if n := len(p.power.Dots); n != len(g.PSUs) {
				t.Errorf("%d PSUs drawn, want %d", n, len(g.PSUs))
			}
			for _, dt := range p.power.Dots {
				psu := g.PSUs[g.Entities[g.Lookup(strings.TrimPrefix(dt.ID, "c-"))]]
				dev := boxes[ComponentID(g.Devices[psu.Device].ID)]
				cx, cy := dt.X+dt.W/2, dt.Y+dt.H/2
				if (cx != dev.x && cx != dev.x+dev.w) || cy < dev.y || cy > dev.y+dev.h {
					t.Errorf("PSU %s at (%d,%d) is not on an edge of its device %v", psu.ID, cx, cy, dev)
				}
			}
		})
	}
}

// TestPowerTopDown: every power edge runs down, from sources through
// transfer switches, UPSes and feeds to the PDUs.
func TestPowerTopDown(t *testing.T) {
	g, r := load(t, "../../inventory.yaml")
	p := New(g, r, Options{})
	top := map[string]int{}
	for _, n := range p.power.Nodes {
		top[strings.TrimPrefix(n.ID, "c-")] = n.Y
	}
	for i := range g.Power {
		for _, in := range g.Power[i].Inputs {
			a, b := g.Power[in].ID, g.Power[i].ID
			if top[a] >= top[b] {
				t.Errorf("%s (y %d) feeds %s (y %d): want it above", a, top[a], b, top[b])
			}
		}
	}
	if len(p.power.Edges) == 0 {
		t.Error("no power edges drawn")
	}
	for _, e := range p.power.Edges {
		if _, y1, _, y2 := ends(t, e.D); y1 >= y2 {
			t.Errorf("edge %q runs up", e.D)
		}
	}
}

// TestWideSiteWraps: a site with many racks wraps them into rows within
// the picture's width; PDUs below the first row name their feeds instead
// of drawing edges behind the racks above.
func TestWideSiteWraps(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\nsites: [{id: s1}]\nracks:\n")
	for i := 0; i < 16; i++ {
		fmt.Fprintf(&b, "  - {id: r%d, site: s1}\n", i)
	}
	b.WriteString("power:\n  - {id: grid, kind: utility, site: s1}\n  - {id: feed-a, kind: feed, site: s1, inputs: [grid]}\n")
	for i := 0; i < 16; i++ {
		fmt.Fprintf(&b, "  - {id: pdu-%d, kind: pdu, rack: r%d, inputs: [feed-a]}\n", i, i)
	}
	b.WriteString("devices:\n")
	for i := 0; i < 16; i++ {
		fmt.Fprintf(&b, "  - {id: srv-%d, kind: server, rack: r%d, psus: [{id: PSU1, pdu: pdu-%d}]}\n", i, i, i)
	}
	g, r := load(t, writeFile(t, "wide.yaml", b.String()))
	p := New(g, r, Options{})
	checkPanel(t, "power", p.power)
	if p.power.W > maxPanelW+2*margin {
		t.Errorf("the picture is %d px wide, more than %d", p.power.W, maxPanelW+2*margin)
	}
	rows := map[int]bool{}
	for _, f := range p.power.Frames {
		rows[f.Y] = true
	}
	if len(rows) < 2 {
		t.Fatalf("16 racks in %d row(s)", len(rows))
	}
	labels := 0
	for _, l := range p.power.Labels {
		if l.Class == "from" && strings.Contains(l.Text, "feed-a") {
			labels++
		}
	}
	if edges := len(p.power.Edges); edges+labels != 17 || labels == 0 {
		t.Errorf("%d edges and %d input labels, want 17 in all (grid to feed-a, feed-a to 16 PDUs), some labels", edges, labels)
	}
}

// TestPowerSites: a power node naming neither site nor rack is drawn in
// the site of what it feeds.
func TestPowerSites(t *testing.T) {
	g, r := load(t, writeFile(t, "sites.yaml", `version: 1
sites: [{id: lon1}, {id: dub1}]
racks: [{id: r1, site: lon1}, {id: d1, site: dub1}]
power:
  - {id: grid, kind: utility, site: dub1}
  - {id: ats-1, kind: ats, inputs: [grid]}
  - {id: pdu-x, kind: pdu, inputs: [ats-1]}
devices:
  - {id: a, kind: server, rack: d1, psus: [{id: PSU1, pdu: pdu-x}]}
  - {id: b, kind: server, rack: r1}
`))
	sites := powerSites(g)
	for i := range g.Power {
		if got := g.Sites[sites[i]].ID; got != "dub1" {
			t.Errorf("%s is placed in %s, want dub1", g.Power[i].ID, got)
		}
	}
	p := New(g, r, Options{})
	boxes := checkPanel(t, "power", p.power)
	if !boxes["c-dub1"].contains(boxes["c-pdu-x"]) {
		t.Errorf("pdu-x %v is not drawn in dub1 %v", boxes["c-pdu-x"], boxes["c-dub1"])
	}
}
