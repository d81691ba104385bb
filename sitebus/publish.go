package sitebus

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/observation"
)

// Publisher puts a collector's observations into the observations
// bucket. Publish never blocks: it replaces what is pending for each
// device, so while NATS is away the collector holds only the latest
// observation per device (never a backlog), and Run sends them when the
// connection is back.
type Publisher struct {
	b       *Bus
	workers int

	mu      sync.Mutex
	pending map[string]pendingObs
	seq     uint64
	kick    chan struct{}

	Published atomic.Uint64 // observations the bucket acknowledged
	Failed    atomic.Uint64 // puts that failed (and were kept to retry)
	lastOK    atomic.Int64  // unix nanoseconds of the last acknowledged put
}

type pendingObs struct {
	seq  uint64
	data []byte
}

// Publisher returns a publisher on the bus; call its Run.
func (b *Bus) Publisher() *Publisher {
	return &Publisher{b: b, workers: 16, pending: map[string]pendingObs{}, kick: make(chan struct{}, 1)}
}

// Publish queues observations for the bucket, each under the key of its
// site in inv (it is the engine's Sink).
func (p *Publisher) Publish(inv *inventory.Inventory, obs []observation.Device) {
	p.mu.Lock()
	for i := range obs {
		data, err := json.Marshal(&obs[i])
		if err != nil {
			p.b.log.Error("sitebus: observation not encodable", "device", obs[i].ID, "error", err)
			continue
		}
		p.seq++
		p.pending[ObservationKey(inv.SiteOf(obs[i].ID), obs[i].ID, obs[i].Source)] = pendingObs{seq: p.seq, data: data}
	}
	p.mu.Unlock()
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Pending is how many observations wait to be sent.
func (p *Publisher) Pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.pending)
}

// LastPublished is when the bucket last acknowledged an observation.
func (p *Publisher) LastPublished() time.Time {
	n := p.lastOK.Load()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// Run sends pending observations until ctx ends: at once when some are
// queued, again on every reconnect, and every 5s while puts fail.
func (p *Publisher) Run(ctx context.Context) {
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.kick:
		case <-p.b.reconnected():
		case <-retry.C:
		}
		if err := p.flush(ctx); err != nil {
			p.b.log.Warn("sitebus: observations kept to send later", "pending", p.Pending(), "error", err)
			retry.Reset(5 * time.Second)
		}
	}
}

// flush puts everything pending, a few at a time; what fails stays
// pending (unless a newer observation of the device replaced it).
func (p *Publisher) flush(ctx context.Context) error {
	p.mu.Lock()
	batch := make(map[string]pendingObs, len(p.pending))
	for k, v := range p.pending {
		batch[k] = v
	}
	p.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	type item struct {
		key string
		pendingObs
	}
	work := make(chan item)
	var (
		wg      sync.WaitGroup
		errMu   sync.Mutex
		firstEr error
		failed  atomic.Bool
	)
	for range min(p.workers, len(batch)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				if failed.Load() {
					continue // the connection is down: keep the rest for later
				}
				octx, cancel := context.WithTimeout(ctx, p.b.opts.Timeout)
				_, err := p.b.obs.Put(octx, it.key, it.data)
				cancel()
				if err != nil {
					p.Failed.Add(1)
					failed.Store(true)
					errMu.Lock()
					if firstEr == nil {
						firstEr = fmt.Errorf("put %s: %s", it.key, errText(err))
					}
					errMu.Unlock()
					continue
				}
				p.Published.Add(1)
				p.lastOK.Store(time.Now().UnixNano())
				p.mu.Lock()
				if cur, ok := p.pending[it.key]; ok && cur.seq == it.seq {
					delete(p.pending, it.key)
				}
				p.mu.Unlock()
			}
		}()
	}
	for k, v := range batch {
		work <- item{k, v}
	}
	close(work)
	wg.Wait()
	return firstEr
}
