package sitebus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// FirstSeen shares findings' first_seen through the findings bucket, one
// key per finding (its id, escaped). Every change is a compare-and-set —
// Create for a finding nobody has recorded, Update at the revision read
// for one that reopens or resolves — so that when two auditors race, one
// wins and the other adopts its time: they never disagree.
//
// The bucket is watched into a local cache, so an audit costs a round
// trip only for findings that open or resolve.
type FirstSeen struct {
	b *Bus

	mu     sync.Mutex
	cache  map[string]findingEntry // by key
	loaded chan struct{}
	// local: first time this process saw an open finding it could not
	// record yet (NATS away): used until it is recorded.
	local  map[string]time.Time
	open   map[string]bool // keys this process last reported open
	waited bool
	record sync.Mutex // one Record at a time
}

// forgetAfter is how long a resolved finding's record is kept: a finding
// that comes back within it gets a new first_seen all the same, but the
// bucket does not grow for ever.
const forgetAfter = 7 * 24 * time.Hour

type findingRecord struct {
	FirstSeen  time.Time  `json:"first_seen"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
}

type findingEntry struct {
	rec findingRecord
	rev uint64
	// bad: the record is implausible (see plausible); it is never
	// adopted, and the next auditor to see the finding open replaces it.
	bad bool
}

// plausible checks a record against the entry that holds it: no time in
// it is later than when the NATS server stored the entry (plus the skew),
// and first_seen is not older than the bucket itself (minus the skew).
// Both bounds are the same for every auditor, so they agree on what is
// refused.
func (f *FirstSeen) plausible(rec findingRecord, stored time.Time) error {
	skew := f.b.opts.MaxSkew
	if !stored.IsZero() && rec.FirstSeen.After(stored.Add(skew)) {
		return fmt.Errorf("first_seen %s is after the record was stored (%s) plus %s", rec.FirstSeen.Format(time.RFC3339), stored.UTC().Format(time.RFC3339), skew)
	}
	if rec.ResolvedAt != nil && !stored.IsZero() && rec.ResolvedAt.After(stored.Add(skew)) {
		return fmt.Errorf("resolved_at %s is after the record was stored (%s) plus %s", rec.ResolvedAt.Format(time.RFC3339), stored.UTC().Format(time.RFC3339), skew)
	}
	if created := f.b.findCreated; !created.IsZero() && rec.FirstSeen.Before(created.Add(-skew)) {
		return fmt.Errorf("first_seen %s is before the bucket was created (%s)", rec.FirstSeen.Format(time.RFC3339), created.UTC().Format(time.RFC3339))
	}
	return nil
}

// FirstSeen starts watching the findings bucket; it stops with ctx.
func (b *Bus) FirstSeen(ctx context.Context) *FirstSeen {
	f := &FirstSeen{b: b, cache: map[string]findingEntry{}, loaded: make(chan struct{}), local: map[string]time.Time{}, open: map[string]bool{}}
	go f.watch(ctx)
	return f
}

func (f *FirstSeen) watch(ctx context.Context) {
	once := sync.OnceFunc(func() { close(f.loaded) })
	for wait := time.Second; ctx.Err() == nil; {
		w, err := f.b.find.WatchAll(ctx)
		if err != nil {
			f.b.log.Warn("sitebus: watching findings failed; retrying", "error", errText(err), "in", wait)
		} else {
			wait = time.Second
		recv:
			for {
				select {
				case <-ctx.Done():
					break recv
				case e, ok := <-w.Updates():
					if !ok {
						break recv
					}
					if e == nil {
						once()
						continue
					}
					f.learn(e)
				}
			}
			_ = w.Stop()
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
			wait = min(2*wait, 30*time.Second)
		}
	}
}

// learn takes an entry from the watch into the cache, unless the cache
// already holds that revision or a later one (its own writes).
func (f *FirstSeen) learn(e jetstream.KeyValueEntry) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if cur, ok := f.cache[e.Key()]; ok && cur.rev >= e.Revision() {
		return
	}
	if e.Operation() != jetstream.KeyValuePut {
		delete(f.cache, e.Key())
		return
	}
	var rec findingRecord
	err := json.Unmarshal(e.Value(), &rec)
	if err == nil && rec.FirstSeen.IsZero() {
		err = errors.New("no first_seen")
	}
	if err == nil {
		err = f.plausible(rec, e.Created())
	}
	if err != nil {
		f.b.FirstSeenRejected.Add(1)
		f.b.log.Warn("sitebus: first_seen record refused", "key", e.Key(), "error", err)
		f.cache[e.Key()] = findingEntry{rev: e.Revision(), bad: true}
		return
	}
	f.cache[e.Key()] = findingEntry{rec: rec, rev: e.Revision()}
}

// Record returns when each open finding was first seen, recording now
// for findings nobody has open, and marks resolved the findings this
// process reported open last time and no longer sees (it is the engine's
// FirstSeen store). On error the map still holds an answer for every id:
// the shared time where known, else this process's own first sight.
func (f *FirstSeen) Record(ctx context.Context, now time.Time, open []string) (map[string]time.Time, error) {
	f.record.Lock()
	defer f.record.Unlock()
	if !f.waited {
		// The first audit waits (once, bounded) for the bucket's contents,
		// so that it adopts the times already shared.
		f.waited = true
		select {
		case <-f.loaded:
		case <-ctx.Done():
		case <-time.After(f.b.opts.Timeout):
		}
	}
	now = now.UTC()
	out := make(map[string]time.Time, len(open))
	seen := make(map[string]bool, len(open))
	var (
		mu   sync.Mutex
		errs []error
	)
	// Only findings that open or resolve cost a round trip; those run a
	// few at a time, so a thousand new findings take a thousandth of the
	// time one by one would.
	var jobs []func()
	for _, id := range open {
		key := EscapeKey(id)
		seen[key] = true
		f.mu.Lock()
		cur, known := f.cache[key]
		f.mu.Unlock()
		if known && cur.rec.ResolvedAt == nil && !cur.bad {
			out[id] = cur.rec.FirstSeen
			continue
		}
		jobs = append(jobs, func() {
			t, err := f.openAt(ctx, key, now)
			mu.Lock()
			defer mu.Unlock()
			out[id] = t
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	for key := range f.open {
		if !seen[key] {
			jobs = append(jobs, func() {
				if err := f.resolve(ctx, key, now); err != nil {
					mu.Lock()
					defer mu.Unlock()
					errs = append(errs, err)
					seen[key] = true // try again next time
				}
			})
		}
	}
	jobs = append(jobs, f.forget(ctx, now, seen, 100)...)
	runAll(jobs, 32)
	f.open = seen
	if len(errs) > 0 {
		return out, fmt.Errorf("sitebus: first_seen of %d finding(s) not shared: %w", len(errs), errs[0])
	}
	return out, nil
}

// runAll runs jobs, at most n at once.
func runAll(jobs []func(), n int) {
	work := make(chan func())
	var wg sync.WaitGroup
	for range min(n, len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				j()
			}
		}()
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()
}

// openAt is the first_seen of an open finding, recording it if needed.
func (f *FirstSeen) openAt(ctx context.Context, key string, now time.Time) (time.Time, error) {
	for attempt := 0; ; attempt++ {
		f.mu.Lock()
		cur, known := f.cache[key]
		first, ok := f.local[key]
		if !ok {
			first = now
		}
		f.mu.Unlock()
		if known && cur.rec.ResolvedAt == nil && !cur.bad {
			return cur.rec.FirstSeen, nil
		}
		rec := findingRecord{FirstSeen: first}
		data, _ := json.Marshal(rec)
		octx, cancel := context.WithTimeout(ctx, f.b.opts.Timeout)
		var rev uint64
		var err error
		if known {
			rev, err = f.b.find.Update(octx, key, data, cur.rev)
		} else {
			rev, err = f.b.find.Create(octx, key, data)
		}
		if err == nil {
			cancel()
			f.store(key, findingEntry{rec: rec, rev: rev})
			return first, nil
		}
		if attempt < 3 && isConflict(err) {
			// Another auditor wrote first: read what it wrote, and use it.
			e, gerr := f.b.find.Get(octx, key)
			cancel()
			if gerr == nil {
				f.learn(e)
				continue
			}
			err = gerr
		}
		cancel()
		f.mu.Lock()
		f.local[key] = first
		f.mu.Unlock()
		return first, fmt.Errorf("%s: %s", key, errText(err))
	}
}

// resolve marks a finding resolved, unless someone changed it since.
func (f *FirstSeen) resolve(ctx context.Context, key string, now time.Time) error {
	f.mu.Lock()
	delete(f.local, key)
	cur, known := f.cache[key]
	f.mu.Unlock()
	if !known || cur.rec.ResolvedAt != nil || cur.bad {
		return nil
	}
	rec := findingRecord{FirstSeen: cur.rec.FirstSeen, ResolvedAt: &now}
	data, _ := json.Marshal(rec)
	octx, cancel := context.WithTimeout(ctx, f.b.opts.Timeout)
	defer cancel()
	rev, err := f.b.find.Update(octx, key, data, cur.rev)
	if err == nil {
		f.store(key, findingEntry{rec: rec, rev: rev})
		return nil
	}
	if isConflict(err) {
		return nil // another auditor reopened or resolved it: its word stands
	}
	return fmt.Errorf("%s: %s", key, errText(err))
}

// forget returns jobs that purge up to limit records resolved more than
// forgetAfter ago, or implausible and not open (unless someone wrote them
// since).
func (f *FirstSeen) forget(ctx context.Context, now time.Time, open map[string]bool, limit int) []func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	var jobs []func()
	for key, e := range f.cache {
		if len(jobs) == limit {
			break
		}
		// An implausible record of a finding not open is purged at once
		// (every auditor judges it the same); a resolved one after
		// forgetAfter.
		if open[key] || !e.bad && (e.rec.ResolvedAt == nil || now.Sub(*e.rec.ResolvedAt) < forgetAfter) {
			continue
		}
		jobs = append(jobs, func() {
			octx, cancel := context.WithTimeout(ctx, f.b.opts.Timeout)
			defer cancel()
			if err := f.b.find.Purge(octx, key, jetstream.LastRevision(e.rev)); err == nil {
				f.mu.Lock()
				if cur, ok := f.cache[key]; ok && cur.rev == e.rev {
					delete(f.cache, key)
				}
				f.mu.Unlock()
			}
		})
	}
	return jobs
}

func (f *FirstSeen) store(key string, e findingEntry) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.local, key)
	if cur, ok := f.cache[key]; !ok || cur.rev < e.rev {
		f.cache[key] = e
	}
}

// isConflict reports a compare-and-set that lost: the key exists, or
// its revision moved.
func isConflict(err error) bool {
	return errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch)
}
