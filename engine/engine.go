// Package engine is faultline serve's core: it holds the current state —
// inventory, observations, audit — as an immutable Snapshot behind an
// atomic pointer, so readers never wait, and replaces it after every
// collection and every inventory change. An inventory that stops
// validating is reported and the last good one keeps serving. With a data
// directory, observations and the findings' lifecycle are kept in the
// history database and restored on start.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/history"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/observation"
)

// Config configures an engine.
type Config struct {
	// InventoryFile names the inventory in messages and snapshots; it is
	// the file read unless InventoryFiles is set.
	InventoryFile string
	// InventoryFiles, when set, are the files and directories (their
	// *.yaml files) whose union is the inventory; every one is watched,
	// and a file added to or removed from a directory is a change.
	InventoryFiles []string
	// Interval between collections; 0 collects only on request.
	Interval time.Duration
	// DataDir holds the history database; "" keeps no history.
	DataDir string
	Pollers []collector.Poller
	Collect collector.Options
	// StaleAfter: a device whose data is older is unverified (default
	// three intervals; 0 with no interval: only failed polls).
	StaleAfter time.Duration
	// HistoryWindow is the flapping window (default 24h).
	HistoryWindow time.Duration
	// NoReliability leaves the reliability figures out of every audit
	// (the report's reliability object, the findings' downtime, the
	// downtime metrics): on a large fleet they cost a few audits' time.
	NoReliability bool
	// Retention is how long history is kept (default 7 days).
	Retention time.Duration
	// WatchInterval is how often the inventory file is checked for
	// changes (default 2s; negative disables watching).
	WatchInterval time.Duration
	Logger        *slog.Logger
	// OnSnapshot is called (synchronously) with every new snapshot, e.g.
	// to pre-render metrics.
	OnSnapshot func(*Snapshot)

	// Across processes (remote.go; all optional). Targets picks the
	// managed entries this engine polls (default: all of them). Sink gets
	// every collection's observations; Source feeds observations polled
	// elsewhere, audited on change at most once per AuditEvery (default
	// Interval, else 1s); FirstSeen shares findings' first_seen.
	Targets    func(*inventory.Inventory) []collector.Target
	Sink       Sink
	Source     Source
	AuditEvery time.Duration
	FirstSeen  FirstSeenStore
	// CollectOnly: the engine collects (and feeds the Sink, the history
	// and its snapshots' Collection and Observations) but never audits:
	// its snapshots have no Analysis, Observed nor Report. For a site
	// collector, whose auditors are elsewhere.
	CollectOnly bool
}

// Snapshot is the state at one moment. It is never modified once published.
// A CollectOnly engine's snapshots have no Analysis, Observed nor Report
// (nor AuditedAt, AuditDuration).
type Snapshot struct {
	Seq           uint64
	Inventory     *inventory.Inventory
	InventoryFile string
	InventoryHash string
	LoadedAt      time.Time
	Analysis      *audit.Analysis
	Observed      *model.Observed
	// Observations are the latest per device and source (last good kept).
	Observations  []observation.Device
	Report        *audit.Report
	AuditedAt     time.Time
	AuditDuration time.Duration
	Collection    *Job // the last finished collection, or nil
	Reload        ReloadStatus
	// History reports whether a data directory is in use.
	History bool
	// HistoryHealth is how the history's writes are going (with History).
	HistoryHealth history.Health
}

// ReloadStatus is the outcome of the last inventory (re)load.
type ReloadStatus struct {
	OK    bool      `json:"ok"`
	At    time.Time `json:"at"`
	Error string    `json:"error,omitempty"`
	// Diagnostics are the validation errors of a rejected file.
	Diagnostics []string `json:"diagnostics,omitempty"`
}

// Job is one collection.
type Job struct {
	ID       string        `json:"id"`
	State    string        `json:"state"` // running, done, failed
	Started  time.Time     `json:"started"`
	Finished time.Time     `json:"finished,omitzero"`
	Duration time.Duration `json:"-"`
	Devices  int           `json:"devices"`
	Failed   int           `json:"failed"`
	Error    string        `json:"error,omitempty"`
	// Results are the per-device outcomes, kept for the newest
	// keepResults jobs only.
	Results []DeviceResult `json:"results,omitempty"`
}

// DeviceResult is one device's outcome in a collection.
type DeviceResult struct {
	ID       string        `json:"id"`
	Source   string        `json:"source"`
	OK       bool          `json:"ok"`
	Error    string        `json:"error,omitempty"`
	Duration time.Duration `json:"-"`
	Requests int           `json:"requests"`
}

// Engine runs the audit continuously.
type Engine struct {
	cfg   Config
	log   *slog.Logger
	cur   atomic.Pointer[Snapshot]
	store *history.Store

	mu       sync.Mutex // guards the fields below and serializes audits
	inv      *inventory.Inventory
	invHash  string
	loadedAt time.Time
	reload   ReloadStatus
	obs      map[string]*observation.Device // by collector.Key
	boots    *bootTracker
	lastJob  *Job
	seq      uint64
	remote   remoteState
	// sourceReady: the Source has delivered its initial state.
	sourceReady atomic.Bool

	jobsMu  sync.Mutex
	jobs    map[string]*Job
	order   []string
	running *Job
	nextJob atomic.Uint64
	wg      sync.WaitGroup
}

// New loads the inventory (it must be valid), opens the history if
// configured, restores the last observations and publishes a first
// snapshot: a restart serves the last known state at once.
func New(ctx context.Context, cfg Config) (*Engine, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.HistoryWindow <= 0 {
		cfg.HistoryWindow = 24 * time.Hour
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 7 * 24 * time.Hour
	}
	if cfg.StaleAfter == 0 && cfg.Interval > 0 {
		cfg.StaleAfter = 3 * cfg.Interval
	}
	if cfg.WatchInterval == 0 {
		cfg.WatchInterval = 2 * time.Second
	}
	if cfg.AuditEvery <= 0 {
		cfg.AuditEvery = max(cfg.Interval, time.Second)
	}
	e := &Engine{cfg: cfg, log: cfg.Logger, obs: map[string]*observation.Device{}, jobs: map[string]*Job{},
		remote: remoteState{obs: map[string]*observation.Device{}, wake: make(chan struct{}, 1)}}
	inv, hash, err := e.readInventory()
	if err != nil {
		return nil, err
	}
	e.inv, e.invHash, e.loadedAt = inv, hash, time.Now().UTC()
	e.reload = ReloadStatus{OK: true, At: e.loadedAt}
	if cfg.DataDir != "" {
		if e.store, err = history.Open(ctx, cfg.DataDir); err != nil {
			return nil, err
		}
		restored, err := e.store.LatestObservations(ctx)
		if err != nil {
			e.store.Close()
			return nil, err
		}
		for i := range restored {
			o := restored[i]
			e.obs[collector.Key(o.ID, o.Source)] = &o
		}
		e.log.Info("history restored", "dir", cfg.DataDir, "devices", len(restored))
	} else {
		e.boots = newBootTracker(cfg.HistoryWindow) // the database counts restarts where there is one
	}
	if err := e.refresh(ctx); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// Close releases the history database. Call it after Run returns.
func (e *Engine) Close() error {
	e.wg.Wait()
	if e.store != nil {
		return e.store.Close()
	}
	return nil
}

// Snapshot returns the current state; it never blocks.
func (e *Engine) Snapshot() *Snapshot { return e.cur.Load() }

// readInventory loads and validates the file, returning its content hash.
func (e *Engine) readInventory() (*inventory.Inventory, string, error) {
	srcs, err := inventory.ReadFilesFollowingLinks(e.inventoryPaths())
	if err != nil {
		return nil, "", err
	}
	inv, err := inventory.ParseFiles(srcs, inventory.Options{})
	if err != nil {
		return nil, "", err
	}
	return inv, inventory.Hash(srcs), nil
}

// inventoryPaths are the files and directories the inventory is read from.
func (e *Engine) inventoryPaths() []string {
	if len(e.cfg.InventoryFiles) > 0 {
		return e.cfg.InventoryFiles
	}
	return []string{e.cfg.InventoryFile}
}

// inventoryStat is the metadata of every inventory file: names, sizes and
// modification times, and the newest of those times. It changes when a
// file changes, appears or goes.
func (e *Engine) inventoryStat() (string, time.Time, error) {
	files, err := inventory.ExpandFollowingLinks(e.inventoryPaths())
	if err != nil {
		return "", time.Time{}, err
	}
	var b strings.Builder
	var newest time.Time
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			return "", time.Time{}, err
		}
		fmt.Fprintf(&b, "%s\x00%d\x00%d\n", f, fi.Size(), fi.ModTime().UnixNano())
		if fi.ModTime().After(newest) {
			newest = fi.ModTime()
		}
	}
	return b.String(), newest, nil
}

// inventoryHash hashes the inventory's files as readInventory does.
func (e *Engine) inventoryHash() (string, error) {
	srcs, err := inventory.ReadFilesFollowingLinks(e.inventoryPaths())
	if err != nil {
		return "", err
	}
	return inventory.Hash(srcs), nil
}

// Reload reads the inventory file again. A valid file replaces the
// inventory and is audited; an invalid one is reported (and returned as
// the error) while the old inventory keeps serving.
func (e *Engine) Reload(ctx context.Context) error {
	inv, hash, err := e.readInventory()
	e.mu.Lock()
	now := time.Now().UTC()
	if err != nil {
		st := ReloadStatus{OK: false, At: now, Error: err.Error()}
		var ierr *inventory.Error
		if errors.As(err, &ierr) {
			st.Error = fmt.Sprintf("%s: %d problem(s); still serving the inventory loaded at %s", e.cfg.InventoryFile, len(ierr.Diagnostics), e.loadedAt.Format(time.RFC3339))
			for _, d := range ierr.Diagnostics {
				st.Diagnostics = append(st.Diagnostics, d.String())
			}
		}
		e.reload = st
		e.mu.Unlock()
		e.log.Error("inventory reload rejected", "file", e.cfg.InventoryFile, "error", st.Error)
		if aerr := e.refresh(ctx); aerr != nil {
			return errors.Join(err, aerr)
		}
		return err
	}
	changed := hash != e.invHash
	e.inv, e.invHash, e.loadedAt = inv, hash, now
	e.reload = ReloadStatus{OK: true, At: now}
	e.mu.Unlock()
	if e.cfg.Source != nil {
		// What the Source accepts depends on the inventory: it judges
		// the bucket again, and the audit after that takes its state.
		e.cfg.Source.SetInventory(inv)
	}
	e.log.Info("inventory reloaded", "file", e.cfg.InventoryFile, "changed", changed, "summary", inv.Summarize().String())
	return e.refresh(ctx)
}

// refresh publishes a new snapshot from the current state: audited, or
// without an audit for a CollectOnly engine.
func (e *Engine) refresh(ctx context.Context) error {
	if e.cfg.CollectOnly {
		e.collected()
		return nil
	}
	return e.audit(ctx)
}

// collected publishes a snapshot of what was collected, not audited.
func (e *Engine) collected() {
	e.mu.Lock()
	defer e.mu.Unlock()
	obs := e.observations()
	e.seq++
	snap := &Snapshot{
		Seq: e.seq, Inventory: e.inv, InventoryFile: e.cfg.InventoryFile, InventoryHash: e.invHash, LoadedAt: e.loadedAt,
		Observations: obs, Collection: e.lastJob, Reload: e.reload, History: e.store != nil,
	}
	if e.store != nil {
		snap.HistoryHealth = e.store.Health()
	}
	if e.cfg.OnSnapshot != nil {
		e.cfg.OnSnapshot(snap)
	}
	e.cur.Store(snap)
}

// previousAnalysis is the last published snapshot's analysis, whose
// design-only results (the reliability figures) the next audit reuses when
// the design is unchanged; nil before the first.
func (e *Engine) previousAnalysis() *audit.Analysis {
	if s := e.cur.Load(); s != nil {
		return s.Analysis
	}
	return nil
}

// audit builds and publishes a new snapshot from the current state.
func (e *Engine) audit(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	start := time.Now()
	e.takeRemote()
	obs := e.observations()
	restarts, err := e.restarts(ctx, start)
	if err != nil {
		e.log.Warn("restart history unavailable", "error", err)
	}
	a, findings, observed, err := audit.Live(e.inv, obs, audit.LiveOptions{
		Now: start.UTC(), StaleAfter: e.cfg.StaleAfter, Restarts: restarts, Window: e.cfg.HistoryWindow,
		Audit: audit.Options{Reliability: !e.cfg.NoReliability, Previous: e.previousAnalysis()},
	})
	if err != nil {
		return fmt.Errorf("engine: audit: %w", err)
	}
	if !e.reload.OK {
		findings = append(findings, audit.InvalidInventory(e.cfg.InventoryFile, e.reload.Error, e.reload.Diagnostics))
	}
	if e.store != nil || e.cfg.FirstSeen != nil {
		var first map[string]time.Time
		if e.store != nil {
			if first, err = e.store.UpdateFindings(ctx, start, findings); err != nil {
				e.log.Error("history: findings not recorded", "error", err)
			}
		}
		if e.cfg.FirstSeen != nil && (e.cfg.Source == nil || e.sourceReady.Load()) {
			ids := make([]string, len(findings))
			for i := range findings {
				ids[i] = findings[i].ID
			}
			first = e.sharedFirstSeen(ctx, start, ids)
		}
		for i := range findings {
			if t, ok := first[findings[i].ID]; ok {
				t := t
				findings[i].FirstSeen = &t
			}
		}
	}
	report := audit.NewReport(start, findings)
	report.Reliability = a.ReliabilityReport()
	e.seq++
	snap := &Snapshot{
		Seq: e.seq, Inventory: e.inv, InventoryFile: e.cfg.InventoryFile, InventoryHash: e.invHash, LoadedAt: e.loadedAt,
		Analysis: a, Observed: observed, Observations: obs, Report: report,
		AuditedAt: start.UTC(), AuditDuration: time.Since(start), Collection: e.lastJob, Reload: e.reload, History: e.store != nil,
	}
	if e.store != nil {
		snap.HistoryHealth = e.store.Health()
	}
	// Let subscribers (the API's pre-rendering) see the snapshot before
	// readers do, so that no reader renders it on the request path.
	if e.cfg.OnSnapshot != nil {
		e.cfg.OnSnapshot(snap)
	}
	e.cur.Store(snap)
	e.log.Debug("audited", "seq", snap.Seq, "findings", len(findings), "took", snap.AuditDuration)
	return nil
}

func (e *Engine) restarts(ctx context.Context, now time.Time) (map[string]int, error) {
	since := now.Add(-e.cfg.HistoryWindow)
	if e.store != nil {
		return e.store.Restarts(ctx, since)
	}
	return e.boots.count(since), nil
}

// WhatIf fails components on top of the current state.
func (e *Engine) WhatIf(ids []string) (*audit.WhatIf, error) {
	s := e.Snapshot()
	if s.Analysis == nil {
		return nil, errors.New("engine: a collect-only engine audits nothing: ask an auditor")
	}
	return audit.RunWhatIf(s.Analysis.G, s.Analysis, ids)
}

// StartCollection starts a collection in the background and returns its
// job, or the job already running.
func (e *Engine) StartCollection(ctx context.Context) *Job {
	e.jobsMu.Lock()
	defer e.jobsMu.Unlock()
	if e.running != nil {
		j := *e.running
		return &j
	}
	j := &Job{ID: strconv.FormatUint(e.nextJob.Add(1), 10), State: "running", Started: time.Now().UTC()}
	e.running = j
	e.jobs[j.ID] = j
	e.order = append(e.order, j.ID)
	if len(e.order) > maxJobs {
		delete(e.jobs, e.order[0])
		e.order = e.order[1:]
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		e.collect(ctx, j)
	}()
	cp := *j
	return &cp
}

// Job returns a collection job by id.
func (e *Engine) Job(id string) (Job, bool) {
	e.jobsMu.Lock()
	defer e.jobsMu.Unlock()
	j, ok := e.jobs[id]
	if !ok {
		return Job{}, false
	}
	return *j, true
}

// Collect runs one collection now and waits for it.
func (e *Engine) Collect(ctx context.Context) Job {
	j := e.StartCollection(ctx)
	for {
		if got, ok := e.Job(j.ID); !ok || got.State != "running" {
			return got
		}
		select {
		case <-ctx.Done():
			got, _ := e.Job(j.ID)
			return got
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (e *Engine) collect(ctx context.Context, j *Job) {
	e.mu.Lock()
	inv := e.inv
	prev := make(map[string]*observation.Device, len(e.obs))
	for k, v := range e.obs {
		prev[k] = v
	}
	e.mu.Unlock()
	opts := e.cfg.Collect
	opts.Previous = prev
	opts.Logger = e.log
	obs := collector.Run(ctx, e.targets(inv), e.cfg.Pollers, opts)
	finished := time.Now().UTC()
	done := Job{ID: j.ID, Started: j.Started, Finished: finished, Duration: finished.Sub(j.Started), Devices: len(obs), State: "done",
		Results: make([]DeviceResult, 0, len(obs))}
	for _, o := range obs {
		if o.Error != "" {
			done.Failed++
		}
		done.Results = append(done.Results, DeviceResult{ID: o.ID, Source: o.Source, OK: o.Error == "", Error: o.Error, Duration: time.Duration(o.Duration), Requests: o.Requests})
	}
	if ctx.Err() != nil {
		done.State, done.Error = "failed", "cancelled: "+context.Cause(ctx).Error()
		e.finishJob(j, done)
		return
	}
	if e.store != nil {
		if err := e.store.SaveCollection(ctx, finished, obs); err != nil {
			e.log.Error("history: collection not recorded", "error", err)
		}
		if _, err := e.store.Prune(ctx, finished.Add(-e.cfg.Retention)); err != nil {
			e.log.Warn("history: prune failed", "error", err)
		}
	}
	e.mu.Lock()
	// The collection's observations replace the last ones: a device no
	// longer in the inventory (or restored from the history, but gone
	// since) is no longer kept, so what is held grows with the estate,
	// not with every device it ever had.
	next := make(map[string]*observation.Device, len(obs))
	for i := range obs {
		o := obs[i]
		key := collector.Key(o.ID, o.Source)
		next[key] = &o
		e.boots.observe(&o, key)
	}
	e.obs = next
	e.boots.retain(next)
	e.lastJob = &done
	e.mu.Unlock()
	if e.cfg.Sink != nil {
		e.cfg.Sink.Publish(inv, obs)
	}
	// Audit before the job reads as done: whoever waits for the job then
	// finds its results in the snapshot.
	if err := e.refresh(ctx); err != nil {
		e.log.Error("audit failed", "error", err)
	}
	e.finishJob(j, done)
	level := slog.LevelInfo
	if done.Devices == 0 {
		level = slog.LevelDebug // an auditor polling nothing re-audits each interval
	}
	e.log.Log(ctx, level, "collection done", "devices", done.Devices, "failed", done.Failed, "took", done.Duration.Round(time.Millisecond))
}

// keepResults is how many of the newest jobs keep their per-device
// results; older ones (up to maxJobs) keep their counts only. A job's
// results are a line per device: fifty of them on a large estate were
// tens of megabytes that nobody reads.
const keepResults = 5

// maxJobs is how many jobs are remembered.
const maxJobs = 50

func (e *Engine) finishJob(j *Job, done Job) {
	e.jobsMu.Lock()
	*j = done
	e.running = nil
	for _, id := range e.order[:max(0, len(e.order)-keepResults)] {
		if old := e.jobs[id]; old != nil {
			old.Results = nil
		}
	}
	e.jobsMu.Unlock()
}

// Run collects every interval and reloads the inventory when its file
// changes, until ctx ends.
func (e *Engine) Run(ctx context.Context) error {
	var tick <-chan time.Time
	if e.cfg.Interval > 0 {
		t := time.NewTicker(e.cfg.Interval)
		defer t.Stop()
		tick = t.C
		e.StartCollection(ctx)
	}
	var watch <-chan time.Time
	if e.cfg.WatchInterval > 0 {
		w := time.NewTicker(e.cfg.WatchInterval)
		defer w.Stop()
		watch = w.C
	}
	lastStat, _, _ := e.inventoryStat()
	seenHash := e.currentHash() // the content last acted on
	if e.cfg.Source != nil {
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			e.runSource(ctx)
		}()
	}
	for {
		select {
		case <-ctx.Done():
			e.wg.Wait()
			return nil
		case <-tick:
			e.StartCollection(ctx)
		case <-watch:
			st, newest, err := e.inventoryStat()
			if err != nil {
				continue
			}
			// File timestamps can be coarser than a quick edit, and an edit
			// can keep the size: while a file is freshly modified, compare
			// the content too, not only the metadata.
			if st == lastStat && time.Since(newest) > 5*time.Second {
				continue
			}
			lastStat = st
			hash, err := e.inventoryHash()
			if err != nil || hash == seenHash || (hash == e.currentHash() && !e.rejected()) {
				continue
			}
			// The content in force, back after a rejected edit, is
			// reloaded too: that clears the rejection.
			seenHash = hash
			if err := e.Reload(ctx); err != nil {
				e.log.Warn("inventory change rejected", "error", err)
			}
		}
	}
}

// rejected reports whether the last (re)load was rejected.
func (e *Engine) rejected() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return !e.reload.OK
}

func (e *Engine) currentHash() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.invHash
}
