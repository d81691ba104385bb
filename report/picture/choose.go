package picture

import (
	"fmt"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/model"
)

// selection is what the picture draws one by one.
type selection struct {
	summary bool
	dev     []bool // by device index
	rack    []bool // by rack index
	power   []bool // by power index
	site    []bool // by site index
	// aggregated marks sites with racks not drawn, shown as one box;
	// hiddenRacks and hiddenDevs count what it stands for.
	aggregated  []bool
	hiddenRacks []int
	hiddenDevs  []int
	// more counts, by rack, the devices not drawn in a drawn rack.
	more []int
}

// maxRoots is the most network roots a summarized picture draws whether
// or not findings name them.
const maxRoots = 16

// maxUpstream is the most power nodes outside racks a summarized picture
// draws whether or not findings name them.
const maxUpstream = 64

// choose decides what to draw: everything up to maxDevices devices; above,
// what findings name (every cause of a critical finding, then devices of
// warnings up to warnBudget), the power chain above it, and counts.
func (p *Picture) choose(r *audit.Report, maxDevices int) *selection {
	g := p.g
	sel := newSelection(g, len(g.Devices) > maxDevices)
	if !sel.summary {
		sel.all()
		return sel
	}
	skipped := p.selectNamed(sel, r)
	var roots []int32
	for d := range g.Devices {
		if g.Devices[d].Root {
			roots = append(roots, int32(d))
		}
	}
	if len(roots) <= maxRoots {
		for _, d := range roots {
			sel.dev[d] = true
		}
	}
	upstream := 0
	for i := range g.Power {
		if g.Power[i].Rack < 0 {
			upstream++
		}
	}
	p.fillSummary(sel, upstream <= maxUpstream)
	for d := range skipped {
		if sel.dev[d] {
			delete(skipped, d)
		}
	}
	p.summaryNotes(sel, len(skipped))
	return sel
}

// newSelection is an empty selection sized for g.
func newSelection(g *model.Graph, summary bool) *selection {
	return &selection{
		summary:     summary,
		dev:         make([]bool, len(g.Devices)),
		rack:        make([]bool, len(g.Racks)),
		power:       make([]bool, len(g.Power)),
		site:        make([]bool, len(g.Sites)),
		aggregated:  make([]bool, len(g.Sites)),
		hiddenRacks: make([]int, len(g.Sites)),
		hiddenDevs:  make([]int, len(g.Sites)),
		more:        make([]int, len(g.Racks)),
	}
}

// all selects every device, rack, power node and site.
func (sel *selection) all() {
	for _, drawn := range [][]bool{sel.dev, sel.rack, sel.power, sel.site} {
		for i := range drawn {
			drawn[i] = true
		}
	}
}

// selectNamed selects what the findings name, through their subjects and
// causes: a PSU or a link stands for its device(s); a rack or a power
// node in a rack is drawn for a critical finding; power outside racks
// and sites always. Devices named by critical findings are all drawn,
// those named only by warnings up to warnBudget; it returns the devices
// left out for the budget.
func (p *Picture) selectNamed(sel *selection, r *audit.Report) map[int32]bool {
	g := p.g
	w := wanted{sel: sel, budget: warnBudget, skipped: map[int32]bool{}}
	for _, f := range r.Findings {
		crit := f.Severity == audit.Critical
		ids := f.Causes
		if c := g.Lookup(f.Subject); c >= 0 {
			ids = append(ids[:len(ids):len(ids)], f.Subject)
		}
		for _, id := range ids {
			for _, c := range p.resolve(id) {
				e := g.Entities[c]
				switch g.Kinds[c] {
				case model.KindDevice, model.KindDrive:
					w.want(e, crit)
				case model.KindPSU:
					w.want(g.PSUs[e].Device, crit)
				case model.KindLink, model.KindCable:
					linkEnds(g, c, func(d int32) { w.want(d, crit) })
				case model.KindRack:
					sel.rack[e] = sel.rack[e] || crit
				case model.KindPower:
					if rk := g.Power[e].Rack; rk < 0 {
						sel.power[e] = true
					} else if crit {
						sel.rack[rk] = true
					}
				case model.KindSite:
					sel.site[e] = true
				}
			}
		}
	}
	return w.skipped
}

// wanted selects devices named by findings: all of a critical finding's,
// a warning's while the budget lasts, counting the ones skipped.
type wanted struct {
	sel     *selection
	budget  int
	skipped map[int32]bool
}

func (w *wanted) want(d int32, crit bool) {
	switch {
	case w.sel.dev[d]:
	case crit:
		w.sel.dev[d] = true
	case w.budget > 0:
		w.sel.dev[d] = true
		w.budget--
	default:
		w.skipped[d] = true
	}
}

// fillSummary completes a summarized selection: the racks of drawn devices,
// their PDUs and the power chain above, and the counts of what is left out.
func (p *Picture) fillSummary(sel *selection, allUpstream bool) {
	g := p.g
	for d := range g.Devices {
		if sel.dev[d] {
			sel.rack[g.Devices[d].Rack] = true
			for _, ps := range g.Devices[d].PSUs {
				sel.power[g.PSUs[ps].PDU] = true
			}
		}
	}
	for i := range g.Power {
		if rk := g.Power[i].Rack; (rk >= 0 && sel.rack[rk]) || (rk < 0 && allUpstream) {
			sel.power[i] = true
		}
	}
	// Power is in topological order: walking it backwards reaches every
	// input of a drawn node after the node.
	for i := len(g.Power) - 1; i >= 0; i-- {
		if sel.power[i] {
			for _, in := range g.Power[i].Inputs {
				sel.power[in] = true
			}
			if rk := g.Power[i].Rack; rk >= 0 {
				sel.rack[rk] = true
			}
		}
	}
	for d := range g.Devices {
		rk := g.Devices[d].Rack
		s := g.Racks[rk].Site
		switch {
		case !sel.rack[rk]:
			sel.hiddenDevs[s]++
		case !sel.dev[d]:
			sel.more[rk]++
		}
	}
	for rk := range g.Racks {
		s := g.Racks[rk].Site
		if sel.rack[rk] {
			sel.site[s] = true
		} else {
			sel.hiddenRacks[s]++
			sel.aggregated[s] = true
			sel.site[s] = true
		}
	}
	for i := range g.Power {
		if s := p.siteOfPower[i]; sel.power[i] && s >= 0 {
			sel.site[s] = true
		}
	}
}

// summaryNotes says what a summarized picture leaves out.
func (p *Picture) summaryNotes(sel *selection, skipped int) {
	g := p.g
	var devs, racks, hiddenRacks, hiddenDevs int
	for d := range sel.dev {
		if sel.dev[d] {
			devs++
		}
	}
	for rk := range sel.rack {
		if sel.rack[rk] {
			racks++
		}
	}
	for s := range g.Sites {
		hiddenRacks += sel.hiddenRacks[s]
		hiddenDevs += sel.hiddenDevs[s]
	}
	note := fmt.Sprintf("The inventory has %s devices, more than are drawn one by one: the picture shows %s devices "+
		"(those named by findings, and the network roots) in %s racks, each saying how many devices it holds besides.",
		thousands(len(g.Devices)), thousands(devs), thousands(racks))
	if hiddenRacks > 0 {
		note += fmt.Sprintf(" The other %s (%s) %s summarized in one box per site.",
			plural(hiddenRacks, "rack", "racks"), plural(hiddenDevs, "device", "devices"), verb(hiddenRacks, "is", "are"))
	}
	p.notes = append(p.notes, note)
	if skipped > 0 {
		p.notes = append(p.notes, fmt.Sprintf(
			"%s named only by warnings %s not drawn; those findings point at the device's rack or site box.",
			plural(skipped, "device", "devices"), verb(skipped, "is", "are")))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// powerSites tells each power node's site: its own, its rack's, else that
// of what it feeds, else that of its inputs; -1 when none can be told.
func powerSites(g *model.Graph) []int32 {
	site := make([]int32, len(g.Power))
	for i := range g.Power {
		n := &g.Power[i]
		switch {
		case n.Site >= 0:
			site[i] = n.Site
		case n.Rack >= 0:
			site[i] = g.Racks[n.Rack].Site
		default:
			site[i] = -1
		}
	}
	for i := range g.PSUs {
		if pdu := g.PSUs[i].PDU; site[pdu] < 0 {
			site[pdu] = g.SiteOfDevice(g.PSUs[i].Device)
		}
	}
	for i := len(g.Power) - 1; i >= 0; i-- {
		if site[i] >= 0 {
			for _, in := range g.Power[i].Inputs {
				if site[in] < 0 {
					site[in] = site[i]
				}
			}
		}
	}
	for i := range g.Power {
		for _, in := range g.Power[i].Inputs {
			if site[i] < 0 && site[in] >= 0 {
				site[i] = site[in]
			}
		}
	}
	return site
}

// linkEnds calls end with both ends' devices of every link a link or
// cable component carries.
func linkEnds(g *model.Graph, c int32, end func(d int32)) {
	for _, li := range g.LinksOf(c) {
		end(g.Links[li].A)
		end(g.Links[li].B)
	}
}
