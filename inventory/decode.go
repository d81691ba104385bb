package inventory

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// The strict decoder walks yaml.v3's node tree itself instead of using
// yaml.Decoder.KnownFields: that option reports unknown keys and type
// mismatches with a line but no column, in Go type names, and stops being
// strict under any custom UnmarshalYAML. Walking the tree gives every error
// a line and column, words a planner understands, and all errors at once.

// names of the schema's structs as a person reads them in messages.
var typeNames = map[reflect.Type]string{
	reflect.TypeFor[Inventory]():    "the inventory",
	reflect.TypeFor[Site]():         "a site",
	reflect.TypeFor[Rack]():         "a rack",
	reflect.TypeFor[PowerNode]():    "a power node",
	reflect.TypeFor[Device]():       "a device",
	reflect.TypeFor[PSU]():          "a psu",
	reflect.TypeFor[Volume]():       "a storage volume",
	reflect.TypeFor[Management]():   "management",
	reflect.TypeFor[SNMP]():         "snmp",
	reflect.TypeFor[Redfish]():      "redfish",
	reflect.TypeFor[Link]():         "a link",
	reflect.TypeFor[Network]():      "network",
	reflect.TypeFor[Service]():      "a service",
	reflect.TypeFor[Policy]():       "policy",
	reflect.TypeFor[Reliability]():  "reliability",
	reflect.TypeFor[RateDefaults](): "reliability defaults",
	reflect.TypeFor[Rate]():         "a reliability rate",
}

var posType = reflect.TypeFor[Pos]()
var posSliceType = reflect.TypeFor[[]Pos]()
var outletType = reflect.TypeFor[Outlet]()
var durationType = reflect.TypeFor[Duration]()
var overridesType = reflect.TypeFor[RateOverrides]()

// enum is implemented by the string types with a closed set of values.
type enum interface{ choices() []string }

type fieldPlan struct {
	key      string
	index    int
	posIndex int // index of the XPos field, or -1
}

type structPlan struct {
	fields   []fieldPlan
	byKey    map[string]int
	keys     []string
	posIndex int // index of the Pos field, or -1
	name     string
}

var plans sync.Map // reflect.Type -> *structPlan

var enumType = reflect.TypeFor[enum]()
var enums sync.Map // reflect.Type -> []string (nil: not an enum)

// enumChoices returns the closed set of values of an enum string type, or
// nil for a plain string; it boxes no value, so decoding a string does not
// allocate for the check.
func enumChoices(t reflect.Type) []string {
	if c, ok := enums.Load(t); ok {
		return c.([]string)
	}
	var c []string
	if t.Implements(enumType) {
		c = reflect.Zero(t).Interface().(enum).choices()
	}
	enums.Store(t, c)
	return c
}

func planFor(t reflect.Type) *structPlan {
	if p, ok := plans.Load(t); ok {
		return p.(*structPlan)
	}
	p := &structPlan{byKey: map[string]int{}, posIndex: -1, name: typeNames[t]}
	if p.name == "" {
		p.name = strings.ToLower(t.Name())
	}
	byName := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		byName[t.Field(i).Name] = i
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Name == "Pos" && f.Type == posType {
			p.posIndex = i
		}
		key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if key == "" || key == "-" || !f.IsExported() {
			continue
		}
		fp := fieldPlan{key: key, index: i, posIndex: -1}
		if j, ok := byName[f.Name+"Pos"]; ok {
			if ft := t.Field(j).Type; ft == posType || ft == posSliceType {
				fp.posIndex = j
			}
		}
		p.byKey[key] = len(p.fields)
		p.fields = append(p.fields, fp)
		p.keys = append(p.keys, key)
	}
	plans.Store(t, p)
	return p
}

type decoder struct {
	reporter
	work, budget int
	strs         *Strings // nil: no sharing of equal strings
}

func posOf(n *yaml.Node) Pos { return Pos{Line: int32(n.Line), Col: int32(n.Column)} }

func describe(n *yaml.Node) text {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "empty"
		}
		return text(quote(n.Value))
	}
	return "an unsupported YAML construct"
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// decode fills v from n; what names the value in messages ("outlet").
// It reports problems and carries on, so one run finds them all.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, what string) {
	d.work++
	if d.work > d.budget {
		if d.work == d.budget+1 {
			d.errorf(posOf(n), "remove the anchors and aliases that repeat large parts of the file", "the file expands to too much data through aliases")
		}
		return
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			d.errorf(posOf(n), "", "%s: alias to nothing", what)
			return
		}
		n = n.Alias
	}
	switch v.Type() {
	case durationType:
		d.duration(n, v, what)
		return
	case overridesType:
		d.overrides(n, v, what)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			return
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), what)
	case reflect.Struct:
		d.mapping(n, v, what)
	case reflect.Slice:
		d.list(n, v, what)
	case reflect.String:
		d.str(n, v, what)
	case reflect.Int:
		i, ok := d.integer(n, what)
		if ok {
			v.SetInt(i)
		}
	case reflect.Float64:
		f, ok := d.float(n, what)
		if ok {
			v.SetFloat(f)
		}
	case reflect.Bool:
		d.boolean(n, v, what)
	default:
		panic(fmt.Sprintf("inventory: schema field of unsupported kind %s", v.Kind()))
	}
}

// list fills the slice v from n, a list.
func (d *decoder) list(n *yaml.Node, v reflect.Value, what string) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(posOf(n), "write it as a list: [a, b] or one \"- item\" a line", "%s must be a list, not %s", what, describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decode(item, s.Index(i), what)
	}
	v.Set(s)
}

// str fills the string v (an enum, an outlet or a plain string) from n.
func (d *decoder) str(n *yaml.Node, v reflect.Value, what string) {
	if n.Kind != yaml.ScalarNode {
		d.errorf(posOf(n), "", "%s must be a single value, not %s", what, describe(n))
		return
	}
	if isNull(n) {
		return
	}
	if v.Type() == outletType && ((n.ShortTag() != "!!int" && n.ShortTag() != "!!str") || n.Value == "") {
		d.errorf(posOf(n), "write a number (7) or the PDU's outlet id (A4)", "%s must be a whole number or an outlet id, not %s", what, describe(n))
		return
	}
	if choices := enumChoices(v.Type()); choices != nil {
		if !contains(choices, n.Value) {
			hint := suggest(n.Value, choices)
			if hint == "" {
				hint = oneOf(choices)
			}
			d.errorf(posOf(n), hint, "unknown %s %q", what, n.Value)
			return
		}
	}
	if d.strs != nil {
		v.SetString(d.strs.intern(n.Value))
	} else {
		v.SetString(n.Value)
	}
}

// boolean fills the bool v from n.
func (d *decoder) boolean(n *yaml.Node, v reflect.Value, what string) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		b, err := strconv.ParseBool(n.Value)
		if err == nil {
			v.SetBool(b)
			return
		}
	}
	d.errorf(posOf(n), "write true or false", "%s must be true or false, not %s", what, describe(n))
}

func (d *decoder) integer(n *yaml.Node, what string) (int64, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
		if err == nil && i >= math.MinInt32 && i <= math.MaxInt32 {
			return i, true
		}
		d.errorf(posOf(n), "", "%s is out of range: %s", what, n.Value)
		return 0, false
	}
	d.errorf(posOf(n), "", "%s must be a whole number, not %s", what, describe(n))
	return 0, false
}

func (d *decoder) float(n *yaml.Node, what string) (float64, bool) {
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!int":
			i, ok := d.integer(n, what)
			return float64(i), ok
		case "!!float":
			f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
			if err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				return f, true
			}
		}
	}
	d.errorf(posOf(n), "", "%s must be a number, not %s", what, describe(n))
	return 0, false
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, what string) {
	plan := planFor(v.Type())
	if n.Kind != yaml.MappingNode {
		if isNull(n) {
			return
		}
		d.errorf(posOf(n), "", "%s must be a mapping of keys to values, not %s", what, describe(n))
		return
	}
	if plan.posIndex >= 0 {
		*v.Field(plan.posIndex).Addr().Interface().(*Pos) = posOf(n)
	}
	var seen [32]int32 // line of each field's key, by plan index; 0 = unseen
	for i := 0; i+1 < len(n.Content); i += 2 {
		d.field(plan, v, n.Content[i], n.Content[i+1], &seen)
	}
}

// field decodes one key and its value of a mapping into v, the struct
// plan describes; seen holds the line of each field's key so far.
func (d *decoder) field(plan *structPlan, v reflect.Value, k, val *yaml.Node, seen *[32]int32) {
	if f, ok := d.key(plan, k, seen); ok {
		d.fieldValue(f, v, val, k.Value)
	}
}

// key checks a mapping's key against plan and records it in seen; it
// reports an unknown, duplicate or odd key and returns false for it.
func (d *decoder) key(plan *structPlan, k *yaml.Node, seen *[32]int32) (fieldPlan, bool) {
	if k.Kind != yaml.ScalarNode {
		d.errorf(posOf(k), "", "a key in %s must be a plain word, not %s", plan.name, describe(k))
		return fieldPlan{}, false
	}
	if k.Value == "<<" {
		d.errorf(posOf(k), "write the keys out; merge keys (<<) are not supported", "merge key in %s", plan.name)
		return fieldPlan{}, false
	}
	fi, ok := plan.byKey[k.Value]
	if !ok {
		hint := suggest(k.Value, plan.keys)
		if hint == "" {
			hint = "known keys are " + strings.Join(plan.keys, ", ")
		}
		d.errorf(posOf(k), hint, "unknown key %q in %s", k.Value, plan.name)
		return fieldPlan{}, false
	}
	if seen[fi] != 0 {
		d.errorf(posOf(k), "remove one of them", "duplicate key %q in %s (first at line %d)", k.Value, plan.name, seen[fi])
		return fieldPlan{}, false
	}
	seen[fi] = int32(k.Line)
	return plan.fields[fi], true
}

// fieldValue decodes the value of field f of v, and records where it is.
func (d *decoder) fieldValue(f fieldPlan, v reflect.Value, val *yaml.Node, key string) {
	d.decode(val, v.Field(f.index), key)
	if f.posIndex >= 0 {
		pf := v.Field(f.posIndex)
		if pf.Type() == posType {
			*pf.Addr().Interface().(*Pos) = posOf(val)
		} else if val.Kind == yaml.SequenceNode {
			ps := make([]Pos, len(val.Content))
			for j, item := range val.Content {
				ps[j] = posOf(item)
			}
			*pf.Addr().Interface().(*[]Pos) = ps
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func reflectValue(inv *Inventory) reflect.Value { return reflect.ValueOf(inv).Elem() }
