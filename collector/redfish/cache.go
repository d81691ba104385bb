package redfish

import (
	"sync"
	"time"

	"github.com/stmcginnis/gofish"
)

// device is what the collector remembers about one BMC between polls: the
// URIs it found (so a steady-state poll skips the service root and the
// collections), what the BMC does with $expand and $select, and the
// representations it tagged with ETags.
type device struct {
	mu sync.Mutex // held for a whole poll: one poll of a BMC at a time

	discoveredAt time.Time
	rootLinks    [3]string // Systems, Chassis, Managers collections
	features     gofish.ProtocolFeaturesSupported
	sessionsURI  string
	systems      []string
	chassis      []string
	manager      string

	// expandOff/selectOff record that the BMC mishandled the feature, why,
	// and when, so it is tried again later (firmware gets updated).
	expandOff, selectOff bool
	expandWhy, selectWhy string
	expandAt, selectAt   time.Time

	cache etagCache
	rtt   latency

	logged map[string]bool // configuration warnings logged (once per process: http://, insecure)

	// parts are systems, chassis and the manager as read last time, with
	// the answer they were read from, when that one answer held all of
	// them: the same answer again (a 304, or the same bytes) is the same
	// part, and is not parsed again.
	parts map[string]cachedPart
}

type cachedPart struct {
	target string // the request it was read with
	sum    uint64 // of the answer's body
	part   any
}

// discovered reports whether the device's URIs are known and fresh.
func (d *device) discovered(now time.Time, every time.Duration) bool {
	return !d.discoveredAt.IsZero() && now.Sub(d.discoveredAt) < every && len(d.systems)+len(d.chassis) > 0
}

// etagCache keeps, per request target, the last body the BMC tagged with
// an ETag, to revalidate with If-None-Match. It is bounded in bytes.
type etagCache struct {
	mu      sync.Mutex
	entries map[string]cached
	size    int64
	limit   int64
}

type cached struct {
	etag string
	body []byte
}

func (c *etagCache) lookup(target string) (cached, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[target]
	return e, ok
}

// store remembers body under etag, or forgets target when the BMC sent no
// ETag. A body that would take the cache over its limit is not kept.
func (c *etagCache) store(target, etag string, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[target]; ok {
		c.size -= int64(len(old.body))
		delete(c.entries, target)
	}
	if etag == "" || c.size+int64(len(body)) > c.limit {
		return
	}
	if c.entries == nil {
		c.entries = make(map[string]cached)
	}
	c.entries[target] = cached{etag: etag, body: body}
	c.size += int64(len(body))
}

// dropBody keeps target's ETag but not its body (a part read from it is
// remembered instead); a 304 then returns a nil body.
func (c *etagCache) dropBody(target string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[target]; ok && e.body != nil {
		c.size -= int64(len(e.body))
		e.body = nil
		c.entries[target] = e
	}
}

// forget drops target.
func (c *etagCache) forget(target string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[target]; ok {
		c.size -= int64(len(e.body))
		delete(c.entries, target)
	}
}

// latency is a moving average of a BMC's plain-request latency.
type latency struct {
	mu   sync.Mutex
	avg  time.Duration
	seen bool
}

func (l *latency) observe(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.seen {
		l.avg, l.seen = d, true
		return
	}
	l.avg = (4*l.avg + d) / 5
}

// estimate is the average, or 0 when nothing was measured yet.
func (l *latency) estimate() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.avg
}
