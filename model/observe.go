package model

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/observation"
)

// FactKind is a kind of observed fact the live rules report on.
type FactKind string

// The fact kinds. Facts are what the hardware said, never a verdict: the
// limits (inlet temperature, staleness, restarts) are applied by package
// audit, which also writes every finding.
const (
	// FactFailed: a part observed failed (or degraded, when Degraded is set).
	FactFailed FactKind = "failed"
	// FactRAID: a volume observed degraded or failed.
	FactRAID FactKind = "raid"
	// FactDrift: the hardware disagrees with the inventory.
	FactDrift FactKind = "drift"
	// FactInlet: an inlet temperature reading (Celsius).
	FactInlet FactKind = "inlet"
	// FactCollection: how a managed device's collection stands, one per
	// managed device: its newest data (ObservedAt, zero if never read), its
	// last attempt and error, and what the data hold (Detail).
	FactCollection FactKind = "collection"
)

// Fact is one observation the live rules turn into a finding.
type Fact struct {
	Kind   FactKind
	Device string // inventory id of the device or power node
	// Part is the component id ("db-1/PSU2", "db-1/data/1", a link id, a
	// volume "db-1/data") or, for parts the model does not hold (fans,
	// undeclared drives), a descriptive id ("db-1/fan/Fan3").
	Part string
	// What the fact is about, e.g. "psu-count", "lldp", "raid", "model".
	What               string
	Declared, Observed string
	Detail             string
	// Degraded marks a part that still works but warns (predicted failure).
	Degraded bool
	// Failed marks a failed volume (FactRAID).
	Failed  bool
	Celsius float64
	// ObservedAt is when the data behind the fact were read (the
	// observation's collected_at): older than AttemptedAt when the device
	// has stopped answering and its last good data stand.
	ObservedAt time.Time
	// Reporter is the managed id whose observation the fact comes from (a
	// PSU's outlet reported off by its PDU is the PDU's).
	Reporter string
	// AttemptedAt is the last poll of the observation the fact comes from
	// (for FactCollection, the device's newest attempt): data read before it
	// are last known state, not confirmed by that poll.
	AttemptedAt time.Time
	// Error is the last collection error, "" when the last poll worked
	// (FactCollection).
	Error string
}

// Observed is the observed state mapped onto an inventory: an overlay for
// the fault graph and the facts for the live rules.
type Observed struct {
	Overlay Overlay
	Facts   []Fact
	// Seen counts managed entries with data (now or last good); Managed
	// counts managed entries.
	Seen, Managed int
}

// Observe maps observations onto the inventory's components. Parts are
// matched so: a PSU by its match name, else its id against
// the reported id or name, else in physical order; ports by name; volumes
// by id or name, else in order. Anything that cannot be matched is drift.
//
// What is known stays known: a device's newest data are used however old
// they are (a failed poll keeps the last good data, see
// observation.KeepLastGood), and every fact and failure carries when it
// was read. Whether data are too old to trust is the audit's decision.
func Observe(inv *inventory.Inventory, obs []observation.Device) *Observed {
	o := &observer{inv: inv, out: &Observed{Overlay: Overlay{
		Failed: map[string]Failure{}, Unknown: map[string]bool{},
		Volumes: map[string][]ObservedVolume{}, DrawW: map[string]float64{},
	}}}
	byDevice := map[string][]*observation.Device{}
	for i := range obs {
		byDevice[obs[i].ID] = append(byDevice[obs[i].ID], &obs[i])
	}
	links := o.linkEnds()
	for _, m := range inv.ManagedTargets() {
		o.out.Managed++
		got := byDevice[m.ID]
		usable := o.collection(m.ID, got)
		if len(usable) == 0 {
			o.out.Overlay.Unknown[m.ID] = true
			continue
		}
		o.out.Seen++
		for _, d := range usable {
			o.at, o.attempt = d.CollectedAt, d.AttemptedAt
			o.device(m.ID, d, links)
		}
	}
	o.finishMeters()
	sort.SliceStable(o.out.Facts, func(i, j int) bool {
		a, b := o.out.Facts[i], o.out.Facts[j]
		if a.Device != b.Device {
			return a.Device < b.Device
		}
		return a.Part < b.Part
	})
	return o.out
}

type observer struct {
	inv *inventory.Inventory
	out *Observed
	// at is when the data being read were read; attempt is the last poll
	// of the observation they are in; reporter is its managed id.
	at, attempt time.Time
	reporter    string
	// psuInput is the input power each declared PSU (device/psu) reports.
	psuInput map[string]*float64
	// plugged lists the declared PSUs with an outlet, by PDU (plugs()).
	plugged map[string][]plug
}

func (o *observer) fact(f Fact) {
	f.ObservedAt, f.AttemptedAt, f.Reporter = o.at, o.attempt, o.reporter
	o.out.Facts = append(o.out.Facts, f)
}

func (o *observer) fail(id, why string) {
	if _, ok := o.out.Overlay.Failed[id]; !ok {
		o.out.Overlay.Failed[id] = Failure{Why: why, At: o.at, Reporter: o.reporter, LastAttempt: o.attempt}
	}
}

// collection returns the observations of a device that hold data (now or
// last good), and records the device's collection fact: its newest data,
// its last attempt and that attempt's error.
func (o *observer) collection(id string, got []*observation.Device) []*observation.Device {
	var ok []*observation.Device
	f := Fact{Kind: FactCollection, Device: id, Part: id, Reporter: id}
	var parts []string
	for _, d := range got {
		if d.AttemptedAt.After(f.AttemptedAt) {
			f.AttemptedAt = d.AttemptedAt
		}
		if d.Error != "" {
			f.Error = d.Source + ": " + d.Error
		}
		if !d.HasData() {
			continue
		}
		if d.CollectedAt.After(f.ObservedAt) {
			f.ObservedAt = d.CollectedAt
		}
		parts = append(parts, contents(d)...)
		for _, k := range d.Kept {
			parts = append(parts, k.Section+" kept from "+k.CollectedAt.UTC().Format(time.RFC3339))
		}
		ok = append(ok, d)
	}
	slices.Sort(parts)
	f.Detail = strings.Join(slices.Compact(parts), ", ")
	o.reporter = id
	o.out.Facts = append(o.out.Facts, f)
	return ok
}

// contents names what an observation holds, for "what is unverified".
func contents(d *observation.Device) []string {
	var out []string
	add := func(n int, noun string) {
		if n > 0 {
			out = append(out, plural(n, noun))
		}
	}
	add(len(d.PSUs), "PSU")
	add(len(d.Volumes), "volume")
	add(len(d.Drives), "drive")
	add(len(d.Ports), "port")
	add(len(d.Fans), "fan")
	add(len(d.Outlets), "outlet")
	if d.UPS != nil {
		out = append(out, "UPS state")
	}
	if d.InletCelsius != nil {
		out = append(out, "inlet temperature")
	}
	return out
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// linkEnd is a declared link seen from one of its ends.
type linkEnd struct {
	link           *inventory.Link
	port           string
	peer, peerPort string
}

func (o *observer) linkEnds() map[string][]linkEnd {
	ends := map[string][]linkEnd{}
	for i := range o.inv.Links {
		l := &o.inv.Links[i]
		ad, ap, _ := inventory.SplitEnd(l.A)
		bd, bp, _ := inventory.SplitEnd(l.B)
		ends[ad] = append(ends[ad], linkEnd{l, ap, bd, bp})
		ends[bd] = append(ends[bd], linkEnd{l, bp, ad, ap})
	}
	return ends
}

func (o *observer) device(id string, d *observation.Device, links map[string][]linkEnd) {
	if dev := o.inv.Device(id); dev != nil {
		o.identity(id, dev.Model, dev.Serial, d)
		if strings.EqualFold(d.PowerState, "off") {
			o.fail(id, "reported powered off")
			o.fact(Fact{Kind: FactFailed, Device: id, Part: id, Detail: "is powered off"})
		}
		if len(d.PSUs) > 0 {
			o.section(d, observation.SectionPSUs, func() { o.psus(dev, d) })
		}
		if len(d.Volumes) > 0 {
			o.section(d, observation.SectionStorage, func() { o.volumes(dev, d) })
		}
		if d.PowerWatts != nil && *d.PowerWatts > 0 {
			o.out.Overlay.DrawW[id] = *d.PowerWatts
		}
	} else if p := o.inv.PowerNode(id); p != nil {
		o.identity(id, p.Model, p.Serial, d)
		o.powerNode(p, d)
	}
	if len(d.Ports) > 0 {
		o.section(d, observation.SectionPorts, func() { o.ports(id, d, links[id]) })
	}
	for _, f := range d.Fans {
		switch f.Condition {
		case observation.Failed:
			o.fact(Fact{Kind: FactFailed, Device: id, Part: id + "/fan/" + nameOr(f.Name, f.ID), Detail: "fan failed"})
		case observation.Degraded:
			o.fact(Fact{Kind: FactFailed, Device: id, Part: id + "/fan/" + nameOr(f.Name, f.ID), Degraded: true, Detail: "fan degraded"})
		}
	}
	if d.InletCelsius != nil {
		o.fact(Fact{Kind: FactInlet, Device: id, Part: id, Celsius: *d.InletCelsius})
	}
}

// section reads one section of an observation, dating what it finds by
// when that section was read (an earlier poll's, when it was kept).
func (o *observer) section(d *observation.Device, name string, read func()) {
	o.at = d.ReadAt(name)
	read()
	o.at = d.CollectedAt
}

func nameOr(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

func (o *observer) identity(id, model, serial string, d *observation.Device) {
	if d.Identity == nil {
		return
	}
	if model != "" && d.Identity.Model != "" && !sameModel(model, d.Identity.Model) {
		o.fact(Fact{Kind: FactDrift, Device: id, Part: id, What: "model", Declared: model, Observed: d.Identity.Model})
	}
	if serial != "" && d.Identity.Serial != "" && !strings.EqualFold(strings.TrimSpace(serial), strings.TrimSpace(d.Identity.Serial)) {
		o.fact(Fact{Kind: FactDrift, Device: id, Part: id, What: "serial", Declared: serial, Observed: d.Identity.Serial})
	}
}

// sameModel accepts "PowerEdge R650" for "Dell PowerEdge R650": one name
// containing the other, ignoring case and punctuation.
func sameModel(a, b string) bool {
	na, nb := squash(a), squash(b)
	return strings.Contains(na, nb) || strings.Contains(nb, na)
}

var nonAlnum = regexp.MustCompile(`[^a-z0-9]+`)

func squash(s string) string { return nonAlnum.ReplaceAllString(strings.ToLower(s), "") }

// psus matches declared PSUs to observed bays.
// matchPSUs pairs declared PSUs with the present ones: exact match names
// first, then normalized ids, then physical order. match[i] is the
// present PSU of declared PSU i (-1: none); used marks the present ones
// matched.
func matchPSUs(declared []inventory.PSU, present []observation.PSU) (match []int, used []bool) {
	used = make([]bool, len(present))
	match = make([]int, len(declared))
	for i := range match {
		match[i] = -1
	}
	find := func(pred func(p observation.PSU) bool) int {
		for j, p := range present {
			if !used[j] && pred(p) {
				return j
			}
		}
		return -1
	}
	// Exact names first, then normalized ids, then physical order.
	for i, p := range declared {
		if p.Match != "" {
			if j := find(func(q observation.PSU) bool { return q.Name == p.Match || q.ID == p.Match }); j >= 0 {
				match[i], used[j] = j, true
			}
		}
	}
	for i, p := range declared {
		if match[i] >= 0 || p.Match != "" {
			continue
		}
		if j := find(func(q observation.PSU) bool {
			return squash(q.ID) == squash(p.ID) || squash(q.Name) == squash(p.ID)
		}); j >= 0 {
			match[i], used[j] = j, true
		}
	}
	for i := range declared {
		if match[i] >= 0 {
			continue
		}
		if j := find(func(observation.PSU) bool { return true }); j >= 0 {
			match[i], used[j] = j, true
		}
	}
	return match, used
}

func (o *observer) psus(dev *inventory.Device, d *observation.Device) {
	var present []observation.PSU
	for _, p := range d.PSUs {
		if p.Condition != observation.Absent {
			present = append(present, p)
		}
	}
	slices.SortStableFunc(present, func(a, b observation.PSU) int { return a.Slot - b.Slot })
	if len(present) != len(dev.PSUs) {
		o.fact(Fact{Kind: FactDrift, Device: dev.ID, Part: dev.ID, What: "psu-count",
			Declared: strconv.Itoa(len(dev.PSUs)), Observed: strconv.Itoa(len(present))})
	}
	match, used := matchPSUs(dev.PSUs, present)
	for i, p := range dev.PSUs {
		id := dev.ID + "/" + p.ID
		if match[i] < 0 {
			o.fail(id, "not installed: the device reports no PSU for it")
			o.fact(Fact{Kind: FactFailed, Device: dev.ID, Part: id, Detail: "is declared but the device reports no such PSU"})
			continue
		}
		q := present[match[i]]
		o.psuSeen(id, q)
		switch {
		case q.Condition == observation.Failed:
			o.fail(id, "observed failed ("+describeState(q.State, q.Health)+")")
			o.fact(Fact{Kind: FactFailed, Device: dev.ID, Part: id, Detail: "failed (" + describeState(q.State, q.Health) + ")"})
		case q.InputOK != nil && !*q.InputOK:
			o.fail(id, "no input power")
			o.fact(Fact{Kind: FactFailed, Device: dev.ID, Part: id, Detail: "has lost its input power"})
		case q.Condition == observation.Degraded || q.PredictedFailure:
			detail := "reports a warning (" + describeState(q.State, q.Health) + ")"
			if q.PredictedFailure {
				detail = "predicts its own failure"
			}
			o.fact(Fact{Kind: FactFailed, Device: dev.ID, Part: id, Degraded: true, Detail: detail})
		}
		o.outletLink(dev.ID, p, id, q.Outlet)
	}
	for j, q := range present {
		if !used[j] {
			o.fact(Fact{Kind: FactDrift, Device: dev.ID, Part: dev.ID + "/" + nameOr(q.ID, q.Name), What: "psu",
				Observed: nameOr(q.Name, q.ID), Detail: "a PSU the inventory does not declare"})
		}
	}
}

func describeState(state, health string) string {
	var parts []string
	if state != "" {
		parts = append(parts, state)
	}
	if health != "" {
		parts = append(parts, health)
	}
	if len(parts) == 0 {
		return "no detail"
	}
	return strings.Join(parts, ", ")
}

// volumes lays observed volumes over the declared ones.
func (o *observer) volumes(dev *inventory.Device, d *observation.Device) {
	drives := map[string]observation.Drive{}
	for _, dr := range d.Drives {
		drives[dr.ID] = dr
	}
	inVolume := map[string]bool{}
	declared := map[string]*inventory.Volume{}
	for i := range dev.Storage {
		declared[squash(dev.Storage[i].ID)] = &dev.Storage[i]
	}
	taken := map[string]bool{}
	var vols []ObservedVolume
	for vi, v := range d.Volumes {
		// Name the volume by the declared one it matches (by id or name,
		// else the declared volume in the same position), else as observed.
		var decl *inventory.Volume
		for _, key := range []string{squash(v.ID), squash(v.Name)} {
			if x := declared[key]; x != nil && !taken[x.ID] {
				decl = x
				break
			}
		}
		if decl == nil && vi < len(dev.Storage) && !taken[dev.Storage[vi].ID] {
			decl = &dev.Storage[vi]
		}
		id := sanitize(nameOr(v.ID, v.Name))
		raid := inventory.RAID(v.RAID)
		if decl != nil {
			taken[decl.ID] = true
			id = decl.ID
			if raid == "" {
				raid = decl.RAID
			} else if raid != decl.RAID {
				o.fact(Fact{Kind: FactDrift, Device: dev.ID, Part: dev.ID + "/" + id, What: "raid", Declared: string(decl.RAID), Observed: v.RAID})
			}
		}
		if raid == "" {
			raid = inventory.RAID0 // unknown level: assume no redundancy, never more than reported
		}
		ov := ObservedVolume{ID: id, RAID: raid, Drives: len(v.Drives)}
		for n, did := range v.Drives {
			inVolume[did] = true
			dr, ok := drives[did]
			if ok && dr.Condition == observation.Failed {
				part := fmt.Sprintf("%s/%s/%d", dev.ID, id, n)
				o.fail(part, "drive "+nameOr(dr.Name, dr.ID)+" observed failed")
				o.fact(Fact{Kind: FactFailed, Device: dev.ID, Part: part, Detail: "drive " + nameOr(dr.Name, dr.ID) + " failed (" + describeState(dr.State, dr.Health) + ")"})
			} else if ok && (dr.Condition == observation.Degraded || dr.PredictedFailure) {
				part := fmt.Sprintf("%s/%s/%d", dev.ID, id, n)
				o.fact(Fact{Kind: FactFailed, Device: dev.ID, Part: part, Degraded: true, Detail: "drive " + nameOr(dr.Name, dr.ID) + " predicts its failure"})
			}
		}
		if ov.Drives == 0 {
			ov.Drives = 1 // a volume with unreported members still needs its disk
		}
		switch v.Condition {
		case observation.Degraded:
			o.fact(Fact{Kind: FactRAID, Device: dev.ID, Part: dev.ID + "/" + id, Detail: describeState(v.State, v.Health), Declared: string(raid)})
		case observation.Failed:
			o.fact(Fact{Kind: FactRAID, Device: dev.ID, Part: dev.ID + "/" + id, Failed: true, Detail: describeState(v.State, v.Health), Declared: string(raid)})
		}
		vols = append(vols, ov)
	}
	for _, dv := range dev.Storage {
		if !taken[dv.ID] {
			o.fact(Fact{Kind: FactDrift, Device: dev.ID, Part: dev.ID + "/" + dv.ID, What: "volume", Declared: string(dv.RAID), Detail: "a declared volume the device does not report"})
		}
	}
	for _, dr := range d.Drives {
		if !inVolume[dr.ID] && dr.Condition == observation.Failed {
			o.fact(Fact{Kind: FactFailed, Device: dev.ID, Part: dev.ID + "/drive/" + sanitize(nameOr(dr.ID, dr.Name)), Detail: "drive failed (not in any volume)"})
		}
	}
	o.out.Overlay.Volumes[dev.ID] = vols
}

var unsafeID = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func sanitize(s string) string {
	s = unsafeID.ReplaceAllString(s, "-")
	if s == "" {
		return "volume"
	}
	return s
}

// ports checks declared link ends against reported ports and neighbours.
func (o *observer) ports(id string, d *observation.Device, ends []linkEnd) {
	byName := map[string]*observation.Port{}
	for i := range d.Ports {
		p := &d.Ports[i]
		byName[strings.ToLower(p.Name)] = p
	}
	for _, e := range ends {
		p := byName[strings.ToLower(e.port)]
		if p == nil {
			o.fact(Fact{Kind: FactDrift, Device: id, Part: e.link.ID(), What: "port", Declared: id + ":" + e.port, Detail: "the device reports no such port"})
			continue
		}
		if strings.EqualFold(p.Oper, "down") || strings.EqualFold(p.Oper, "lowerLayerDown") || strings.EqualFold(p.Oper, "notPresent") {
			why := fmt.Sprintf("%s:%s is %s", id, e.port, p.Oper)
			o.fail(e.link.ID(), why)
			o.fact(Fact{Kind: FactFailed, Device: id, Part: e.link.ID(), Detail: "link down: " + why})
		}
		for _, n := range p.Neighbors {
			if !neighborMatches(n, e.peer, e.peerPort) && !sharedPortPeer(n, e, ends) {
				o.fact(Fact{Kind: FactDrift, Device: id, Part: e.link.ID(), What: "lldp",
					Declared: e.peer + ":" + e.peerPort, Observed: neighborString(n)})
			}
		}
	}
}

// sharedPortPeer reports whether neighbour n, seen on the port of end e,
// is the declared peer of another link of the same cable on that port (a
// breakout's shared port sees every far end): not drift.
func sharedPortPeer(n observation.Neighbor, e linkEnd, ends []linkEnd) bool {
	if e.link.Cable == "" {
		return false
	}
	for _, x := range ends {
		if x.link != e.link && x.link.Cable == e.link.Cable && strings.EqualFold(x.port, e.port) && neighborMatches(n, x.peer, x.peerPort) {
			return true
		}
	}
	return false
}

// neighborMatches compares an LLDP/CDP neighbour with the declared peer:
// its system name (domain stripped) and port id or description.
func neighborMatches(n observation.Neighbor, peer, port string) bool {
	name := strings.ToLower(n.SysName)
	if i := strings.IndexByte(name, '.'); i > 0 {
		name = name[:i]
	}
	if name != "" && name != strings.ToLower(peer) {
		return false
	}
	if n.PortID == "" && n.PortDescr == "" {
		return name != ""
	}
	return strings.EqualFold(n.PortID, port) || strings.EqualFold(n.PortDescr, port) || squash(n.PortID) == squash(port)
}

func neighborString(n observation.Neighbor) string {
	sys := n.SysName
	if sys == "" {
		sys = n.ChassisID
	}
	port := n.PortID
	if port == "" {
		port = n.PortDescr
	}
	return fmt.Sprintf("%s:%s (%s)", sys, port, n.Protocol)
}

// powerNode reads PDU and UPS state.
func (o *observer) powerNode(p *inventory.PowerNode, d *observation.Device) {
	if u := d.UPS; u != nil {
		switch strings.ToLower(u.OutputSource) {
		case "none", "off":
			o.fail(p.ID, "output "+u.OutputSource)
			o.fact(Fact{Kind: FactFailed, Device: p.ID, Part: p.ID, Detail: "output is " + u.OutputSource})
		case "battery":
			detail := "on battery: its input has failed"
			if u.MinutesRemaining != nil {
				detail += fmt.Sprintf(", %.0f minutes left", *u.MinutesRemaining)
			}
			o.fact(Fact{Kind: FactFailed, Device: p.ID, Part: p.ID, Degraded: true, Detail: detail})
		case "bypass":
			o.fact(Fact{Kind: FactFailed, Device: p.ID, Part: p.ID, Degraded: true, Detail: "on bypass: the load is not protected"})
		}
		if u.Condition == observation.Failed {
			o.fail(p.ID, "observed failed")
			o.fact(Fact{Kind: FactFailed, Device: p.ID, Part: p.ID, Detail: "reports a failure"})
		}
	}
	o.meter(p, d)
	for _, in := range d.Inputs {
		if in.Condition == observation.Failed {
			o.fact(Fact{Kind: FactFailed, Device: p.ID, Part: p.ID + "/input/" + in.Name, Detail: "input " + in.Name + " failed"})
		}
	}
	if len(d.Outlets) == 0 {
		return
	}
	for _, pl := range o.plugs(p.ID) {
		dev, ps := pl.dev, pl.psu
		out, ok := findOutlet(d.Outlets, ps.Outlet)
		if !ok {
			continue
		}
		if out.On != nil && !*out.On {
			id := dev.ID + "/" + ps.ID
			why := fmt.Sprintf("%s outlet %s is off", p.ID, ps.Outlet)
			o.fail(id, why)
			o.fact(Fact{Kind: FactFailed, Device: dev.ID, Part: id, Detail: "has no power: " + why})
		}
	}
}
