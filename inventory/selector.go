package inventory

import (
	"fmt"
	"path"
	"strings"
)

// Selectors name part of the fleet, the same way wherever they are given
// (a maintenance plan's components, a site collector's share):
//   - an id, or a glob over ids (path.Match: * stops at /, so tor-* names
//     devices, not their PSUs);
//   - kind=GLOB: devices by device kind or "device", power nodes by power
//     kind or "power" (and, where parts are selected, site, rack, psu,
//     drive, link);
//   - rack=GLOB: the devices and power nodes in matching racks;
//   - site=GLOB: the devices, power nodes and racks at matching sites.

// Selector is one parsed selector.
type Selector struct {
	// Key is "" (an id or a glob of ids), "kind", "rack" or "site".
	Key     string
	Pattern string
}

// SelectorKeys is how the accepted keys are named in messages.
const SelectorKeys = "an id or glob, kind=, rack= or site="

// ParseSelector reads one selector. Its error says what is wrong with it,
// without quoting it (the caller names the selector).
func ParseSelector(s string) (Selector, error) {
	sel := Selector{Pattern: s}
	if k, v, ok := strings.Cut(s, "="); ok {
		switch k {
		case "kind", "rack", "site":
			sel = Selector{Key: k, Pattern: v}
		default:
			return Selector{}, fmt.Errorf("unknown key %q: use %s", k, SelectorKeys)
		}
	}
	if sel.Pattern == "" {
		return Selector{}, fmt.Errorf("the value is empty")
	}
	if _, err := path.Match(sel.Pattern, ""); err != nil {
		return Selector{}, fmt.Errorf("bad glob: %w", err)
	}
	return sel, nil
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

// IsGlob reports whether an id selector is a glob rather than one id.
func (s Selector) IsGlob() bool { return strings.ContainsAny(s.Pattern, `*?[\`) }

// Match reports whether the selector's pattern matches v (never an empty v).
func (s Selector) Match(v string) bool {
	ok, _ := path.Match(s.Pattern, v)
	return ok && v != ""
}

// MatchKind reports whether a kind= selector names a component of class
// ("device", "power", "psu", …) whose own kind (a device or power kind;
// "" for parts) is kind.
func (s Selector) MatchKind(class, kind string) bool {
	return s.Match(class) || s.Match(kind)
}

// MatchEntry reports whether the selector names the device or power node
// id of inv.
func (s Selector) MatchEntry(inv *Inventory, id string) bool {
	d, p := inv.Device(id), inv.PowerNode(id)
	switch s.Key {
	case "":
		return s.Match(id)
	case "kind":
		switch {
		case d != nil:
			return s.MatchKind("device", string(d.Kind))
		case p != nil:
			return s.MatchKind("power", string(p.Kind))
		}
	case "rack":
		switch {
		case d != nil:
			return s.Match(d.Rack)
		case p != nil:
			return s.Match(p.Rack)
		}
	case "site":
		return s.Match(inv.SiteOf(id))
	}
	return false
}
