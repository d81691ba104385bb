package audit

import (
	"cmp"
	"slices"

	"github.com/faultline/faultline/reliability"
)

// Reliability is the reliability object of the findings document: every
// service's expected downtime a year, the method, its error bound, and
// each component's importance for it. The figures are the design's (every
// component in service, failing and repaired at its rate), not the
// state now: observed failures do not change them.
type Reliability struct {
	YearHours float64 `json:"year_hours"`
	Method    string  `json:"method"`
	// Services are by expected downtime, longest first (ties by id).
	Services []ServiceReliability `json:"services"`
}

// ServiceReliability is one service's figures.
type ServiceReliability struct {
	ID                     string  `json:"id"`
	Unavailability         float64 `json:"unavailability"`
	DowntimeMinutesPerYear float64 `json:"downtime_minutes_per_year"`
	// ErrorBound is the largest absolute error of Unavailability the
	// method allows.
	ErrorBound float64 `json:"error_bound"`
	// Importance lists every component of the service's cut sets, highest
	// Fussell–Vesely first.
	Importance []ComponentImportance `json:"importance"`
}

// ComponentImportance is one component's importance for one service.
type ComponentImportance struct {
	Component     string  `json:"component"`
	FussellVesely float64 `json:"fussell_vesely"`
	Birnbaum      float64 `json:"birnbaum"`
}

// reliability computes the figures (Options.Reliability).
func (a *Analysis) reliability() {
	q := reliability.Unavailability(a.G)
	a.Figures = reliability.Compute(a.G, a.net, a.Design, q)
}

// ReliabilityReport is the reliability object of the findings document,
// or nil when the analysis did not compute the figures
// (Options.Reliability).
func (a *Analysis) ReliabilityReport() *Reliability {
	if a.Figures == nil {
		return nil
	}
	g := a.G
	r := &Reliability{YearHours: reliability.YearHours, Method: reliability.Method,
		Services: make([]ServiceReliability, len(g.Services))}
	for s := range g.Services {
		f := &a.Figures.Services[s]
		out := ServiceReliability{ID: g.Services[s].ID, Unavailability: f.Unavailability,
			DowntimeMinutesPerYear: f.DowntimeMinutes(), ErrorBound: f.ErrorBound,
			Importance: make([]ComponentImportance, len(f.Importance))}
		for i, im := range f.Importance {
			out.Importance[i] = ComponentImportance{Component: g.ID(im.Component), FussellVesely: im.FussellVesely, Birnbaum: im.Birnbaum}
		}
		r.Services[s] = out
	}
	slices.SortFunc(r.Services, func(x, y ServiceReliability) int {
		if c := cmp.Compare(y.DowntimeMinutesPerYear, x.DowntimeMinutesPerYear); c != 0 {
			return c
		}
		return cmp.Compare(x.ID, y.ID)
	})
	return r
}

// downtime sets a finding's share of its service's expected downtime:
// the cut sets it stands for (each cause alone for a single point of
// failure, the pair for a double fault). Without figures it does nothing.
func (a *Analysis) downtime(f *Finding, sets ...[]int32) {
	if a.Figures == nil {
		return
	}
	m := a.Figures.CutSetMinutes(sets...)
	f.DowntimeMinutesPerYear = &m
}

// singles is each component as a cut set of its own.
func singles(cs []int32) [][]int32 {
	out := make([][]int32, len(cs))
	for i := range cs {
		out[i] = cs[i : i+1]
	}
	return out
}

// pairSets is each pair as a cut set.
func pairSets(ps [][2]int32) [][]int32 {
	out := make([][]int32, len(ps))
	for i := range ps {
		out[i] = ps[i][:]
	}
	return out
}
