// Package history keeps what faultline has seen under serve --data DIR, in
// an embedded SQLite database (modernc.org/sqlite, pure Go): what each
// device reported, stored when it changed (compressed, pruned after a
// retention period), and every finding's lifecycle (first seen, last seen,
// resolved), so that the API can say "open since 3 days" and a restart
// serves the last state at once. A reading that did not change since the
// last collection extends its row's validity (its until, and the per-poll
// fields: times, duration, requests, uptime) instead of adding a row, so
// the database grows with change, not with time. Each collection is
// written in one transaction: a crash loses at most the collection in
// flight. The database file (and SQLite's -wal and -shm beside it) is
// readable by its owner only.
package history

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
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

// schemaVersion 2 stores readings by change (readings, collection_runs);
// version 1 (a row per device per collection: observations, collections)
// is migrated on open.
const schemaVersion = "2"

// Store is the history database. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string
	lock *dirLock

	// pruneBatch is PruneBatch, smaller in tests.
	pruneBatch int

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
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, FileName)
	if err := ownerOnly(path); err != nil {
		lock.release()
		return nil, err
	}
	// WAL: readers never block the writer, and a killed process loses
	// nothing committed. busy_timeout: wait, do not fail, on a lock.
	// _txlock=immediate: a transaction takes the write lock when it
	// begins, so it waits out the busy timeout there; a deferred one that
	// read first and must then upgrade fails at once with SQLITE_BUSY.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(ON)&_pragma=cache_size(-16384)&_txlock=immediate"
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

// ownerOnly creates the database file readable and writable by its owner
// only, and takes those rights back from others on an existing one and
// its -wal and -shm (SQLite creates those with the database's mode).
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("history: %w", err)
		}
	}
	return nil
}

// schema is version 2. readings holds one row per run of unchanged
// readings of a device from a source: since and until are the first and
// last collection of the run; latest marks each device's current row;
// hash identifies the content (the observation without its per-poll
// fields: times, duration, requests, uptime), and those fields of the
// run's last poll are columns. since and until are Unix milliseconds, the
// poll times (attempted_at, collected_at, first_collected_at) and duration
// nanoseconds, exact. readings_until serves the restart window;
// readings_expired, the same over old readings only (latest = 0), the
// prune's range delete.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS collection_runs(
		id INTEGER PRIMARY KEY, since INTEGER NOT NULL, until INTEGER NOT NULL,
		devices INTEGER NOT NULL, failed INTEGER NOT NULL, count INTEGER NOT NULL)`,
	`CREATE INDEX IF NOT EXISTS collection_runs_until ON collection_runs(until)`,
	`CREATE TABLE IF NOT EXISTS readings(
		id INTEGER PRIMARY KEY, device TEXT NOT NULL, source TEXT NOT NULL,
		since INTEGER NOT NULL, until INTEGER NOT NULL, count INTEGER NOT NULL, latest INTEGER NOT NULL,
		ok INTEGER NOT NULL, first_collected_at INTEGER, first_boot_at INTEGER, first_uptime REAL,
		attempted_at INTEGER, collected_at INTEGER, boot_at INTEGER, uptime REAL, duration INTEGER, requests INTEGER,
		error TEXT, hash BLOB, data BLOB NOT NULL)`,
	`CREATE INDEX IF NOT EXISTS readings_until ON readings(until)`,
	`CREATE INDEX IF NOT EXISTS readings_expired ON readings(until) WHERE latest = 0`,
	`CREATE UNIQUE INDEX IF NOT EXISTS readings_latest ON readings(device, source) WHERE latest = 1`,
	`CREATE TABLE IF NOT EXISTS findings(
		id TEXT PRIMARY KEY, rule TEXT NOT NULL, severity TEXT NOT NULL, subject TEXT NOT NULL,
		first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, resolved_at INTEGER,
		data BLOB NOT NULL)`,
	`CREATE INDEX IF NOT EXISTS findings_open ON findings(resolved_at)`,
}

// fromV1 migrates a version 1 database: each stored observation becomes
// a row of its own (with no hash: the next collection starts a new run),
// each collection a run of one; the old tables are dropped.
var fromV1 = []string{
	`INSERT INTO readings(device, source, since, until, count, latest, ok, first_collected_at, first_boot_at, first_uptime,
		attempted_at, collected_at, boot_at, uptime, duration, requests, hash, data)
	 SELECT o.device, o.source, c.at, c.at, 1,
		o.collection = (SELECT MAX(p.collection) FROM observations p WHERE p.device = o.device AND p.source = o.source),
		o.ok, o.collected_at * 1000000, o.boot_at, o.uptime, NULL, o.collected_at * 1000000, o.boot_at, o.uptime, NULL, NULL, NULL, o.data
	 FROM observations o JOIN collections c ON c.id = o.collection ORDER BY o.collection`,
	`INSERT INTO collection_runs(since, until, devices, failed, count) SELECT at, at, devices, failed, 1 FROM collections ORDER BY id`,
	`DROP TABLE observations`,
	`DROP TABLE collections`,
	`UPDATE meta SET value = '2' WHERE key = 'schema'`,
}

func (s *Store) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("history: migrate: %w", err)
	}
	defer tx.Rollback()
	for _, q := range schema {
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
	case v == "1":
		for _, q := range fromV1 {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("history: migrate %s from schema 1: %w", s.path, err)
			}
		}
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

// content is what identifies a reading: the observation without its
// per-poll fields, hashed. The error's numbers are per-poll too ("no
// answer after 682ms"): a device failing the same way each poll is one
// change, its latest error text kept in the row.
func content(o observation.Device) ([]byte, error) {
	o.AttemptedAt, o.CollectedAt, o.Duration, o.Requests, o.UptimeSeconds = time.Time{}, time.Time{}, 0, 0, nil
	o.Error = digits.ReplaceAllString(o.Error, "#")
	b, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	return sum[:], nil
}

func nanos(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

func fromNanos(ns sql.NullInt64) time.Time {
	if !ns.Valid {
		return time.Time{}
	}
	return time.Unix(0, ns.Int64).UTC()
}

var digits = regexp.MustCompile(`[0-9]+`)

// SaveCollection stores one collection's observations in one
// transaction: a device's reading whose content did not change (and that
// did not restart) extends its current row; a changed one starts a new
// row.
func (s *Store) SaveCollection(ctx context.Context, at time.Time, obs []observation.Device) (err error) {
	defer func() { s.record(ctx, err) }()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("history: save collection: %w", err)
	}
	defer tx.Rollback()
	if err := saveRun(ctx, tx, at, obs); err != nil {
		return fmt.Errorf("history: save collection: %w", err)
	}
	w, err := prepareWriter(ctx, tx)
	if err != nil {
		return fmt.Errorf("history: save collection: %w", err)
	}
	defer w.close()
	ms := at.UnixMilli()
	for i := range obs {
		if err := w.save(ctx, ms, &obs[i]); err != nil {
			return fmt.Errorf("history: %s: %w", obs[i].ID, err)
		}
	}
	return tx.Commit()
}

// readingWriter is SaveCollection's prepared statements, for one
// transaction.
type readingWriter struct {
	current, extend, retire, insert *sql.Stmt
}

func prepareWriter(ctx context.Context, tx *sql.Tx) (*readingWriter, error) {
	w := &readingWriter{}
	for _, p := range []struct {
		dst   **sql.Stmt
		query string
	}{
		{&w.current, `SELECT id, hash, boot_at, uptime FROM readings WHERE device = ? AND source = ? AND latest = 1`},
		{&w.extend, `UPDATE readings SET until = ?, count = count + 1, attempted_at = ?, collected_at = ?, boot_at = ?, uptime = ?, duration = ?, requests = ?, error = ? WHERE id = ?`},
		{&w.retire, `UPDATE readings SET latest = 0 WHERE id = ?`},
		{&w.insert, `INSERT INTO readings(device, source, since, until, count, latest, ok, first_collected_at, first_boot_at, first_uptime,
		attempted_at, collected_at, boot_at, uptime, duration, requests, error, hash, data) VALUES(?, ?, ?, ?, 1, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
	} {
		st, err := tx.PrepareContext(ctx, p.query)
		if err != nil {
			w.close()
			return nil, err
		}
		*p.dst = st
	}
	return w, nil
}

func (w *readingWriter) close() {
	for _, st := range []*sql.Stmt{w.current, w.extend, w.retire, w.insert} {
		if st != nil {
			st.Close()
		}
	}
}

// currentRow is a device's latest stored reading from a source: its row
// (0 when there is none), content hash and last uptime reading.
type currentRow struct {
	id     int64
	hash   []byte
	boot   sql.NullInt64
	uptime sql.NullFloat64
}

// unchanged reports whether an observation with this content hash and
// uptime reading continues the row: same content, and no restart since.
func (c currentRow) unchanged(hash []byte, r Reading, hasReading bool) bool {
	if c.id == 0 || c.hash == nil || !bytes.Equal(c.hash, hash) {
		return false
	}
	if hasReading && c.boot.Valid && c.uptime.Valid &&
		Restarted(Boot{At: time.UnixMilli(c.boot.Int64).UTC(), Uptime: c.uptime.Float64}, r.Boot) {
		return false // a restart is a change, whatever else stayed
	}
	return true
}

// save stores one observation collected at ms: it extends the device's
// current row or retires it and inserts a new one.
func (w *readingWriter) save(ctx context.Context, ms int64, o *observation.Device) error {
	hash, err := content(*o)
	if err != nil {
		return err
	}
	var boot, uptime any
	r, hasReading := ReadingOf(o)
	if hasReading {
		boot, uptime = r.At.UnixMilli(), r.Uptime
	}
	var cur currentRow
	err = w.current.QueryRowContext(ctx, o.ID, o.Source).Scan(&cur.id, &cur.hash, &cur.boot, &cur.uptime)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	duration := int64(o.Duration)
	if cur.unchanged(hash, r, hasReading) {
		_, err := w.extend.ExecContext(ctx, ms, nanos(o.AttemptedAt), nanos(o.CollectedAt), boot, uptime, duration, o.Requests, o.Error, cur.id)
		return err
	}
	if cur.id != 0 {
		if _, err := w.retire.ExecContext(ctx, cur.id); err != nil {
			return err
		}
	}
	data, err := pack(*o)
	if err != nil {
		return err
	}
	ok := 0
	if o.Error == "" {
		ok = 1
	}
	_, err = w.insert.ExecContext(ctx, o.ID, o.Source, ms, ms, ok, nanos(o.CollectedAt), boot, uptime,
		nanos(o.AttemptedAt), nanos(o.CollectedAt), boot, uptime, duration, o.Requests, o.Error, hash, data)
	return err
}

// saveRun records a collection: it extends the last run of collections
// when it had as many devices and failures, else starts a run.
func saveRun(ctx context.Context, tx *sql.Tx, at time.Time, obs []observation.Device) error {
	failed := 0
	for _, o := range obs {
		if o.Error != "" {
			failed++
		}
	}
	var id, devices, lastFailed int64
	err := tx.QueryRowContext(ctx, `SELECT id, devices, failed FROM collection_runs ORDER BY id DESC LIMIT 1`).Scan(&id, &devices, &lastFailed)
	switch {
	case err == nil && devices == int64(len(obs)) && lastFailed == int64(failed):
		_, err = tx.ExecContext(ctx, `UPDATE collection_runs SET until = ?, count = count + 1 WHERE id = ?`, at.UnixMilli(), id)
		return err
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO collection_runs(since, until, devices, failed, count) VALUES(?, ?, ?, ?, 1)`, at.UnixMilli(), at.UnixMilli(), len(obs), failed)
	return err
}

// LatestObservations returns each device's newest stored observation per
// source (what a restart serves before its first collection).
func (s *Store) LatestObservations(ctx context.Context) ([]observation.Device, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT data, hash, attempted_at, collected_at, uptime, duration, requests, error FROM readings
		WHERE latest = 1 ORDER BY device, source`)
	if err != nil {
		return nil, fmt.Errorf("history: latest observations: %w", err)
	}
	defer rows.Close()
	var out []observation.Device
	for rows.Next() {
		var (
			data, hash           []byte
			attempted, collected sql.NullInt64
			uptime               sql.NullFloat64
			duration, requests   sql.NullInt64
			perr                 sql.NullString
		)
		if err := rows.Scan(&data, &hash, &attempted, &collected, &uptime, &duration, &requests, &perr); err != nil {
			return nil, fmt.Errorf("history: latest observations: %w", err)
		}
		var o observation.Device
		if err := unpack(data, &o); err != nil {
			return nil, fmt.Errorf("history: latest observations: %w", err)
		}
		if hash != nil { // the run's last poll: its per-poll fields
			o.AttemptedAt, o.CollectedAt = fromNanos(attempted), fromNanos(collected)
			o.Duration = observation.Duration(duration.Int64)
			o.Requests, o.Error = int(requests.Int64), perr.String
			o.UptimeSeconds = nil
			if uptime.Valid {
				u := uptime.Float64
				o.UptimeSeconds = &u
			}
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Restarts counts, per device, the restarts seen in the stored readings
// since the given time (see CountRestarts): each row gives its run's first
// and last uptime reading (a run holds no restart: a restart starts a
// row).
func (s *Store) Restarts(ctx context.Context, since time.Time) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT device, source, first_collected_at, first_boot_at, first_uptime, collected_at, boot_at, uptime FROM readings
		WHERE until >= ? AND boot_at IS NOT NULL ORDER BY device, source, id`, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("history: restarts: %w", err)
	}
	defer rows.Close()
	var readings []Reading
	for rows.Next() {
		var dev, src string
		var firstSeen, firstBoot, seen sql.NullInt64
		var firstUptime sql.NullFloat64
		var bootMS int64
		var uptime float64
		if err := rows.Scan(&dev, &src, &firstSeen, &firstBoot, &firstUptime, &seen, &bootMS, &uptime); err != nil {
			return nil, fmt.Errorf("history: restarts: %w", err)
		}
		if firstBoot.Valid && firstUptime.Valid {
			readings = append(readings, Reading{Device: dev, Source: src, Seen: fromNanos(firstSeen),
				Boot: Boot{At: time.UnixMilli(firstBoot.Int64).UTC(), Uptime: firstUptime.Float64}})
		}
		readings = append(readings, Reading{Device: dev, Source: src, Seen: fromNanos(seen), Boot: Boot{At: time.UnixMilli(bootMS).UTC(), Uptime: uptime}})
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

// PruneBatch is how many rows one prune transaction deletes at most: a
// prune that has more to delete (after a long stop, or a shorter
// --retention) does it in several transactions, so the write lock, the
// WAL and the memory one takes stay bounded, and a shutdown stops it
// between two.
const PruneBatch = 5_000

// pruneSteps are the prune's deletes, each of at most a batch (the second
// argument) of the rows that expired before the first, found through an
// index on their end: readings whose validity ended (readings_expired
// holds old readings only, never a device's current one, so the prune
// does not walk the current rows of devices gone quiet), runs of
// collections (the last is kept), and resolved findings.
var pruneSteps = []string{
	`DELETE FROM readings WHERE id IN (
		SELECT id FROM readings INDEXED BY readings_expired WHERE latest = 0 AND until < ? ORDER BY until LIMIT ?)`,
	`DELETE FROM collection_runs WHERE id IN (
		SELECT id FROM collection_runs INDEXED BY collection_runs_until
		WHERE until < ? AND id < (SELECT MAX(id) FROM collection_runs) ORDER BY until LIMIT ?)`,
	`DELETE FROM findings WHERE rowid IN (
		SELECT rowid FROM findings INDEXED BY findings_open
		WHERE resolved_at IS NOT NULL AND resolved_at < ? ORDER BY resolved_at LIMIT ?)`,
}

// Prune deletes readings whose validity ended before before (each
// device's current reading is kept, however old), runs of collections
// likewise (the last is kept), and findings resolved before it: range
// deletes over an index, whose cost grows with what is deleted, not with
// what is kept, in transactions of at most PruneBatch rows. It returns
// how many rows it deleted.
func (s *Store) Prune(ctx context.Context, before time.Time) (deleted int64, err error) {
	defer func() { s.record(ctx, err) }()
	batch := s.pruneBatch
	if batch <= 0 {
		batch = PruneBatch
	}
	ms := before.UnixMilli()
	for _, q := range pruneSteps {
		for {
			n, err := s.deleteBatch(ctx, q, ms, batch)
			deleted += n
			if err != nil {
				return deleted, fmt.Errorf("history: prune: %w", err)
			}
			if n < int64(batch) {
				break
			}
		}
	}
	return deleted, nil
}

// deleteBatch runs one of the prune's deletes in a transaction of its
// own.
func (s *Store) deleteBatch(ctx context.Context, q string, before int64, batch int) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, q, before, batch)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return n, tx.Commit()
}

// Stats describes the store, for operations.
type Stats struct {
	// Collections counts the collections in the retained runs;
	// Observations the stored readings (rows: runs of unchanged ones).
	Collections, Observations, OpenFindings int
	Bytes                                   int64
}

// Stats counts what the store holds.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	for q, dst := range map[string]*int{
		`SELECT COALESCE(SUM(count), 0) FROM collection_runs`:     &st.Collections,
		`SELECT COUNT(*) FROM readings`:                           &st.Observations,
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
