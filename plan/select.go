package plan

import (
	"fmt"
	"strings"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
)

// SelectorError names maintenance selectors that are malformed or match
// nothing.
type SelectorError struct {
	Selectors []string
	Problems  []string // one per selector: what is wrong, with a hint where one is close
}

func (e *SelectorError) Error() string {
	var parts []string
	for i, s := range e.Selectors {
		parts = append(parts, fmt.Sprintf("%q: %s", s, e.Problems[i]))
	}
	return "maintenance selector " + strings.Join(parts, "; ") +
		" (use component ids, globs over ids such as tor-*, or kind=, rack=, site= with a glob)"
}

// SplitSelectors splits comma-separated selectors, dropping blanks.
func SplitSelectors(list ...string) []string { return inventory.SplitSelectors(list...) }

// Select resolves maintenance selectors (inventory.ParseSelector) to
// components, in component order without duplicates. An id names any
// component (a link also by one end, device:port); a glob names links
// only when it holds : or ~, and PSUs and drives only when it holds /.
func Select(g *model.Graph, selectors []string) ([]int32, error) {
	chosen := make([]bool, len(g.Comps))
	serr := &SelectorError{}
	for _, text := range selectors {
		sel, err := inventory.ParseSelector(text)
		if err != nil {
			serr.Selectors = append(serr.Selectors, text)
			serr.Problems = append(serr.Problems, err.Error())
			continue
		}
		n := 0
		selectInto(g, sel, text, func(c int32) { chosen[c] = true; n++ })
		if n == 0 {
			serr.Selectors = append(serr.Selectors, text)
			serr.Problems = append(serr.Problems, noMatch(g, sel, text))
		}
	}
	if len(serr.Selectors) > 0 {
		return nil, serr
	}
	var out []int32
	for c, ok := range chosen {
		if ok {
			out = append(out, int32(c))
		}
	}
	return out, nil
}

// selectInto marks every component sel names.
func selectInto(g *model.Graph, sel inventory.Selector, text string, mark func(int32)) {
	switch sel.Key {
	case "":
		if !sel.IsGlob() {
			if c := g.Lookup(text); c >= 0 {
				mark(c)
			}
			return
		}
		// A * never crosses a /, so a glob without one names no PSU
		// or drive ("device/..."): skip them, they are most components.
		links, parts := strings.ContainsAny(sel.Pattern, ":~"), strings.Contains(sel.Pattern, "/")
		for c, k := range g.Kinds {
			switch {
			case k == model.KindInlet, k == model.KindLink && !links, (k == model.KindPSU || k == model.KindDrive) && !parts:
				continue
			}
			if sel.Match(g.Comps[c].ID) {
				mark(int32(c))
			}
		}
	case "kind":
		for c := range g.Comps {
			if kindMatch(g, int32(c), sel) {
				mark(int32(c))
			}
		}
	case "rack":
		selectRack(g, sel, mark)
	case "site":
		selectSite(g, sel, mark)
	}
}

func selectRack(g *model.Graph, sel inventory.Selector, mark func(int32)) {
	for _, D := range g.Devices {
		if sel.Match(g.Racks[D.Rack].ID) {
			mark(D.Comp)
		}
	}
	for _, P := range g.Power {
		if P.Rack >= 0 && sel.Match(g.Racks[P.Rack].ID) {
			mark(P.Comp)
		}
	}
}

func selectSite(g *model.Graph, sel inventory.Selector, mark func(int32)) {
	for _, R := range g.Racks {
		if sel.Match(g.Sites[R.Site].ID) {
			mark(R.Comp)
		}
	}
	for d := range g.Devices {
		if sel.Match(g.Sites[g.SiteOfDevice(int32(d))].ID) {
			mark(g.Devices[d].Comp)
		}
	}
	for _, P := range g.Power {
		site := P.Site
		if P.Rack >= 0 {
			site = g.Racks[P.Rack].Site
		}
		if site >= 0 && sel.Match(g.Sites[site].ID) {
			mark(P.Comp)
		}
	}
}

// noMatch says that a selector matches nothing, with a close id when an
// id selector is near one.
func noMatch(g *model.Graph, sel inventory.Selector, text string) string {
	why := "matches no component"
	if sel.Key == "" {
		all := make([]string, len(g.Comps))
		for c := range g.Comps {
			all[c] = g.Comps[c].ID
		}
		if hint := inventory.Suggest(text, all); hint != "" {
			why += " (" + hint + ")"
		}
	}
	return why
}

func kindMatch(g *model.Graph, c int32, sel inventory.Selector) bool {
	k := g.Kinds[c]
	switch k {
	case model.KindInlet: // inlets fail only as observed: nothing to take down
		return false
	case model.KindDevice:
		return sel.MatchKind(k.String(), string(g.Devices[g.Entities[c]].Kind))
	case model.KindPower:
		return sel.MatchKind(k.String(), string(g.Power[g.Entities[c]].Kind))
	}
	return sel.Match(k.String())
}
