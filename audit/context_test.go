package audit

import (
	"context"
	"errors"
	"testing"
)

// TestContextStopsWork: a plan, an analysis and a what-if given a context
// that is done return its error instead of a result; with a live context
// they answer as without one.
func TestContextStopsWork(t *testing.T) {
	_, g := loadFleet(t, 10_000)
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if p, err := PlanMaintenanceContext(done, g, nil, []string{"kind=psu"}, PlanOptions{}); !errors.Is(err, context.Canceled) || p != nil {
		t.Errorf("plan on a cancelled context: %v, %v; want context.Canceled and no plan", p != nil, err)
	}
	if a, err := AnalyzeContext(done, g, Options{SkipPairs: true}); !errors.Is(err, context.Canceled) || a != nil {
		t.Errorf("analysis on a cancelled context: %v, %v; want context.Canceled", a != nil, err)
	}
	if w, err := RunWhatIfContext(done, g, nil, []string{g.Comps[0].ID}); !errors.Is(err, context.Canceled) || w != nil {
		t.Errorf("what-if on a cancelled context: %v, %v; want context.Canceled", w != nil, err)
	}
	p, err := PlanMaintenanceContext(context.Background(), g, nil, []string{"*-tor-*"}, PlanOptions{})
	if err != nil || len(p.Batches) == 0 {
		t.Errorf("plan on a live context: %v, %+v", err, p)
	}
}
