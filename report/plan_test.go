package report

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/faultline/faultline/audit"
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
				if err := Plan(&b, format.f, title, p, nil); err != nil {
					t.Fatal(err)
				}
				golden(t, "plan-"+tc.name+"."+format.ext, b.Bytes())
			}
			var b bytes.Buffer
			if err := PlanHTML(&b, p, nil, HTMLOptions{Title: "Maintenance plan", Inventory: tc.name + ".yaml"}); err != nil {
				t.Fatal(err)
			}
			golden(t, "plan-"+tc.name+".html", b.Bytes())
		})
	}
}

// TestGoldenPlanWindow renders plans with each batch's risk during a
// window (plan --window) in every format: the tor pair (each switch out
// leaves web hanging on the other) and the repair case (observed failures
// in force while the batches are out).
func TestGoldenPlanWindow(t *testing.T) {
	for _, tc := range []struct {
		name, maintain, obs, window string
	}{
		{name: "tor-pair", maintain: "tor-*", window: "4h"},
		{name: "repair", maintain: "pdu-a,pdu-b", obs: "repair.obs.json", window: "2d"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, p := planFor(t, tc.name, tc.maintain, tc.obs, false)
			d, err := audit.ParseWindow(tc.window)
			if err != nil {
				t.Fatal(err)
			}
			batches := make([][]string, len(p.Batches))
			for i, b := range p.Batches {
				batches[i] = b.Components
			}
			risk, err := audit.Analyze(g, audit.Options{SkipPairs: true}).PlanRisk(context.Background(), batches, d)
			if err != nil {
				t.Fatal(err)
			}
			name := "plan-window-" + tc.name
			for _, format := range []struct {
				f   Format
				ext string
			}{{JSON, "json"}, {Table, "txt"}, {Markdown, "md"}} {
				var b bytes.Buffer
				if err := Plan(&b, format.f, "faultline plan of "+tc.name+".yaml", p, risk); err != nil {
					t.Fatal(err)
				}
				golden(t, name+"."+format.ext, b.Bytes())
			}
			var b bytes.Buffer
			if err := PlanHTML(&b, p, risk, HTMLOptions{Title: "Maintenance plan", Inventory: tc.name + ".yaml"}); err != nil {
				t.Fatal(err)
			}
			golden(t, name+".html", b.Bytes())
		})
	}
}

// TestOneIn words probabilities as a reader takes them in.
func TestOneIn(t *testing.T) {
	for _, tt := range []struct {
		p    float64
		want string
	}{
		{0, "none"},
		{1, "certain"},
		{0.75, "0.75"},
		{0.5, "1 in 2.0 (5.0e-01)"},
		{8.3e-5, "1 in 12,000 (8.3e-05)"},
		{2.44e-7, "1 in 4.1 million (2.4e-07)"},
		{1e-10, "1 in 10 billion (1.0e-10)"},
		{1.0 / 123456, "1 in 120,000 (8.1e-06)"},
	} {
		if got := OneIn(tt.p); got != tt.want {
			t.Errorf("OneIn(%g) = %q, want %q", tt.p, got, tt.want)
		}
	}
}
