package audit

import (
	"fmt"
	"path"
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
func SplitSelectors(list ...string) []string {
	var out []string
	for _, l := range list {
		for _, s := range strings.Split(l, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// Select resolves maintenance selectors to components, in component order
// without duplicates:
//   - an id of any component (a link also by one end, device:port);
//   - a glob over ids (path.Match: * stops at /, so tor-* names devices,
//     not their PSUs); a glob names links only when it holds : or ~;
//   - kind=GLOB: devices by device kind or "device", power nodes by power
//     kind or "power", and site, rack, psu, drive, link;
//   - rack=GLOB: the devices and power nodes in matching racks;
//   - site=GLOB: the devices, power nodes and racks at matching sites.
func Select(g *model.Graph, selectors []string) ([]int32, error) {
	chosen := make([]bool, len(g.Comps))
	serr := &SelectorError{}
	bad := func(s, why string) {
		serr.Selectors = append(serr.Selectors, s)
		serr.Problems = append(serr.Problems, why)
	}
	for _, sel := range selectors {
		key, pat, isKV := strings.Cut(sel, "=")
		if !isKV {
			pat = sel
		}
		if _, err := path.Match(pat, ""); err != nil {
			bad(sel, "bad glob: "+err.Error())
			continue
		}
		n := 0
		mark := func(c int32) { chosen[c] = true; n++ }
		switch {
		case !isKV:
			if !strings.ContainsAny(pat, `*?[\`) {
				if c := g.Lookup(sel); c >= 0 {
					mark(c)
				}
				break
			}
			// A * never crosses a /, so a glob without one names no PSU
			// or drive ("device/..."): skip them, they are most components.
			links, parts := strings.ContainsAny(pat, ":~"), strings.Contains(pat, "/")
			for c, k := range g.Kinds {
				switch {
				case k == model.KindInlet, k == model.KindLink && !links, (k == model.KindPSU || k == model.KindDrive) && !parts:
					continue
				}
				if globMatch(pat, g.Comps[c].ID) {
					mark(int32(c))
				}
			}
		case key == "kind":
			for c := range g.Comps {
				if kindMatch(g, int32(c), pat) {
					mark(int32(c))
				}
			}
		case key == "rack":
			for _, D := range g.Devices {
				if globMatch(pat, g.Racks[D.Rack].ID) {
					mark(D.Comp)
				}
			}
			for _, P := range g.Power {
				if P.Rack >= 0 && globMatch(pat, g.Racks[P.Rack].ID) {
					mark(P.Comp)
				}
			}
		case key == "site":
			for _, R := range g.Racks {
				if globMatch(pat, g.Sites[R.Site].ID) {
					mark(R.Comp)
				}
			}
			for d := range g.Devices {
				if globMatch(pat, g.Sites[g.SiteOfDevice(int32(d))].ID) {
					mark(g.Devices[d].Comp)
				}
			}
			for _, P := range g.Power {
				site := P.Site
				if P.Rack >= 0 {
					site = g.Racks[P.Rack].Site
				}
				if site >= 0 && globMatch(pat, g.Sites[site].ID) {
					mark(P.Comp)
				}
			}
		default:
			bad(sel, fmt.Sprintf("unknown key %q: use kind=, rack= or site=", key))
			continue
		}
		if n == 0 {
			why := "matches no component"
			if !isKV {
				all := make([]string, len(g.Comps))
				for c := range g.Comps {
					all[c] = g.Comps[c].ID
				}
				if hint := inventory.Suggest(sel, all); hint != "" {
					why += " (" + hint + ")"
				}
			}
			bad(sel, why)
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

func globMatch(pat, s string) bool {
	ok, _ := path.Match(pat, s)
	return ok
}

func kindMatch(g *model.Graph, c int32, pat string) bool {
	k := g.Kinds[c]
	if k == model.KindInlet { // inlets fail only as observed: nothing to take down
		return false
	}
	if globMatch(pat, k.String()) {
		return true
	}
	switch k {
	case model.KindDevice:
		return globMatch(pat, string(g.Devices[g.Entities[c]].Kind))
	case model.KindPower:
		return globMatch(pat, string(g.Power[g.Entities[c]].Kind))
	}
	return false
}
