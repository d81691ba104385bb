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
// index's depth and the pages that fall out of the cache. Both histories
// are built first, then pruned in turn, 200 times each (1,000 rows a
// prune), so that whatever else loads the machine weighs on both alike
// and the WAL checkpoints that fall among the prunes (one every ~1,000
// written pages) are counted as they come in service; the mean and the
// 95th percentile are reported. Run it with -benchtime 1x (building the
// 10 M rows takes a minute or more; docs/performance.md records it).
func BenchmarkPrune(b *testing.B) {
	const (
		perPrune = 1_000 // rows expiring between two collections
		prunes   = 200
	)
	sizes := []int{260_000, 10_000_000}
	stores := make([]*Store, len(sizes))
	for i, n := range sizes {
		stores[i] = buildHistory(b, n, prunes*perPrune)
		defer stores[i].Close()
	}
	runtime.GC()
	b.ResetTimer()
	took := make([][]time.Duration, len(sizes))
	for i := range b.N {
		if i > 0 {
			b.StopTimer()
			for _, s := range stores {
				expiring(b, s, 0, prunes*perPrune)
			}
			b.StartTimer()
		}
		for p := 1; p <= prunes; p++ {
			for j, s := range stores {
				t := time.Now()
				if _, err := s.Prune(context.Background(), time.UnixMilli(int64(p*perPrune))); err != nil {
					b.Fatal(err)
				}
				took[j] = append(took[j], time.Since(t))
			}
		}
	}
	b.StopTimer()
	mean, p95 := make([]time.Duration, len(sizes)), make([]time.Duration, len(sizes))
	for j, n := range sizes {
		mean[j], p95[j] = meanP95(took[j])
		b.Logf("%d rows kept: a prune of %d rows %s on average, %s at the 95th percentile", n, perPrune, mean[j], p95[j])
	}
	b.ReportMetric(float64(mean[0].Microseconds())/1000, "ms/prune-0.26M")
	b.ReportMetric(float64(mean[1].Microseconds())/1000, "ms/prune-10M")
	if mean[0] > 0 && p95[0] > 0 {
		b.ReportMetric(float64(mean[1])/float64(mean[0]), "prune-10M/0.26M")
		b.ReportMetric(float64(p95[1])/float64(p95[0]), "p95-10M/0.26M")
	}
}

func meanP95(d []time.Duration) (mean, p95 time.Duration) {
	slices.Sort(d)
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	return sum / time.Duration(len(d)), d[len(d)*95/100]
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
