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
