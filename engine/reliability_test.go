package engine

import (
	"context"
	"testing"
)

// TestReliabilityFigures: every audit carries the reliability figures (the
// report's object, the analysis's figures, the findings' downtime) unless
// NoReliability leaves them out.
func TestReliabilityFigures(t *testing.T) {
	for _, off := range []bool{false, true} {
		eng, err := New(context.Background(), Config{InventoryFile: "../inventory.yaml", WatchInterval: -1, NoReliability: off})
		if err != nil {
			t.Fatal(err)
		}
		snap := eng.Snapshot()
		withDowntime := 0
		for _, f := range snap.Report.Findings {
			if f.DowntimeMinutesPerYear != nil {
				withDowntime++
			}
		}
		switch {
		case off && (snap.Report.Reliability != nil || snap.Analysis.Figures != nil || withDowntime > 0):
			t.Errorf("NoReliability: figures computed anyway (%d findings with downtime)", withDowntime)
		case !off && (snap.Report.Reliability == nil || len(snap.Report.Reliability.Services) != len(snap.Analysis.G.Services) || withDowntime == 0):
			t.Errorf("reliability object %v, %d findings with downtime", snap.Report.Reliability, withDowntime)
		}
		eng.Close()
	}
}
