package audit

import (
	"context"
	"errors"
	"testing"
)

// TestContextStopsWork: an analysis and a what-if given a context
// that is done return its error instead of a result; with a live context
// they answer as without one. (The plan's is in package plan.)
func TestContextStopsWork(t *testing.T) {
	_, g := loadFleet(t, 10_000)
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if a, err := AnalyzeContext(done, g, Options{SkipPairs: true}); !errors.Is(err, context.Canceled) || a != nil {
		t.Errorf("analysis on a cancelled context: %v, %v; want context.Canceled", a != nil, err)
	}
	if w, err := RunWhatIfContext(done, g, nil, []string{g.Comps[0].ID}); !errors.Is(err, context.Canceled) || w != nil {
		t.Errorf("what-if on a cancelled context: %v, %v; want context.Canceled", w != nil, err)
	}
	if a, err := AnalyzeContext(context.Background(), g, Options{SkipPairs: true}); err != nil || a == nil {
		t.Errorf("analysis on a live context: %v", err)
	}
}
