package audit

import (
	"flag"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite docs/rules.md")

// TestCatalogue keeps docs/rules.md equal to the rule registry.
func TestCatalogue(t *testing.T) {
	const path = "../docs/rules.md"
	got := Catalogue()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("docs/rules.md is stale (go test ./audit -run TestCatalogue -update) (-file +registry):\n%s", diff)
	}
}

func TestRulesRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules {
		if seen[r.ID] {
			t.Errorf("duplicate rule %s", r.ID)
		}
		seen[r.ID] = true
		if r.Title == "" || r.Means == "" || r.Why == "" || r.Fix == "" {
			t.Errorf("rule %s lacks documentation", r.ID)
		}
		if r.Severity != Critical && r.Severity != Warning {
			t.Errorf("rule %s has severity %q", r.ID, r.Severity)
		}
	}
}
