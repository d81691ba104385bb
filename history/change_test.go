package history

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/faultline/faultline/observation"
)

// lab is a collection of n devices at time at, all healthy, uptime
// growing with time (a PSU of device 0 failed when psuFailed).
func lab(n int, at time.Time, psuFailed bool) []observation.Device {
	out := make([]observation.Device, n)
	for i := range out {
		o := obs(fmt.Sprintf("srv-%03d", i), at, 3600+at.Sub(t0).Seconds(), "")
		o.Source = observation.SourceRedfish
		o.Duration = observation.Duration(time.Duration(40+i%7) * time.Millisecond)
		o.Requests = 9 + i%3
		o.PSUs = []observation.PSU{{ID: "PSU1", Slot: 0, Condition: observation.OK}, {ID: "PSU2", Slot: 1, Condition: observation.OK}}
		if psuFailed && i == 0 {
			o.PSUs[1].Condition = observation.Failed
		}
		o.Temperatures = []observation.Temperature{{Name: "Inlet", Celsius: 22, Inlet: true}}
		out[i] = o
	}
	return out
}

// checkpointedSize is the database file's size with the WAL folded in.
func checkpointedSize(t *testing.T, s *Store) int64 {
	t.Helper()
	if _, err := s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestUnchangedCollectionsKeepSize: 1,000 collections of 26 devices in
// which nothing changes but the per-poll fields (times, durations,
// requests, uptime) leave the database the size it had after the first
// few; a change adds a row, and the latest observation read back is the
// last poll's, per-poll fields included.
func TestUnchangedCollectionsKeepSize(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const devices = 26
	collections := 1000
	if raceEnabled {
		collections = 100 // make test runs the 1,000 without the race detector
	}
	var warm int64
	at := t0
	for i := range collections {
		at = t0.Add(time.Duration(i) * time.Second)
		if err := s.SaveCollection(ctx, at, lab(devices, at, false)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Prune(ctx, at.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if i == 9 {
			warm = checkpointedSize(t, s)
		}
	}
	if got := checkpointedSize(t, s); got != warm {
		t.Errorf("database %d bytes after %d unchanged collections, %d after 10", got, collections, warm)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Observations != devices || st.Collections != collections {
		t.Errorf("stats %+v: want %d rows and %d collections in one run", st, devices, collections)
	}
	latest, err := s.LatestObservations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := lab(devices, at, false)
	if len(latest) != devices || !latest[0].CollectedAt.Equal(at) || *latest[0].UptimeSeconds != *want[0].UptimeSeconds ||
		latest[3].Duration != want[3].Duration || latest[3].Requests != want[3].Requests {
		t.Errorf("latest %+v, want the last poll's %+v", latest[0], want[0])
	}

	// A PSU fails: one new row, for that device only.
	at = at.Add(time.Second)
	if err := s.SaveCollection(ctx, at, lab(devices, at, true)); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Stats(ctx); st.Observations != devices+1 {
		t.Errorf("after a change: %d rows, want %d", st.Observations, devices+1)
	}
	latest, _ = s.LatestObservations(ctx)
	if latest[0].PSUs[1].Condition != observation.Failed {
		t.Errorf("latest of srv-000: %+v, want PSU2 failed", latest[0].PSUs)
	}
}

// TestDatabaseOwnerOnly: the database, its -wal and -shm are created
// 0600, and an existing world-readable one is made so.
func TestDatabaseOwnerOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SaveCollection(ctx, t0, lab(2, t0, false)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(p), m)
		}
	}
}

// TestMigrateFromV1: a database of schema 1 (a row per device per
// collection) is migrated on open: its latest observations and restarts
// read as before, and new collections are stored by change.
func TestMigrateFromV1(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	v1 := []string{
		`CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
		`INSERT INTO meta VALUES('schema', '1')`,
		`CREATE TABLE collections(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, devices INTEGER NOT NULL, failed INTEGER NOT NULL)`,
		`CREATE TABLE observations(collection INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
			device TEXT NOT NULL, source TEXT NOT NULL, ok INTEGER NOT NULL, collected_at INTEGER, boot_at INTEGER, uptime REAL,
			data BLOB NOT NULL, PRIMARY KEY(collection, device, source))`,
		`CREATE INDEX observations_device ON observations(device, source, collection)`,
		`CREATE TABLE findings(id TEXT PRIMARY KEY, rule TEXT NOT NULL, severity TEXT NOT NULL, subject TEXT NOT NULL,
			first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, resolved_at INTEGER, data BLOB NOT NULL)`,
		`CREATE INDEX findings_open ON findings(resolved_at)`,
	}
	for _, q := range v1 {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	// sw-1 restarted between the second and third collection.
	for i, up := range []float64{1000, 1300, 20} {
		at := t0.Add(time.Duration(i) * 5 * time.Minute)
		o := obs("sw-1", at, up, "")
		data, err := pack(o)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := ReadingOf(&o)
		if _, err := db.Exec(`INSERT INTO collections VALUES(?, ?, 1, 0)`, i+1, at.UnixMilli()); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO observations VALUES(?, 'sw-1', 'snmp', 1, ?, ?, ?, ?)`, i+1, at.UnixMilli(), r.At.UnixMilli(), up, data); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var v string
	if err := s.db.QueryRow(`SELECT value FROM meta WHERE key = 'schema'`).Scan(&v); err != nil || v != "2" {
		t.Fatalf("schema %q, %v; want 2", v, err)
	}
	latest, err := s.LatestObservations(ctx)
	if err != nil || len(latest) != 1 || *latest[0].UptimeSeconds != 20 {
		t.Fatalf("latest after migration: %+v, %v", latest, err)
	}
	if got, err := s.Restarts(ctx, t0.Add(-time.Hour)); err != nil || got["sw-1"] != 1 {
		t.Errorf("restarts after migration: %v, %v; want sw-1: 1", got, err)
	}
	for i := 3; i < 6; i++ {
		at := t0.Add(time.Duration(i) * 5 * time.Minute)
		if err := s.SaveCollection(ctx, at, []observation.Device{obs("sw-1", at, 20+float64(i-2)*300, "")}); err != nil {
			t.Fatal(err)
		}
	}
	// Three migrated rows, and one run of the three new collections.
	if st, _ := s.Stats(ctx); st.Observations != 4 || st.Collections != 6 {
		t.Errorf("stats %+v: want 4 rows, 6 collections", st)
	}
	if got, _ := s.Restarts(ctx, t0.Add(-time.Hour)); got["sw-1"] != 1 {
		t.Errorf("restarts %v, want sw-1: 1", got)
	}
}

// TestFailingDeviceOneRow: a device that fails the same way every poll,
// its error's timings aside, is one row; the latest observation carries
// the last poll's error text.
func TestFailingDeviceOneRow(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 5 {
		at := t0.Add(time.Duration(i) * time.Minute)
		o := obs("sw-1", at, 0, fmt.Sprintf("no answer (after %dms)", 300+i*17))
		if err := s.SaveCollection(ctx, at, []observation.Device{o}); err != nil {
			t.Fatal(err)
		}
	}
	if st, _ := s.Stats(ctx); st.Observations != 1 {
		t.Errorf("%d rows for one failure, want 1", st.Observations)
	}
	latest, err := s.LatestObservations(ctx)
	if err != nil || len(latest) != 1 || latest[0].Error != "no answer (after 368ms)" {
		t.Errorf("latest %+v, %v", latest, err)
	}
	at := t0.Add(5 * time.Minute)
	if err := s.SaveCollection(ctx, at, []observation.Device{obs("sw-1", at, 0, "refused")}); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Stats(ctx); st.Observations != 2 {
		t.Errorf("%d rows after another error, want 2", st.Observations)
	}
}
