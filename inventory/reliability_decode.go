package inventory

import (
	"reflect"
	"time"

	"gopkg.in/yaml.v3"
)

// duration decodes a repair time (see ParseDuration).
func (d *decoder) duration(n *yaml.Node, v reflect.Value, what string) {
	const hint = "write a duration with its unit: 8h, 30m, 2h30m or 3d"
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.errorf(posOf(n), hint, "%s must be a duration, not %s", what, describe(n))
		return
	}
	p, ok := ParseDuration(n.Value)
	if !ok {
		d.errorf(posOf(n), hint, "%s must be a duration, not %s", what, describe(n))
		return
	}
	if time.Duration(p) > YearHours*time.Hour {
		d.errorf(posOf(n), "a repair time is at most a year (8760h)", "%s %s is longer than a year", what, text(n.Value))
		return
	}
	v.SetInt(int64(p))
}

// overrides decodes reliability.components: a mapping from component id
// to rate, kept in file order with each key's position.
func (d *decoder) overrides(n *yaml.Node, v reflect.Value, what string) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(posOf(n), "write one \"component-id: {afr: 0.05, repair: 8h}\" a line", "%s must be a mapping of component ids to rates, not %s", what, describe(n))
		return
	}
	out := make(RateOverrides, 0, len(n.Content)/2)
	first := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || isNull(k) || k.Value == "" {
			d.errorf(posOf(k), "write the component's id as findings name it, e.g. db-1/PSU1", "a key in %s must be a component id, not %s", what, describe(k))
			continue
		}
		if line, dup := first[k.Value]; dup {
			d.errorf(posOf(k), "remove one of them", "duplicate component %q in %s (first at line %d)", k.Value, what, line)
			continue
		}
		first[k.Value] = k.Line
		r := Rate{ID: k.Value, IDPos: posOf(k)}
		d.decode(val, reflect.ValueOf(&r).Elem(), k.Value)
		out = append(out, r)
	}
	v.Set(reflect.ValueOf(out))
}

// durationPattern is the schema's approximation of ParseDuration: days,
// then Go's units. The decoder is the final word (it also bounds it).
const durationPattern = `^([0-9]+(\.[0-9]+)?d)?(([0-9]+(\.[0-9]+)?)(ns|us|µs|ms|s|m|h))*$`
