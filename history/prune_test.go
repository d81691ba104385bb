package history

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/observation"
)

// TestPruneInBatches: a prune with more expired rows than a batch deletes
// them all, over several transactions, and keeps what has not expired and
// every device's current reading, however old.
func TestPruneInBatches(t *testing.T) {
	cases := []struct {
		name                 string
		batch, expired, kept int
	}{
		{"fewer than a batch", 100, 37, 5},
		{"exactly a batch", 100, 100, 5},
		{"many batches", 100, 1_234, 5},
		{"nothing expired", 100, 0, 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s, err := Open(ctx, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			s.pruneBatch = tc.batch
			cutoff := t0.Add(24 * time.Hour)
			// Old readings of gone devices, ended before the cutoff; a
			// device that left the inventory long ago (its current row,
			// older than the cutoff); readings still within retention.
			insertReadings(t, s, tc.expired, 0, t0)
			insertReadings(t, s, 1, 1, t0)
			insertReadings(t, s, tc.kept, 0, cutoff.Add(time.Minute))
			if _, err := s.UpdateFindings(ctx, t0, []audit.Finding{{ID: "f-1", Rule: "r", Severity: audit.Warning}}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.UpdateFindings(ctx, t0.Add(time.Minute), nil); err != nil { // f-1 resolved
				t.Fatal(err)
			}
			deleted, err := s.Prune(ctx, cutoff)
			if err != nil {
				t.Fatal(err)
			}
			if want := int64(tc.expired + 1); deleted != want {
				t.Errorf("deleted %d rows, want %d (the expired readings and the resolved finding)", deleted, want)
			}
			var rows, latest, findings int
			q := `SELECT COUNT(*), COALESCE(SUM(latest), 0), (SELECT COUNT(*) FROM findings) FROM readings`
			if err := s.db.QueryRowContext(ctx, q).Scan(&rows, &latest, &findings); err != nil {
				t.Fatal(err)
			}
			if rows != tc.kept+1 || latest != 1 || findings != 0 {
				t.Errorf("after prune: %d readings (%d current), %d findings; want %d readings (1 current), 0 findings", rows, latest, findings, tc.kept+1)
			}
		})
	}
}

// insertReadings adds n readings of distinct devices, all ending at
// until, current (latest 1) or old (0).
func insertReadings(t *testing.T, s *Store, n, latest int, until time.Time) {
	t.Helper()
	ms := until.UnixMilli()
	for i := range n {
		_, err := s.db.Exec(`INSERT INTO readings(device, source, since, until, count, latest, ok, data) VALUES(?, 'snmp', ?, ?, 1, ?, 1, x'00')`,
			fmt.Sprintf("dev-%d-%d-%d", ms, latest, i), ms, ms, latest)
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestPrunePlans: each of the prune's deletes finds its rows through an
// index, never by scanning a table (a scan's cost grows with every row
// kept).
func TestPrunePlans(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	wantIndex := []string{"readings_expired", "collection_runs_until", "findings_open"}
	for i, q := range pruneSteps {
		t.Run(wantIndex[i], func(t *testing.T) {
			rows, err := s.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, 0, PruneBatch)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, notUsed int
				var detail string
				if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			all := strings.Join(plan, "\n")
			if !strings.Contains(all, wantIndex[i]) {
				t.Errorf("plan does not use %s:\n%s", wantIndex[i], all)
			}
			for _, step := range plan {
				if strings.HasPrefix(step, "SCAN ") {
					t.Errorf("plan scans a table (%q):\n%s", step, all)
				}
			}
		})
	}
}

// TestPruneKeepsCurrentReadings: readings saved by collections, pruned
// in batches of one, leave each device's current reading.
func TestPruneKeepsCurrentReadings(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.pruneBatch = 1
	for i := range 5 {
		at := t0.Add(time.Duration(i) * time.Minute)
		batch := []observation.Device{obs("sw-1", at, 500-100*float64(i), ""), obs("sw-2", at, 100+60*float64(i), "")} // sw-1 restarts each poll
		if err := s.SaveCollection(ctx, at, batch); err != nil {
			t.Fatal(err)
		}
	}
	deleted, err := s.Prune(ctx, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	latest, err := s.LatestObservations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if deleted != 4 || len(latest) != 2 {
		t.Errorf("deleted %d, kept %d current readings; want sw-1's 4 old readings deleted and 2 current kept", deleted, len(latest))
	}
}
