package plan

import (
	"context"
	"errors"
	"testing"
)

// TestContextStopsWork: a plan given a context that is done returns its
// error instead of a plan; with a live context it answers as without one.
func TestContextStopsWork(t *testing.T) {
	_, g := loadFleet(t, 10_000)
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if p, err := MaintenanceContext(done, g, nil, []string{"kind=psu"}, Options{}); !errors.Is(err, context.Canceled) || p != nil {
		t.Errorf("plan on a cancelled context: %v, %v; want context.Canceled and no plan", p != nil, err)
	}
	p, err := MaintenanceContext(context.Background(), g, nil, []string{"*-tor-*"}, Options{})
	if err != nil || len(p.Batches) == 0 {
		t.Errorf("plan on a live context: %v, %+v", err, p)
	}
}
