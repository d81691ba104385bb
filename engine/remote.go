package engine

import (
	"context"
	"sync"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/observation"
)

// The hooks through which observations and first_seen travel between
// processes (site collectors and auditors, see sitebus). Without them
// the engine is one process that polls and audits everything.

// Sink receives each collection's observations (a site collector
// publishes them). Publish must not block.
type Sink interface {
	Publish(obs []observation.Device)
}

// Source feeds observations collected elsewhere: Watch calls update with
// each one as it arrives, until ctx ends, and loaded once it has delivered
// everything there was when it started. Until then the engine does not
// audit what it received (a partial state would read as stale devices)
// nor record first_seen.
type Source interface {
	Watch(ctx context.Context, update func(observation.Device), loaded func()) error
}

// FirstSeenStore decides findings' first_seen when several auditors
// must agree: Record returns the first sight of each open finding
// (recording now for new ones) and forgets the ones no longer open. On
// error the map it returns is still used.
type FirstSeenStore interface {
	Record(ctx context.Context, now time.Time, open []string) (map[string]time.Time, error)
}

// inbox holds observations from the Source until the next audit takes
// them, so that a storm of updates never waits for an audit.
type inbox struct {
	mu   sync.Mutex
	obs  map[string]observation.Device
	wake chan struct{}
}

func (e *Engine) targets(inv *inventory.Inventory) []collector.Target {
	if e.cfg.Targets != nil {
		return e.cfg.Targets(inv)
	}
	return collector.Targets(inv)
}

// receive is the Source's callback: newest attempt per device and source wins.
func (e *Engine) receive(o observation.Device) {
	in := &e.in
	in.mu.Lock()
	k := collector.Key(o.ID, o.Source)
	if cur, ok := in.obs[k]; !ok || !o.AttemptedAt.Before(cur.AttemptedAt) {
		in.obs[k] = o
	}
	in.mu.Unlock()
	select {
	case in.wake <- struct{}{}:
	default:
	}
}

// takeInbox moves received observations into the engine's state; e.mu
// must be held. It reports whether anything was taken.
func (e *Engine) takeInbox() bool {
	in := &e.in
	in.mu.Lock()
	got := in.obs
	in.obs = map[string]observation.Device{}
	in.mu.Unlock()
	for k, o := range got {
		if cur, ok := e.obs[k]; ok && o.AttemptedAt.Before(cur.AttemptedAt) {
			continue
		}
		o := o
		e.obs[k] = &o
		e.boots.observe(&o, k)
	}
	return len(got) > 0
}

// runSource watches the Source and audits on change: at once after a
// quiet spell, then at most once per AuditEvery while updates keep coming.
func (e *Engine) runSource(ctx context.Context) {
	loadedCh := make(chan struct{})
	loaded := sync.OnceFunc(func() { close(loadedCh) })
	go func() {
		if err := e.cfg.Source.Watch(ctx, e.receive, loaded); err != nil && ctx.Err() == nil {
			e.log.Error("observation source stopped", "error", err)
		}
	}()
	select {
	case <-ctx.Done():
		return
	case <-loadedCh:
	}
	e.sourceReady.Store(true)
	every := e.cfg.AuditEvery
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	armed := false
	var last time.Time
	first := true
	run := func() {
		armed = false
		last = time.Now()
		if err := e.refresh(ctx); err != nil {
			e.log.Error("audit failed", "error", err)
		}
	}
	for {
		if first {
			first = false
			run() // the state as loaded
		}
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-e.in.wake:
			if armed {
				continue
			}
			if wait := every - time.Since(last); wait > 0 {
				timer.Reset(wait)
				armed = true
				continue
			}
			run()
		case <-timer.C:
			run()
		}
	}
}

// firstSeen sets findings' FirstSeen from the shared store.
func (e *Engine) sharedFirstSeen(ctx context.Context, now time.Time, ids []string) map[string]time.Time {
	first, err := e.cfg.FirstSeen.Record(ctx, now, ids)
	if err != nil {
		e.log.Warn("first_seen not shared", "error", err)
	}
	return first
}
