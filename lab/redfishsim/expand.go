package redfishsim

import (
	"fmt"
	"strconv"
	"strings"
)

// canonical turns a request path or @odata.id into the form resources are
// kept under: no query or fragment, no doubled or trailing slashes.
func canonical(p string) string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	if len(p) > 1 {
		p = strings.TrimRight(p, "/")
	}
	return p
}

// expandSpec is a parsed $expand: which hyperlinks, and how deep.
type expandSpec struct {
	mode   byte // '.' not in Links, '~' only in Links, '*' all
	levels int
}

// parseExpand reads the $expand forms of DSP0266: "*", ".", "~", each
// optionally followed by "($levels=N)".
func parseExpand(q string, maxLevels int) (expandSpec, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return expandSpec{}, fmt.Errorf("empty $expand")
	}
	spec := expandSpec{mode: q[0], levels: 1}
	if spec.mode != '.' && spec.mode != '*' && spec.mode != '~' {
		return expandSpec{}, fmt.Errorf("$expand %q: only *, . and ~ are supported", q)
	}
	rest := q[1:]
	if rest != "" {
		inner, ok := strings.CutPrefix(rest, "($levels=")
		if !ok || !strings.HasSuffix(inner, ")") {
			return expandSpec{}, fmt.Errorf("$expand %q: expected ($levels=N)", q)
		}
		n, err := strconv.Atoi(strings.TrimSuffix(inner, ")"))
		if err != nil || n < 1 {
			return expandSpec{}, fmt.Errorf("$expand %q: bad $levels", q)
		}
		spec.levels = n
	}
	if spec.levels > maxLevels {
		spec.levels = maxLevels
	}
	return spec, nil
}

// notExpanded are hyperlink properties that point across the tree (to a
// related or grouped resource, not a subordinate one): "." leaves them as
// references, as real services do, so an expansion stays a subtree.
var notExpanded = map[string]bool{
	"RelatedItem":           true,
	"RedundancySet":         true,
	"RedundancyGroup":       true,
	"ActiveRedundancyGroup": true,
	"ActiveRedundancySet":   true,
	"OriginOfCondition":     true,
}

// expander inlines hyperlinks into a resource, building new maps (resources
// from the source are shared and never modified).
type expander struct {
	get     func(path string) map[string]any
	spec    expandSpec
	inlined int      // resources inlined, for the slow-expand mode
	budget  int      // most resources one expansion may inline
	paths   []string // the paths inlined, so faults on them apply
}

func (e *expander) resource(doc map[string]any, path string) map[string]any {
	out, _ := e.value(doc, e.spec.levels, false, []string{path}).(map[string]any)
	return out
}

// isLink reports whether m is a bare hyperlink: {"@odata.id": "..."} with
// nothing but annotations beside it.
func isLink(m map[string]any) (string, bool) {
	id, ok := m["@odata.id"].(string)
	if !ok {
		return "", false
	}
	for k := range m {
		if !strings.HasPrefix(k, "@") {
			return "", false
		}
	}
	return id, true
}

func (e *expander) value(v any, levels int, inLinks bool, chain []string) any {
	switch t := v.(type) {
	case map[string]any:
		if id, ok := isLink(t); ok {
			if levels <= 0 || e.inlined >= e.budget || !e.wants(inLinks) {
				return t
			}
			if strings.Contains(id, "#") || !strings.HasPrefix(id, "/") {
				return t // an array member or a link to another host
			}
			p := canonical(id)
			for _, c := range chain {
				if c == p {
					return t // a cycle: system → chassis → system
				}
			}
			target := e.get(p)
			if target == nil {
				return t
			}
			e.inlined++
			e.paths = append(e.paths, p)
			return e.value(target, levels-1, false, append(chain[:len(chain):len(chain)], p))
		}
		out := make(map[string]any, len(t))
		for k, c := range t {
			switch {
			case notExpanded[k] && e.spec.mode != '*':
				out[k] = c
			case k == "Links":
				out[k] = e.value(c, levels, true, chain)
			default:
				out[k] = e.value(c, levels, inLinks, chain)
			}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, c := range t {
			out[i] = e.value(c, levels, inLinks, chain)
		}
		return out
	default:
		return v
	}
}

func (e *expander) wants(inLinks bool) bool {
	switch e.spec.mode {
	case '.':
		return !inLinks
	case '~':
		return inLinks
	default:
		return true
	}
}

// selectProps keeps the named top-level properties (and every annotation)
// of doc. Names may be paths ("Links/Chassis"); their first segment counts.
func selectProps(doc map[string]any, sel string) map[string]any {
	keep := map[string]bool{}
	for _, s := range strings.Split(sel, ",") {
		s = strings.TrimSpace(s)
		if i := strings.IndexByte(s, '/'); i >= 0 {
			s = s[:i]
		}
		if s != "" {
			keep[s] = true
		}
	}
	out := make(map[string]any, len(keep)+4)
	for k, v := range doc {
		if keep[k] || strings.HasPrefix(k, "@") {
			out[k] = v
		}
	}
	return out
}
