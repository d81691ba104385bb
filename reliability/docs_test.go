package reliability_test

import (
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/faultline/faultline/inventory"
)

// TestBuiltinFiguresDocumented: docs/reliability.md's table of built-in
// figures states exactly the figures the code uses, for every kind.
func TestBuiltinFiguresDocumented(t *testing.T) {
	data, err := os.ReadFile("../docs/reliability.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z]+)` \\| ([0-9.]+) \\| ([0-9a-z.]+) \\| ([0-9.e+-]+) \\| (.+) \\|$")
	seen := map[string]bool{}
	for _, m := range row.FindAllStringSubmatch(string(data), -1) {
		kind := m[1]
		want, ok := inventory.BuiltinRates[kind]
		if !ok {
			t.Errorf("docs list kind %s, which has no built-in figure", kind)
			continue
		}
		seen[kind] = true
		afr, err := strconv.ParseFloat(m[2], 64)
		if err != nil || afr != want.AFR {
			t.Errorf("%s: docs say afr %s, code %g", kind, m[2], want.AFR)
		}
		if d, ok := inventory.ParseDuration(m[3]); !ok || time.Duration(d) != want.Repair {
			t.Errorf("%s: docs say repair %s, code %v", kind, m[3], want.Repair)
		}
		if q, err := strconv.ParseFloat(m[4], 64); err != nil || strconv.FormatFloat(q, 'e', 1, 64) != strconv.FormatFloat(want.Unavailability(), 'e', 1, 64) {
			t.Errorf("%s: docs say q %s, code %.1e", kind, m[4], want.Unavailability())
		}
	}
	for _, k := range inventory.RateKinds {
		if !seen[k] {
			t.Errorf("kind %s missing from docs/reliability.md's built-in figures", k)
		}
	}
}
