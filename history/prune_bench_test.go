package history

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// BenchmarkPrune measures the prune after a collection — the rows that
// expired since the last one deleted, the rest kept — on a history of
// 260,000 rows and of 10,000,000 (about 40 M at 20,000 devices every 5
// minutes over 7 days, had every reading changed), in the same run. The
// ratio prune-10M/0.26M is the figure: a prune whose cost grows with
// what is kept (the old scan: 40 ms at 0.26 M rows, 1.5 s at 10.4 M)
// would make it ~38; a range delete over an index grows only with the
// index's depth and the pages that fall out of the cache.
// Run it with -benchtime 1x (it builds the databases first, a minute or
// six on this machine: the 10 M rows take minutes; docs/performance.md
// records it).
func BenchmarkPrune(b *testing.B) {
	ctx := context.Background()
	const perPrune = 1_000 // rows expiring between two collections
	const prunes = 20
	sizes := []int{260_000, 10_000_000}
	per := map[int]time.Duration{}
	for _, n := range sizes {
		s, err := Open(ctx, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		// One row per millisecond of until, every row an old reading
		// (latest = 0), with a small payload; built inside SQLite.
		if _, err := s.db.ExecContext(ctx, `
			WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?)
			INSERT INTO readings(device, source, since, until, count, latest, ok, attempted_at, collected_at, hash, data)
			SELECT 'dev-' || (i % 20000), 'redfish', i, i, 1, 0, 1, i, i, zeroblob(32), zeroblob(48) FROM seq`, n); err != nil {
			b.Fatal(err)
		}
		b.Logf("%d rows built in %s", n, time.Since(start).Round(time.Second))
		runtime.GC()
		b.ResetTimer()
		var took time.Duration
		for range b.N {
			for p := 1; p <= prunes; p++ {
				t := time.Now()
				if err := s.Prune(ctx, time.UnixMilli(int64(p*perPrune))); err != nil {
					b.Fatal(err)
				}
				took += time.Since(t)
			}
			b.StopTimer()
			if _, err := s.db.ExecContext(ctx, `
				WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?)
				INSERT INTO readings(device, source, since, until, count, latest, ok, hash, data)
				SELECT 'dev-' || (i % 20000), 'redfish', i, i, 1, 0, 1, zeroblob(32), zeroblob(48) FROM seq`, prunes*perPrune); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		per[n] = took / time.Duration(b.N*prunes)
		var rows int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM readings`).Scan(&rows); err != nil {
			b.Fatal(err)
		}
		b.Logf("%d rows kept: %s a prune of %d rows", rows, per[n], perPrune)
		s.Close()
	}
	small, large := per[sizes[0]], per[sizes[1]]
	b.ReportMetric(float64(small.Microseconds())/1000, "ms/prune-0.26M")
	b.ReportMetric(float64(large.Microseconds())/1000, "ms/prune-10M")
	if small > 0 {
		b.ReportMetric(float64(large)/float64(small), "prune-10M/0.26M")
	}
}
