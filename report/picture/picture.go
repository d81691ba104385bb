// Package picture draws the fault graph for the report page: an SVG of the
// power chain (sources, transfer switches, UPSes, feeds, then each rack's
// PDUs as rails down its sides with the devices between them, grouped by
// site) and one of the network (devices in layers by hops from the roots,
// and the links between them), with the causes of findings marked.
//
// The layout is computed here, in whole pixels, deterministically: the same
// graph and report always give the same bytes. Every component a finding
// can name has a place: drawn itself (sites, racks, power nodes, devices,
// PSUs, links), or standing in for it (a drive's device; in a summarized
// picture, a device's rack or the box for a site's other racks).
package picture

import (
	"cmp"
	"fmt"
	"html/template"
	"slices"
	"strings"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/model"
)

// DefaultMaxDevices is how many devices are drawn one by one before the
// picture summarizes.
const DefaultMaxDevices = 300

// warnBudget is how many devices named only by warnings a summarized
// picture draws one by one; devices named by critical findings are always
// drawn.
const warnBudget = 80

// Options tune the picture.
type Options struct {
	// MaxDevices is the largest inventory (in devices) drawn in full. Above
	// it, only devices named by findings are drawn one by one, racks show
	// counts and racks without findings are summarized per site. Zero
	// means DefaultMaxDevices.
	MaxDevices int
}

// Mark is how strongly the picture marks a component.
type Mark uint8

// The marks: the cause of a warning, or of a critical finding.
const (
	Unmarked Mark = iota
	MarkWarning
	MarkCritical
)

// Class returns the CSS class the picture gives elements with this mark.
func (m Mark) Class() string {
	return [...]string{"", "warn", "crit"}[m]
}

// Picture is the drawn fault graph of one report.
type Picture struct {
	g   *model.Graph
	sel *selection

	// marks, counts and firstFinding are by owner component: drives count
	// as their device (see owner).
	marks        map[int32]Mark
	counts       map[int32]*[2]int // critical, warning findings naming it
	firstFinding map[int32]string  // element id of the first such finding

	siteOfPower []int32 // by power index; -1 when no site can be told
	sz          sizes
	power       *panel
	network     *panel
	netRow      map[int32]bool // devices drawn in the network picture
	notes       []string
}

// New lays out the picture of a graph with a report's findings marked.
func New(g *model.Graph, r *audit.Report, opts Options) *Picture {
	if opts.MaxDevices <= 0 {
		opts.MaxDevices = DefaultMaxDevices
	}
	p := &Picture{g: g, marks: map[int32]Mark{}, counts: map[int32]*[2]int{}, firstFinding: map[int32]string{}}
	p.markCauses(r)
	p.siteOfPower = powerSites(g)
	p.sel = p.choose(r, opts.MaxDevices)
	p.sz = p.measure()
	p.power = p.layoutPower()
	p.network = p.layoutNetwork()
	return p
}

// Notes says, in sentences, what the picture leaves out or summarizes.
func (p *Picture) Notes() []string { return p.notes }

// Summarized reports whether the picture draws only part of the inventory.
func (p *Picture) Summarized() bool { return p.sel.summary }

// markCauses marks every cause of every finding, the strongest mark winning.
func (p *Picture) markCauses(r *audit.Report) {
	for _, f := range r.Findings {
		m := MarkWarning
		if f.Severity == audit.Critical {
			m = MarkCritical
		} else if f.Severity != audit.Warning {
			continue
		}
		seen := map[int32]bool{}
		for _, id := range f.Causes {
			for _, c := range p.resolve(id) {
				o := p.owner(c)
				if seen[o] {
					continue
				}
				seen[o] = true
				p.marks[o] = max(p.marks[o], m)
				n := p.counts[o]
				if n == nil {
					n = &[2]int{}
					p.counts[o] = n
				}
				n[2-int(m)]++
				if _, ok := p.firstFinding[o]; !ok {
					p.firstFinding[o] = FindingID(f.ID)
				}
			}
		}
	}
}

// owner is the component whose element stands for c: a drive's device, or
// c itself.
func (p *Picture) owner(c int32) int32 {
	if p.g.Kinds[c] == model.KindDrive {
		return p.g.Devices[p.g.Entities[c]].Comp
	}
	return c
}

// MarkOf returns the mark of a component id's element.
func (p *Picture) MarkOf(id string) Mark {
	cs := p.resolve(id)
	if len(cs) != 1 {
		return Unmarked
	}
	return p.marks[p.owner(cs[0])]
}

// resolve maps an id from a finding to components: a component id, a
// service (its member devices, through member services), or a part of a
// device not numbered as a component (a volume "db-1/data": the device).
func (p *Picture) resolve(id string) []int32 {
	g := p.g
	if c := g.Lookup(id); c >= 0 {
		return []int32{c}
	}
	if s := g.ServiceIndex(id); s >= 0 {
		var out []int32
		seen := map[int32]bool{}
		var walk func(s int32)
		walk = func(s int32) {
			if seen[-1-s] {
				return
			}
			seen[-1-s] = true
			for _, m := range g.Services[s].Members {
				switch {
				case m.Device >= 0 && !seen[m.Device]:
					seen[m.Device] = true
					out = append(out, g.Devices[m.Device].Comp)
				case m.Service >= 0:
					walk(m.Service)
				}
			}
		}
		walk(s)
		return out
	}
	if i := strings.IndexByte(id, '/'); i > 0 {
		if c := g.Lookup(id[:i]); c >= 0 && g.Kinds[c] == model.KindDevice {
			return []int32{c}
		}
	}
	return nil
}

// Targets returns the element ids a finding points at, nearest first: its
// causes' places, or, for a finding without causes, its subject's (a
// service's members). The page highlights them together.
func (p *Picture) Targets(f audit.Finding) []string {
	ids := f.Causes
	if len(ids) == 0 {
		ids = []string{f.Subject}
	}
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		for _, c := range p.resolve(id) {
			for _, e := range p.elements(c) {
				if !seen[e] {
					seen[e] = true
					out = append(out, e)
				}
			}
		}
	}
	return out
}

// Anchor returns the element id of an id's place in the picture (its first
// element), or "" when it has none.
func (p *Picture) Anchor(id string) string {
	for _, c := range p.resolve(id) {
		if es := p.elements(c); len(es) > 0 {
			return es[0]
		}
	}
	return ""
}

// elements returns the ids of the elements that stand for a component:
// its own when drawn, else its nearest drawn container.
func (p *Picture) elements(c int32) []string {
	g, sel := p.g, p.sel
	e := g.Entities[c]
	switch g.Kinds[c] {
	case model.KindSite:
		if sel.site[e] {
			return []string{ComponentID(g.Sites[e].ID)}
		}
	case model.KindRack:
		return p.rackElements(e)
	case model.KindPower:
		if sel.power[e] {
			return []string{ComponentID(g.Power[e].ID)}
		}
		if r := g.Power[e].Rack; r >= 0 {
			return p.rackElements(r)
		}
		if s := p.siteOfPower[e]; s >= 0 && sel.site[s] {
			return []string{ComponentID(g.Sites[s].ID)}
		}
	case model.KindDevice, model.KindDrive:
		return p.deviceElements(e)
	case model.KindPSU:
		d := g.PSUs[e].Device
		if sel.dev[d] {
			return append([]string{ComponentID(g.PSUs[e].ID)}, p.deviceElements(d)...)
		}
		return p.deviceElements(d)
	case model.KindLink:
		l := g.Links[e]
		if p.netRow[l.A] && p.netRow[l.B] {
			return []string{ComponentID(g.ID(c))}
		}
		out := p.deviceElements(l.A)
		return append(out, p.deviceElements(l.B)...)
	}
	return nil
}

func (p *Picture) deviceElements(d int32) []string {
	if !p.sel.dev[d] {
		return p.rackElements(p.g.Devices[d].Rack)
	}
	id := p.g.Devices[d].ID
	if p.netRow[d] {
		return []string{ComponentID(id), NetworkID(id)}
	}
	return []string{ComponentID(id)}
}

func (p *Picture) rackElements(r int32) []string {
	g := p.g
	if p.sel.rack[r] {
		return []string{ComponentID(g.Racks[r].ID)}
	}
	s := g.Racks[r].Site
	if p.sel.aggregated[s] {
		return []string{aggregateID(g.Sites[s].ID)}
	}
	if p.sel.site[s] {
		return []string{ComponentID(g.Sites[s].ID)}
	}
	return nil
}

// classOf returns the classes of an element: its kind's, then its mark
// and observed state.
func (p *Picture) classOf(base string, comps ...int32) string {
	var m Mark
	failed := false
	for _, c := range comps {
		m = max(m, p.marks[c])
		failed = failed || p.g.Failed[c]
	}
	cls := base
	if m != Unmarked {
		cls += " " + m.Class()
	}
	if failed {
		cls += " failed"
	}
	return cls
}

// involvement says in words how many findings name a component as a cause,
// and why it is marked failed.
func (p *Picture) involvement(comps ...int32) string {
	var crit, warn int
	var why []string
	for _, c := range comps {
		if n := p.counts[c]; n != nil {
			crit += n[0]
			warn += n[1]
		}
		if p.g.Failed[c] {
			r := p.g.FailReason[c]
			if r == "" {
				r = "observed failed"
			}
			why = append(why, p.g.ID(c)+": "+r)
		}
	}
	var parts []string
	switch {
	case crit > 0 && warn > 0:
		parts = append(parts, fmt.Sprintf("cause in %s and %s", count(crit, "critical finding"), count(warn, "warning")))
	case crit > 0:
		parts = append(parts, "cause in "+count(crit, "critical finding"))
	case warn > 0:
		parts = append(parts, "cause in "+count(warn, "warning"))
	}
	parts = append(parts, why...)
	return strings.Join(parts, "\n")
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return thousands(n) + " " + noun + "s"
}

// href returns the link from an element to the first finding naming one of
// its components as a cause.
func (p *Picture) href(comps ...int32) template.URL {
	for _, c := range comps {
		if f, ok := p.firstFinding[c]; ok {
			return Href(f)
		}
	}
	return ""
}

// title joins a tooltip's lines, leaving out empty ones.
func title(lines ...string) string {
	var out []string
	for _, l := range lines {
		if l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// Cause is a component with the number of findings naming it as a cause.
type Cause struct {
	ID                string
	Critical, Warning int
	Href              template.URL // its place in the picture
}

// TopCauses returns up to n components named as a cause by the most
// critical findings (then warnings), most first: where fixing one thing
// fixes the most.
func (p *Picture) TopCauses(n int) []Cause {
	comps := make([]int32, 0, len(p.counts))
	for c := range p.counts {
		comps = append(comps, c)
	}
	slices.SortFunc(comps, func(a, b int32) int {
		ca, cb := p.counts[a], p.counts[b]
		if d := cmp.Compare(cb[0], ca[0]); d != 0 {
			return d
		}
		if d := cmp.Compare(cb[1], ca[1]); d != 0 {
			return d
		}
		return cmp.Compare(a, b)
	})
	var out []Cause
	for _, c := range comps[:min(n, len(comps))] {
		cs := Cause{ID: p.g.ID(c), Critical: p.counts[c][0], Warning: p.counts[c][1]}
		if es := p.elements(c); len(es) > 0 {
			cs.Href = Href(es[0])
		}
		out = append(out, cs)
	}
	return out
}
