package engine

import (
	"context"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/observation"
)

// The hooks through which observations and first_seen travel between
// processes (site collectors and auditors, see sitebus). Without them
// the engine is one process that polls and audits everything.

// Sink receives each collection's observations, with the inventory
// they were polled under (a site collector publishes them under the
// device's site). Publish must not block.
type Sink interface {
	Publish(inv *inventory.Inventory, obs []observation.Device)
}

// Source holds observations collected elsewhere, as a state that it
// alone decides (so that every auditor fed by the same source agrees,
// whatever it saw before): the engine takes Observations at every audit,
// in place of what it took the time before. Watch follows the source
// under inv until ctx ends, calling changed (which must not block) when
// the state may have changed; SetInventory tells it the inventory
// changed, so that it judges again what it accepts. Until Observations
// reports loaded, the engine does not audit what it holds (a partial
// state would read as stale devices) nor record first_seen.
type Source interface {
	Watch(ctx context.Context, inv *inventory.Inventory, changed func()) error
	SetInventory(inv *inventory.Inventory)
	Observations() (obs []observation.Device, loaded bool)
}

// FirstSeenStore decides findings' first_seen when several auditors
// must agree: Record returns the first sight of each open finding
// (recording now for new ones) and forgets the ones no longer open. On
// error the map it returns is still used.
type FirstSeenStore interface {
	Record(ctx context.Context, now time.Time, open []string) (map[string]time.Time, error)
}

// remoteState is the Source's state as the engine last took it.
type remoteState struct {
	obs  map[string]*observation.Device // by collector.Key
	wake chan struct{}
}

func (e *Engine) targets(inv *inventory.Inventory) []collector.Target {
	if e.cfg.Targets != nil {
		return e.cfg.Targets(inv)
	}
	return collector.Targets(inv)
}

// takeRemote replaces the remote observations with the Source's state;
// e.mu must be held. A device's uptime is read again only when its
// observation changed.
func (e *Engine) takeRemote() {
	if e.cfg.Source == nil {
		return
	}
	got, _ := e.cfg.Source.Observations()
	// Only what the inventory in force polls: after a reload, until the
	// Source has judged the bucket again, it may hold devices removed.
	polled := make(map[string]bool, len(got))
	for _, t := range collector.Targets(e.inv) {
		if t.Management.SNMP != nil {
			polled[collector.Key(t.ID, observation.SourceSNMP)] = true
		}
		if t.Management.Redfish != nil {
			polled[collector.Key(t.ID, observation.SourceRedfish)] = true
		}
	}
	next := make(map[string]*observation.Device, len(got))
	for i := range got {
		o := &got[i]
		k := collector.Key(o.ID, o.Source)
		if !polled[k] {
			continue
		}
		next[k] = o
		if cur, ok := e.remote.obs[k]; !ok || !cur.AttemptedAt.Equal(o.AttemptedAt) {
			e.boots.observe(o, k)
		}
	}
	e.remote.obs = next
}

// observations is every observation in force, sorted: the engine's own
// polls and the Source's; where both hold one device and source, the
// newest attempt. e.mu must be held.
func (e *Engine) observations() []observation.Device {
	obs := make([]observation.Device, 0, len(e.obs)+len(e.remote.obs))
	for k, o := range e.obs {
		if r, ok := e.remote.obs[k]; ok && r.AttemptedAt.After(o.AttemptedAt) {
			continue
		}
		obs = append(obs, *o)
	}
	for k, r := range e.remote.obs {
		if o, ok := e.obs[k]; ok && !r.AttemptedAt.After(o.AttemptedAt) {
			continue
		}
		obs = append(obs, *r)
	}
	sortObservations(obs)
	return obs
}

// runSource watches the Source and audits on change: at once after a
// quiet spell, then at most once per AuditEvery while updates keep coming.
func (e *Engine) runSource(ctx context.Context) {
	wake := func() {
		select {
		case e.remote.wake <- struct{}{}:
		default:
		}
	}
	e.mu.Lock()
	inv := e.inv
	e.mu.Unlock()
	go func() {
		if err := e.cfg.Source.Watch(ctx, inv, wake); err != nil && ctx.Err() == nil {
			e.log.Error("observation source stopped", "error", err)
		}
	}()
	for {
		if _, loaded := e.cfg.Source.Observations(); loaded {
			break
		}
		select {
		case <-ctx.Done():
			return
		case <-e.remote.wake:
		}
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
		case <-e.remote.wake:
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
