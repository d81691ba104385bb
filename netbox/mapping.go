package netbox

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Issue is one NetBox object the import could not map as NetBox holds it,
// or mapped as unknown: never dropped silently.
type Issue struct {
	NetBox string `json:"netbox"` // "dcim.powerport/12"
	Name   string `json:"name"`
	Why    string `json:"why"`
}

// Report is what the import says beside the file it writes.
type Report struct {
	URL     string         `json:"url"`
	Version string         `json:"netbox_version"`
	Stats   Stats          `json:"stats"`
	Counts  map[string]int `json:"counts"`
	Issues  []Issue        `json:"issues"`
}

// Escape turns a NetBox name into an inventory id: letters, digits, '.'
// and '-' are kept; every other byte (UTF-8 included, '_' too) is written
// _XX in hex, so that the name can be read back (Unescape) and two names
// never become one id. A name starting with anything but a letter or
// digit gets the prefix "x_-" (which no escaped name can begin with:
// an escape is always "_" and two hex digits).
func Escape(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "_%02X", c)
		}
	}
	s := b.String()
	if s == "" || !isAlnum(s[0]) {
		s = "x_-" + s
	}
	return s
}

// Unescape reverses Escape.
func Unescape(id string) (string, bool) {
	id = strings.TrimPrefix(id, "x_-")
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		if id[i] != '_' {
			b.WriteByte(id[i])
			continue
		}
		if i+2 >= len(id) {
			return "", false
		}
		n, err := strconv.ParseUint(id[i+1:i+3], 16, 8)
		if err != nil {
			return "", false
		}
		b.WriteByte(byte(n))
		i += 2
	}
	return b.String(), true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// ids hands out inventory ids: the escaped name when no other object has
// it; else qualified by its scope (site, panel); else by its NetBox id.
type ids struct {
	want  map[string][]*idReq
	given map[string]string // "model/id" -> id
}

type idReq struct {
	key, name, scope, model string
	id                      int
}

func (x *ids) ask(model string, id int, name, scope string) {
	if x.want == nil {
		x.want, x.given = map[string][]*idReq{}, map[string]string{}
	}
	r := &idReq{key: fmt.Sprintf("%s/%d", model, id), name: Escape(name), scope: scope, model: model, id: id}
	x.want[r.name] = append(x.want[r.name], r)
}

// assign resolves every request; it is deterministic in the requests.
func (x *ids) assign() {
	used := map[string]bool{}
	var clash []*idReq
	for name, rs := range x.want {
		if len(rs) == 1 {
			x.given[rs[0].key] = name
			used[name] = true
		} else {
			clash = append(clash, rs...)
		}
	}
	sort.Slice(clash, func(i, j int) bool { return clash[i].key < clash[j].key })
	second := map[string]int{}
	for _, r := range clash {
		if r.scope != "" {
			second[r.scope+"."+r.name]++
		}
	}
	for _, r := range clash {
		cand := r.scope + "." + r.name
		if r.scope == "" || second[cand] > 1 || used[cand] {
			cand = fmt.Sprintf("%s.%s%d", r.name, shortModel(r.model), r.id)
		}
		x.given[r.key] = cand
		used[cand] = true
	}
}

func (x *ids) of(model string, id int) string { return x.given[fmt.Sprintf("%s/%d", model, id)] }

func shortModel(m string) string {
	_, after, _ := strings.Cut(m, ".")
	return after
}

// outletNumber reads "Outlet 22", "22", "OUT22" as 22.
var outletNumber = regexp.MustCompile(`^(?i:outlet|out|port|o)?\s*0*([1-9][0-9]{0,5})$`)

// outletName is how an outlet is written in the inventory: its number
// when the name is one, else its escaped name.
func outletName(name string) string {
	if m := outletNumber.FindStringSubmatch(strings.TrimSpace(name)); m != nil {
		return m[1]
	}
	return Escape(name)
}

// FeedCapacityW is a feed's capacity: voltage × amperage, × √3 for a
// three-phase feed. NetBox's max_utilization is not applied: it is the
// limit the operator set, and faultline's policy.max_load_pct plays that
// part (default 80%), so applying both would count the margin twice.
func FeedCapacityW(f *PowerFeed) float64 {
	w := math.Abs(f.Voltage) * f.Amperage
	if f.Phase.Value == "three-phase" {
		w *= math.Sqrt(3)
	}
	return math.Round(w)
}
