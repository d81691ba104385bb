package report

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/observation"
	"github.com/faultline/faultline/plan"
)

// planCases are the hand-made maintenance cases under testdata/plan.
var planCases = []struct {
	name, maintain string
	keep           bool
	obs            string // observations file laid over the inventory
}{
	{name: "tor-pair", maintain: "tor-*"},
	{name: "feed-switches", maintain: "kind=feed"},
	{name: "quorum", maintain: "db-*"},
	{name: "pdu-overload", maintain: "kind=pdu"},
	{name: "repair", maintain: "pdu-a,pdu-b", obs: "repair.obs.json"},
}

func planFor(t *testing.T, name, maintain, obs string, keep bool) (*model.Graph, *plan.Plan) {
	t.Helper()
	inv, err := inventory.Load(filepath.Join("testdata", "plan", name+".yaml"), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ov *model.Overlay
	if obs != "" {
		f, err := os.Open(filepath.Join("testdata", "plan", obs))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		of, err := observation.Read(f)
		if err != nil {
			t.Fatal(err)
		}
		ov = &model.Observe(inv, of.Devices).Overlay
	}
	g, err := model.Build(inv, ov)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Maintenance(g, nil, plan.SplitSelectors(maintain), plan.Options{KeepRedundancy: keep, At: fixedTime})
	if err != nil {
		t.Fatal(err)
	}
	return g, p
}

// TestGoldenPlan renders the plan of each hand-made case in every format.
func TestGoldenPlan(t *testing.T) {
	for _, tc := range planCases {
		t.Run(tc.name, func(t *testing.T) {
			_, p := planFor(t, tc.name, tc.maintain, tc.obs, tc.keep)
			title := "faultline plan of " + tc.name + ".yaml"
			for _, format := range []struct {
				f   Format
				ext string
			}{{JSON, "json"}, {Table, "txt"}, {Markdown, "md"}} {
				var b bytes.Buffer
				if err := Plan(&b, format.f, title, p); err != nil {
					t.Fatal(err)
				}
				golden(t, "plan-"+tc.name+"."+format.ext, b.Bytes())
			}
			var b bytes.Buffer
			if err := PlanHTML(&b, p, HTMLOptions{Title: "Maintenance plan", Inventory: tc.name + ".yaml"}); err != nil {
				t.Fatal(err)
			}
			golden(t, "plan-"+tc.name+".html", b.Bytes())
		})
	}
}
