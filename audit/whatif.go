package audit

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
)

// WhatIf is what happens if some components fail on top of the current state.
type WhatIf struct {
	Failed []string `json:"failed"`
	// Down lists services and devices that stop (were up, are not), with why.
	Down []Impact `json:"down"`
	// Degraded lists services that keep running but gain single points of failure.
	Degraded []Impact `json:"degraded"`
	// Overloaded lists power nodes pushed over the limit.
	Overloaded []Impact `json:"overloaded"`
}

// Impact is one consequence of a what-if.
type Impact struct {
	Kind string `json:"kind"` // service, device or power
	ID   string `json:"id"`
	Why  string `json:"why"`
	// NewSPOFs are the new single points of failure of a degraded service.
	NewSPOFs []string `json:"new_spofs,omitempty"`
}

// ServicesDown counts services in Down.
func (w *WhatIf) ServicesDown() int {
	n := 0
	for _, d := range w.Down {
		if d.Kind == "service" {
			n++
		}
	}
	return n
}

// UnknownComponentError names ids that are not components.
type UnknownComponentError struct {
	IDs []string
	// Hints holds a "did you mean" per id, where one is close.
	Hints []string
}

func (e *UnknownComponentError) Error() string {
	var parts []string
	for i, id := range e.IDs {
		p := fmt.Sprintf("%q", id)
		if i < len(e.Hints) && e.Hints[i] != "" {
			p += " (" + e.Hints[i] + ")"
		}
		parts = append(parts, p)
	}
	return fmt.Sprintf("unknown component %s: use ids of sites, racks, power nodes, devices, device/psu, device/volume/N drives, or links (a~b or one end device:port)", strings.Join(parts, ", "))
}

// RunWhatIf fails the given components (ids as in findings) on top of the
// graph's current state and reports the consequences. base is the
// analysis of g itself (reused when the caller has it, else computed).
func RunWhatIf(g *model.Graph, base *Analysis, fail []string) (*WhatIf, error) {
	return RunWhatIfContext(context.Background(), g, base, fail)
}

// RunWhatIfContext is RunWhatIf that stops when ctx is done, returning
// ctx's error.
func RunWhatIfContext(ctx context.Context, g *model.Graph, base *Analysis, fail []string) (*WhatIf, error) {
	extra, failedIDs, err := whatIfFailed(g, fail)
	if err != nil {
		return nil, err
	}
	if base == nil {
		if base, err = AnalyzeContext(ctx, g, Options{SkipPairs: true}); err != nil {
			return nil, err
		}
	}
	failures := maps.Clone(g.Failures)
	if failures == nil {
		failures = map[int32]model.Failure{}
	}
	for _, id := range failedIDs {
		c := g.Lookup(id)
		f := failures[c]
		f.Why = "failed in what-if"
		failures[c] = f
	}
	after, err := AnalyzeContext(ctx, g.WithFailed(extra, failures), Options{SkipPairs: true, LoadLimit: base.Power.Limit})
	if err != nil {
		return nil, err
	}
	w := &WhatIf{Failed: failedIDs, Down: []Impact{}, Degraded: []Impact{}, Overloaded: []Impact{}}
	for s := range g.Services {
		before, now := base.CurrentServices[s], after.CurrentServices[s]
		S := &g.Services[s]
		switch {
		case before.Up && !now.Up:
			why, _ := after.downReasons(after.Current, int32(s))
			w.Down = append(w.Down, Impact{Kind: "service", ID: S.ID, Why: why})
		case before.Up && now.Up && S.Tolerate >= 1:
			old := map[int32]bool{}
			for _, c := range before.Cuts {
				old[c] = true
			}
			var fresh []string
			for _, c := range now.Cuts {
				if !old[c] {
					fresh = append(fresh, g.ID(c))
				}
			}
			if len(fresh) > 0 {
				w.Degraded = append(w.Degraded, Impact{Kind: "service", ID: S.ID, NewSPOFs: fresh,
					Why: fmt.Sprintf("keeps running, but now goes down if %s fails", few(fresh, "or"))})
			}
		}
	}
	for d := range g.Devices {
		di := int32(d)
		if base.Current.Avail(di).Up && !after.Current.Avail(di).Up {
			why := "no path to the network roots"
			if !after.Current.Device(di).Up {
				why = after.whyDown(after.Current, di)
			}
			w.Down = append(w.Down, Impact{Kind: "device", ID: g.Devices[d].ID, Why: why})
		}
	}
	wasOver := map[int32]bool{}
	for _, p := range base.Power.Overloads {
		wasOver[p] = true
	}
	for _, p := range after.Power.Overloads {
		if !wasOver[p] {
			P := &g.Power[p]
			w.Overloaded = append(w.Overloaded, Impact{Kind: "power", ID: P.ID,
				Why: fmt.Sprintf("would carry %s W, %s of its %s W capacity (it carries %s W now)", watts(after.Power.Load[p]), pct(after.Power.Load[p]/P.CapacityW), watts(P.CapacityW), watts(base.Power.Load[p]))})
		}
	}
	return w, nil
}

// Audit is the whole structural audit of a graph in one call.
func Audit(g *model.Graph, opts Options) (*Analysis, []Finding) {
	a := Analyze(g, opts)
	return a, a.Findings()
}

// whatIfFailed is g's failure vector with the components fail names
// failed too, and their ids; an unknown id is an UnknownComponentError.
func whatIfFailed(g *model.Graph, fail []string) ([]bool, []string, error) {
	var unknown []string
	extra := slices.Clone(g.Failed)
	var failedIDs []string
	for _, id := range fail {
		c := g.Lookup(id)
		if c < 0 {
			unknown = append(unknown, id)
			continue
		}
		extra[c] = true
		failedIDs = append(failedIDs, g.ID(c))
	}
	if len(unknown) > 0 {
		err := &UnknownComponentError{IDs: unknown}
		var all []string
		for _, c := range g.Comps {
			all = append(all, c.ID)
		}
		for _, id := range unknown {
			err.Hints = append(err.Hints, inventory.Suggest(id, all))
		}
		return nil, nil, err
	}
	return extra, failedIDs, nil
}
