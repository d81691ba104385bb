// Package collector runs pollers over every managed device of an inventory:
// a bounded worker pool, a deadline per device that reaches the socket, and
// partial failure as data (one device's error never stops the others).
// The protocols live in collector/redfish and collector/snmp.
package collector

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/observation"
)

// Target is one managed device or power node and how to reach it.
type Target struct {
	ID         string
	Kind       string // device kind or power kind
	Management *inventory.Management
	// Dir is the inventory's directory: relative ${file:..} secrets and CA
	// files are resolved against it.
	Dir string
}

// Targets lists every managed entry of an inventory.
func Targets(inv *inventory.Inventory) []Target {
	var ts []Target
	for _, m := range inv.ManagedTargets() {
		ts = append(ts, Target{ID: m.ID, Kind: m.Kind, Management: m.Management, Dir: inv.DirOf(m.Management.Pos)})
	}
	return ts
}

// Poller reads devices over one protocol.
type Poller interface {
	// Protocol is observation.SourceRedfish or observation.SourceSNMP.
	Protocol() string
	// Handles reports whether the target has management for this protocol.
	Handles(t Target) bool
	// Poll reads one device. It returns an observation even on failure
	// (with Error set), and must honour ctx's deadline on every socket.
	Poll(ctx context.Context, t Target) observation.Device
}

// Options tune a run.
type Options struct {
	// Concurrency bounds devices polled at once (default 64).
	Concurrency int
	// Timeout is each device's deadline (default 30s).
	Timeout time.Duration
	// Progress, if set, is called after each device (from any goroutine,
	// serialized by the runner).
	Progress func(done, total int, obs *observation.Device)
	// Previous observations, by Key: a failed poll keeps the last good data.
	Previous map[string]*observation.Device
	Logger   *slog.Logger
}

// Key identifies one device's observation from one source.
func Key(id, source string) string { return id + "\x00" + source }

type job struct {
	t Target
	p Poller
}

// Run polls every target with every poller that handles it, and returns
// the observations in target order. It returns early only if ctx ends;
// devices not polled by then are reported with ctx's error.
func Run(ctx context.Context, targets []Target, pollers []Poller, opts Options) []observation.Device {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 64
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var jobs []job
	for _, t := range targets {
		for _, p := range pollers {
			if p.Handles(t) {
				jobs = append(jobs, job{t, p})
			}
		}
	}
	out := make([]observation.Device, len(jobs))
	var (
		mu   sync.Mutex
		done int
		wg   sync.WaitGroup
	)
	sem := make(chan struct{}, opts.Concurrency)
	for i, j := range jobs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			out[i] = observation.Device{ID: j.t.ID, Source: j.p.Protocol(), AttemptedAt: time.Now().UTC(), Error: fmt.Sprintf("not polled: %v", context.Cause(ctx))}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			obs := poll(ctx, j, opts.Timeout)
			if prev := opts.Previous[Key(obs.ID, obs.Source)]; prev != nil {
				obs = observation.KeepLastGood(prev, obs)
			}
			if obs.Error != "" {
				log.Warn("poll failed", "device", obs.ID, "source", obs.Source, "error", obs.Error, "took", time.Duration(obs.Duration))
			} else {
				log.Debug("polled", "device", obs.ID, "source", obs.Source, "took", time.Duration(obs.Duration), "requests", obs.Requests)
			}
			mu.Lock()
			out[i] = obs
			done++
			if opts.Progress != nil {
				opts.Progress(done, len(jobs), &out[i])
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// poll runs one poller under the device's deadline; a panic in a poller is
// that device's error, not the process's end.
func poll(ctx context.Context, j job, timeout time.Duration) (obs observation.Device) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			obs = observation.Device{ID: j.t.ID, Source: j.p.Protocol(), AttemptedAt: start.UTC(),
				Duration: observation.Duration(time.Since(start)),
				Error:    fmt.Sprintf("internal error while polling: %v", r)}
			slog.Error("poller panic", "device", j.t.ID, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	obs = j.p.Poll(ctx, j.t)
	if obs.ID == "" {
		obs.ID = j.t.ID
	}
	if obs.Source == "" {
		obs.Source = j.p.Protocol()
	}
	if obs.AttemptedAt.IsZero() {
		obs.AttemptedAt = start.UTC()
	}
	if obs.Duration == 0 {
		obs.Duration = observation.Duration(time.Since(start))
	}
	return obs
}
