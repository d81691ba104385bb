// Package history keeps what faultline has seen under serve --data DIR, in
// an embedded SQLite database (modernc.org/sqlite, pure Go): every
// collection's observations (compressed, pruned after a retention period)
// and every finding's lifecycle (first seen, last seen, resolved), so that
// the API can say "open since 3 days" and a restart serves the last state
// at once. Each collection is written in one transaction: a crash loses at
// most the collection in flight.
package history

import (
	"bytes"
	"compress/flate"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/observation"
)

// FileName is the database's name inside the data directory.
const FileName = "faultline.db"

const schemaVersion = "1"

// Store is the history database. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string
	lock *dirLock

	healthM sync.Mutex
	health  Health
}

// Health is how the store's writes have gone since it was opened: a full
// disk or a database another program holds make writes fail while
// collection and auditing go on, and history is lost until they succeed
// again.
type Health struct {
	// WriteFailures counts writes (a collection, an audit's findings, a
	// prune) that failed.
	WriteFailures uint64
	// LastSuccess is when a write last committed.
	LastSuccess time.Time
	// Failing is true while the latest write failed, since FailingSince;
	// LastError and LastErrorAt describe the latest failure.
	Failing      bool
	FailingSince time.Time
	LastError    string
	LastErrorAt  time.Time
}

// Health returns the write outcomes so far.
func (s *Store) Health() Health {
	s.healthM.Lock()
	defer s.healthM.Unlock()
	return s.health
}

// record notes a write's outcome. A write cut short by its context
// (shutdown) is neither a success nor a failure.
func (s *Store) record(ctx context.Context, err error) {
	if err != nil && ctx.Err() != nil {
		return
	}
	s.healthM.Lock()
	defer s.healthM.Unlock()
	now := time.Now().UTC()
	if err != nil {
		if !s.health.Failing {
			s.health.FailingSince = now
		}
		s.health.WriteFailures++
		s.health.Failing, s.health.LastError, s.health.LastErrorAt = true, err.Error(), now
		return
	}
	s.health.Failing, s.health.FailingSince, s.health.LastSuccess = false, time.Time{}, now
}

// Open opens (creating if needed) the store in dir, locking the
// directory: while it is open, Open of the same directory by another
// process (or another Store) fails with ErrLocked.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, FileName)
	// WAL: readers never block the writer, and a killed process loses
	// nothing committed. busy_timeout: wait, do not fail, on a lock.
	// _txlock=immediate: a transaction takes the write lock when it
	// begins, so it waits out the busy timeout there; a deferred one that
	// read first and must then upgrade fails at once with SQLITE_BUSY.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(ON)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		lock.release()
		return nil, fmt.Errorf("history: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1) // one writer; SQLite serializes writes anyway
	s := &Store{db: db, path: path, lock: lock}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		lock.release()
		return nil, err
	}
	return s, nil
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database and unlocks the directory.
func (s *Store) Close() error {
	err := s.db.Close()
	return errors.Join(err, s.lock.release())
}

func (s *Store) migrate(ctx context.Context) error {
	stmts := []string{
		`CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS collections(
			id INTEGER PRIMARY KEY, at INTEGER NOT NULL, devices INTEGER NOT NULL, failed INTEGER NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS observations(
			collection INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
			device TEXT NOT NULL, source TEXT NOT NULL,
			ok INTEGER NOT NULL, collected_at INTEGER, boot_at INTEGER, uptime REAL,
			data BLOB NOT NULL,
			PRIMARY KEY(collection, device, source))`,
		`CREATE INDEX IF NOT EXISTS observations_device ON observations(device, source, collection)`,
		`CREATE TABLE IF NOT EXISTS findings(
			id TEXT PRIMARY KEY, rule TEXT NOT NULL, severity TEXT NOT NULL, subject TEXT NOT NULL,
			first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, resolved_at INTEGER,
			data BLOB NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS findings_open ON findings(resolved_at)`,
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("history: migrate: %w", err)
	}
	defer tx.Rollback()
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("history: migrate: %w", err)
		}
	}
	var v string
	err = tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'schema'`).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES('schema', ?)`, schemaVersion); err != nil {
			return fmt.Errorf("history: migrate: %w", err)
		}
	case err != nil:
		return fmt.Errorf("history: migrate: %w", err)
	case v != schemaVersion:
		return fmt.Errorf("history: %s has schema %s; this build reads %s", s.path, v, schemaVersion)
	}
	return tx.Commit()
}

func pack(v any) ([]byte, error) {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestSpeed)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func unpack(data []byte, v any) error {
	r := flate.NewReader(bytes.NewReader(data))
	defer r.Close()
	return json.NewDecoder(io.LimitReader(r, 64<<20)).Decode(v)
}

func unix(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func fromUnix(ms sql.NullInt64) time.Time {
	if !ms.Valid {
		return time.Time{}
	}
	return time.UnixMilli(ms.Int64).UTC()
}

// SaveCollection stores one collection's observations in one transaction.
func (s *Store) SaveCollection(ctx context.Context, at time.Time, obs []observation.Device) (err error) {
	defer func() { s.record(ctx, err) }()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("history: save collection: %w", err)
	}
	defer tx.Rollback()
	failed := 0
	for _, o := range obs {
		if o.Error != "" {
			failed++
		}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO collections(at, devices, failed) VALUES(?, ?, ?)`, at.UnixMilli(), len(obs), failed)
	if err != nil {
		return fmt.Errorf("history: save collection: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("history: save collection: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO observations(collection, device, source, ok, collected_at, boot_at, uptime, data) VALUES(?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("history: save collection: %w", err)
	}
	defer stmt.Close()
	for _, o := range obs {
		data, err := pack(o)
		if err != nil {
			return fmt.Errorf("history: %s: %w", o.ID, err)
		}
		var boot, uptime any
		if r, ok := ReadingOf(&o); ok {
			boot, uptime = r.At.UnixMilli(), r.Uptime
		}
		ok := 0
		if o.Error == "" {
			ok = 1
		}
		if _, err := stmt.ExecContext(ctx, id, o.ID, o.Source, ok, unix(o.CollectedAt), boot, uptime, data); err != nil {
			return fmt.Errorf("history: %s: %w", o.ID, err)
		}
	}
	return tx.Commit()
}

// LatestObservations returns each device's newest stored observation per
// source (what a restart serves before its first collection).
func (s *Store) LatestObservations(ctx context.Context) ([]observation.Device, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT o.data FROM observations o
		JOIN (SELECT device, source, MAX(collection) AS c FROM observations GROUP BY device, source) last
		  ON o.device = last.device AND o.source = last.source AND o.collection = last.c
		ORDER BY o.device, o.source`)
	if err != nil {
		return nil, fmt.Errorf("history: latest observations: %w", err)
	}
	defer rows.Close()
	var out []observation.Device
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("history: latest observations: %w", err)
		}
		var o observation.Device
		if err := unpack(data, &o); err != nil {
			return nil, fmt.Errorf("history: latest observations: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Restarts counts, per device, the restarts seen in the stored
// observations since the given time (see CountRestarts).
func (s *Store) Restarts(ctx context.Context, since time.Time) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT o.device, o.source, o.collected_at, o.boot_at, o.uptime FROM observations o JOIN collections c ON c.id = o.collection
		WHERE c.at >= ? AND o.boot_at IS NOT NULL ORDER BY o.device, o.source, o.collection`, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("history: restarts: %w", err)
	}
	defer rows.Close()
	var readings []Reading
	for rows.Next() {
		var r Reading
		var seen sql.NullInt64
		var bootMS int64
		if err := rows.Scan(&r.Device, &r.Source, &seen, &bootMS, &r.Uptime); err != nil {
			return nil, fmt.Errorf("history: restarts: %w", err)
		}
		r.Seen, r.At = fromUnix(seen), time.UnixMilli(bootMS).UTC()
		readings = append(readings, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history: restarts: %w", err)
	}
	return CountRestarts(readings, since), nil
}

// RestartSlack is how far a computed boot time may move between polls
// before it counts as a restart (clock jitter, uptime rounding).
const RestartSlack = 90 * time.Second

// Boot is one reading of a device's uptime: when it booted and how long
// it had been up.
type Boot struct {
	At     time.Time
	Uptime float64
}

// Reading is one good poll's uptime of a device from one source, read at
// Seen.
type Reading struct {
	Device, Source string
	Seen           time.Time
	Boot
}

// ReadingOf returns the uptime reading of a good observation, if it has one.
func ReadingOf(o *observation.Device) (Reading, bool) {
	if o.Error != "" || o.UptimeSeconds == nil || !o.HasData() {
		return Reading{}, false
	}
	at := o.CollectedAt.Add(-time.Duration(*o.UptimeSeconds * float64(time.Second)))
	return Reading{Device: o.ID, Source: o.Source, Seen: o.CollectedAt, Boot: Boot{At: at, Uptime: *o.UptimeSeconds}}, true
}

// CountRestarts is the one restart counter, for the history database and
// for serve without one: per device, the restarts between consecutive
// readings of one source, both seen at or after since. The flapping
// rule's limit is applied by package audit.
func CountRestarts(readings []Reading, since time.Time) map[string]int {
	rs := make([]Reading, 0, len(readings))
	for _, r := range readings {
		if !r.Seen.Before(since) {
			rs = append(rs, r)
		}
	}
	slices.SortStableFunc(rs, func(a, b Reading) int {
		if c := strings.Compare(a.Device, b.Device); c != 0 {
			return c
		}
		if c := strings.Compare(a.Source, b.Source); c != 0 {
			return c
		}
		return a.Seen.Compare(b.Seen)
	})
	out := map[string]int{}
	for i := 1; i < len(rs); i++ {
		prev, cur := rs[i-1], rs[i]
		if prev.Device == cur.Device && prev.Source == cur.Source && Restarted(prev.Boot, cur.Boot) {
			out[cur.Device]++
		}
	}
	return out
}

// Restarted reports whether the device restarted between two readings:
// its uptime went down (uptime only grows; the tolerance covers the
// 10 ms resolution of sysUpTime), or its boot time moved forward by more than
// RestartSlack (a reset between two polls that left it with more uptime
// than before cannot be seen).
func Restarted(prev, cur Boot) bool {
	return cur.Uptime+0.05 < prev.Uptime || cur.At.After(prev.At.Add(RestartSlack))
}

// Lifecycle is one finding's history.
type Lifecycle struct {
	FirstSeen, LastSeen time.Time
}

// UpdateFindings records an audit's findings at time at: new findings are
// first seen now, findings seen before keep their first-seen time, and
// open findings no longer present are resolved. It returns the first-seen
// time of every finding given.
func (s *Store) UpdateFindings(ctx context.Context, at time.Time, fs []audit.Finding) (_ map[string]time.Time, err error) {
	defer func() { s.record(ctx, err) }()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("history: findings: %w", err)
	}
	defer tx.Rollback()
	open := map[string]time.Time{}
	rows, err := tx.QueryContext(ctx, `SELECT id, first_seen FROM findings WHERE resolved_at IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("history: findings: %w", err)
	}
	for rows.Next() {
		var id string
		var first sql.NullInt64
		if err := rows.Scan(&id, &first); err != nil {
			rows.Close()
			return nil, fmt.Errorf("history: findings: %w", err)
		}
		open[id] = fromUnix(first)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history: findings: %w", err)
	}
	now := at.UnixMilli()
	out := make(map[string]time.Time, len(fs))
	upsert, err := tx.PrepareContext(ctx, `
		INSERT INTO findings(id, rule, severity, subject, first_seen, last_seen, resolved_at, data) VALUES(?, ?, ?, ?, ?, ?, NULL, ?)
		ON CONFLICT(id) DO UPDATE SET rule = excluded.rule, severity = excluded.severity, subject = excluded.subject,
			first_seen = CASE WHEN findings.resolved_at IS NULL THEN findings.first_seen ELSE excluded.first_seen END,
			last_seen = excluded.last_seen, resolved_at = NULL, data = excluded.data`)
	if err != nil {
		return nil, fmt.Errorf("history: findings: %w", err)
	}
	defer upsert.Close()
	seen := make(map[string]bool, len(fs))
	for _, f := range fs {
		if seen[f.ID] {
			continue
		}
		seen[f.ID] = true
		first, ok := open[f.ID]
		if !ok {
			first = time.UnixMilli(now).UTC() // what the database keeps
		}
		out[f.ID] = first
		f.FirstSeen = nil
		data, err := json.Marshal(f)
		if err != nil {
			return nil, fmt.Errorf("history: finding %s: %w", f.ID, err)
		}
		if _, err := upsert.ExecContext(ctx, f.ID, f.Rule, string(f.Severity), f.Subject, first.UnixMilli(), now, data); err != nil {
			return nil, fmt.Errorf("history: finding %s: %w", f.ID, err)
		}
	}
	for id := range open {
		if !seen[id] {
			if _, err := tx.ExecContext(ctx, `UPDATE findings SET resolved_at = ? WHERE id = ?`, now, id); err != nil {
				return nil, fmt.Errorf("history: resolve %s: %w", id, err)
			}
		}
	}
	return out, tx.Commit()
}

// OpenFindings returns the findings open at the last audit, with their
// first-seen times.
func (s *Store) OpenFindings(ctx context.Context) ([]audit.Finding, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT data, first_seen FROM findings WHERE resolved_at IS NULL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("history: open findings: %w", err)
	}
	defer rows.Close()
	var out []audit.Finding
	for rows.Next() {
		var data []byte
		var first sql.NullInt64
		if err := rows.Scan(&data, &first); err != nil {
			return nil, fmt.Errorf("history: open findings: %w", err)
		}
		var f audit.Finding
		if err := json.Unmarshal(data, &f); err != nil {
			return nil, fmt.Errorf("history: open findings: %w", err)
		}
		t := fromUnix(first)
		f.FirstSeen = &t
		out = append(out, f)
	}
	return out, rows.Err()
}

// Prune deletes collections older than before, keeping each device's
// newest observation, and findings resolved before it.
func (s *Store) Prune(ctx context.Context, before time.Time) (err error) {
	defer func() { s.record(ctx, err) }()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("history: prune: %w", err)
	}
	defer tx.Rollback()
	ms := before.UnixMilli()
	if _, err := tx.ExecContext(ctx, `
		DELETE FROM collections WHERE at < ? AND id NOT IN (
			SELECT MAX(collection) FROM observations GROUP BY device, source)`, ms); err != nil {
		return fmt.Errorf("history: prune: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM findings WHERE resolved_at IS NOT NULL AND resolved_at < ?`, ms); err != nil {
		return fmt.Errorf("history: prune: %w", err)
	}
	return tx.Commit()
}

// Stats describes the store, for operations.
type Stats struct {
	Collections, Observations, OpenFindings int
	Bytes                                   int64
}

// Stats counts what the store holds.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	for q, dst := range map[string]*int{
		`SELECT COUNT(*) FROM collections`:                        &st.Collections,
		`SELECT COUNT(*) FROM observations`:                       &st.Observations,
		`SELECT COUNT(*) FROM findings WHERE resolved_at IS NULL`: &st.OpenFindings,
	} {
		if err := s.db.QueryRowContext(ctx, q).Scan(dst); err != nil {
			return st, fmt.Errorf("history: stats: %w", err)
		}
	}
	if fi, err := os.Stat(s.path); err == nil {
		st.Bytes = fi.Size()
	}
	return st, nil
}
