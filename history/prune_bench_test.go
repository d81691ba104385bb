package history

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"time"
)

// BenchmarkPrune measures the prune after a collection — the rows that
// expired since the last one deleted, the rest kept — on a history of
// 260,000 rows kept and of 10,000,000 (about 40 M at 20,000 devices every
// 5 minutes over 7 days, had every reading changed), in the same run. The
// ratio prune-10M/0.26M is the figure: a prune whose cost grows with
// what is kept (the old scan: 40 ms at 0.26 M rows, 1.5 s at 10.4 M)
// would make it ~38; a range delete over an index grows only with the
// index's depth and the pages that fall out of the cache. Each size is
// pruned 200 times (1,000 rows each), so that the WAL checkpoints that
// fall among them (one every ~1,000 written pages) are counted as they
// come in service; the mean and the 95th percentile are reported.
// Run it with -benchtime 1x (building the 10 M rows takes a minute or
// more; docs/performance.md records it).
func BenchmarkPrune(b *testing.B) {
	const (
		perPrune = 1_000 // rows expiring between two collections
		prunes   = 200
	)
	sizes := []int{260_000, 10_000_000}
	mean, p95 := map[int]time.Duration{}, map[int]time.Duration{}
	for _, n := range sizes {
		s := buildHistory(b, n, prunes*perPrune)
		runtime.GC()
		b.ResetTimer()
		var took []time.Duration
		for i := range b.N {
			if i > 0 {
				b.StopTimer()
				expiring(b, s, 0, prunes*perPrune)
				b.StartTimer()
			}
			for p := 1; p <= prunes; p++ {
				t := time.Now()
				if _, err := s.Prune(context.Background(), time.UnixMilli(int64(p*perPrune))); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(t))
			}
		}
		b.StopTimer()
		slices.Sort(took)
		var sum time.Duration
		for _, d := range took {
			sum += d
		}
		mean[n], p95[n] = sum/time.Duration(len(took)), took[len(took)*95/100]
		b.Logf("%d rows kept: a prune of %d rows %s on average, %s at the 95th percentile", n, perPrune, mean[n], p95[n])
		s.Close()
	}
	small, large := sizes[0], sizes[1]
	b.ReportMetric(float64(mean[small].Microseconds())/1000, "ms/prune-0.26M")
	b.ReportMetric(float64(mean[large].Microseconds())/1000, "ms/prune-10M")
	if mean[small] > 0 && p95[small] > 0 {
		b.ReportMetric(float64(mean[large])/float64(mean[small]), "prune-10M/0.26M")
		b.ReportMetric(float64(p95[large])/float64(p95[small]), "p95-10M/0.26M")
	}
}

// buildHistory makes a store with expire rows that a prune will delete
// (until 0 to expire-1 ms, inserted first, as old rows are) and kept rows
// that it keeps (until far later), every row an old reading (latest = 0)
// with a small payload; built inside SQLite.
func buildHistory(b *testing.B, kept, expire int) *Store {
	b.Helper()
	s, err := Open(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	expiring(b, s, 0, expire)
	expiring(b, s, 1<<40, kept)
	b.Logf("%d rows kept and %d to prune built in %s", kept, expire, time.Since(start).Round(time.Second))
	return s
}

// expiring inserts n old readings ending at from, from+1, … ms.
func expiring(b *testing.B, s *Store, from int64, n int) {
	b.Helper()
	if _, err := s.db.Exec(`
		WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?)
		INSERT INTO readings(device, source, since, until, count, latest, ok, attempted_at, collected_at, hash, data)
		SELECT 'dev-' || (i % 20000), 'redfish', ? + i, ? + i, 1, 0, 1, i, i, zeroblob(32), zeroblob(48) FROM seq`, n, from, from); err != nil {
		b.Fatal(err)
	}
}
