package audit

// Findings: the structural rules and those that follow from observed
// failures in the fault graph, per subject (services, devices, power).

import "strconv"

func itoa(n int) string { return strconv.Itoa(n) }

// Findings turns an analysis into findings: every structural rule, and the
// live rules that follow from observed failures in the graph
// (redundancy-lost, service-down now). Rules that read observation data
// directly are in LiveFindings.
func (a *Analysis) Findings() []Finding {
	var out []Finding
	g := a.G
	for s := range g.Services {
		out = append(out, a.serviceFindings(int32(s))...)
	}
	for d := range g.Devices {
		out = append(out, a.deviceFindings(int32(d))...)
	}
	out = append(out, a.powerFindings()...)
	concern(g.Inv, out)
	return out
}

// names returns component ids.
func (a *Analysis) names(cs []int32) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = a.G.ID(c)
	}
	return out
}
