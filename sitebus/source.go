package sitebus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/observation"
)

// Source is an auditor's view of the observations bucket: for every key
// the inventory expects, the latest revision the bucket holds, when it is
// accepted (see Policy); when that revision is refused, the newest
// accepted revision the bucket still keeps of that key; after a delete or
// a purge, nothing. That is a function of the bucket and the inventory
// alone, so every auditor reaches the same state whatever it saw before,
// whenever it started.
type Source struct {
	b   *Bus
	pol Policy
	now func() time.Time

	Received atomic.Uint64 // entries accepted
	rejected [6]atomic.Uint64

	mu     sync.Mutex
	exp    *expectation
	state  map[string]held // by bucket key: accepted entries only
	loaded bool
	reeval chan struct{}
}

type held struct {
	key Key
	obs observation.Device
}

// Source returns an auditor's watcher of the bucket under pol (a zero
// MaxSkew is the connection's Options.MaxSkew).
func (b *Bus) Source(pol Policy) *Source {
	if pol.MaxSkew <= 0 {
		pol.MaxSkew = b.opts.MaxSkew
	}
	return &Source{b: b, pol: pol.withDefaults(), now: time.Now, exp: expect(nil), state: map[string]held{}, reeval: make(chan struct{}, 1)}
}

// Rejected is how many entries were refused for reason (one of Reasons).
func (s *Source) Rejected(reason string) uint64 { return s.rejected[reasonIndex(reason)].Load() }

// RejectedTotal is how many entries were refused, whatever the reason.
func (s *Source) RejectedTotal() uint64 {
	var n uint64
	for i := range s.rejected {
		n += s.rejected[i].Load()
	}
	return n
}

func (s *Source) reject(key, reason, detail string) {
	s.rejected[reasonIndex(reason)].Add(1)
	// Keys of devices the inventory does not hold are counted, not logged:
	// a bucket full of them must not fill the log either.
	if reason != ReasonUnknownDevice {
		s.b.log.Warn("sitebus: entry refused", "key", key, "reason", reason, "detail", detail)
	}
}

// SetInventory makes the source judge the bucket by inv from now on: it
// reads the bucket again, and replaces its state once read.
func (s *Source) SetInventory(inv *inventory.Inventory) {
	x := expect(inv)
	s.mu.Lock()
	s.exp = x
	s.mu.Unlock()
	select {
	case s.reeval <- struct{}{}:
	default:
	}
}

// Observations is the state in force, one observation per device and
// source (a key with the site wins over a legacy key of the same device
// and source), and whether the bucket's contents have been read once.
func (s *Source) Observations() ([]observation.Device, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	by := make(map[string]held, len(s.state))
	for _, h := range s.state {
		k := collector.Key(h.key.Device, h.key.Source)
		if cur, ok := by[k]; ok && !cur.key.Legacy {
			continue
		}
		by[k] = h
	}
	out := make([]observation.Device, 0, len(by))
	for _, h := range by {
		out = append(out, h.obs)
	}
	return out, s.loaded
}

// Watch follows the bucket under inv until ctx ends, calling changed
// (which must not block) whenever the state may have changed. It reads
// the bucket's contents first and replaces the state with them in one go;
// a watch that ends (the connection closed under it) or an inventory
// change (SetInventory) reads them again, serving the old state meanwhile.
func (s *Source) Watch(ctx context.Context, inv *inventory.Inventory, changed func()) error {
	s.SetInventory(inv)
	for wait := time.Second; ctx.Err() == nil; {
		select {
		case <-s.reeval:
		default:
		}
		w, err := s.b.obs.WatchAll(ctx)
		if err != nil {
			s.b.log.Warn("sitebus: watching observations failed; retrying", "error", errText(err), "in", wait)
		} else {
			wait = time.Second
			again := s.drain(ctx, w, changed)
			_ = w.Stop()
			if again {
				continue
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
			wait = min(2*wait, 30*time.Second)
		}
	}
	return nil
}

// drain reads a watcher: the initial contents into a new state, which
// then replaces the old one, and each change after that. It returns true
// when the inventory changed (read again at once).
func (s *Source) drain(ctx context.Context, w jetstream.KeyWatcher, changed func()) bool {
	s.mu.Lock()
	x := s.exp
	s.mu.Unlock()
	var next map[string]held // the initial contents, until the marker
	next = map[string]held{}
	for {
		var e jetstream.KeyValueEntry
		select {
		case <-ctx.Done():
			return false
		case <-s.reeval:
			return true
		case got, ok := <-w.Updates():
			if !ok {
				return false
			}
			e = got
		}
		if e == nil {
			s.mu.Lock()
			s.state, s.loaded = next, true
			s.mu.Unlock()
			next = nil
			s.b.log.Info("sitebus: observations loaded", "accepted", s.Received.Load(), "refused", s.RejectedTotal())
			changed()
			continue
		}
		h, relevant := s.judge(ctx, x, e)
		if !relevant {
			continue
		}
		if next != nil {
			if h == nil {
				delete(next, e.Key())
			} else {
				next[e.Key()] = *h
			}
			continue
		}
		s.mu.Lock()
		if h == nil {
			delete(s.state, e.Key())
		} else {
			s.state[e.Key()] = *h
		}
		s.mu.Unlock()
		changed()
	}
}

// judge decides what one entry makes of its key: relevant is false for a
// key the inventory does not expect (counted and dropped); otherwise h is
// what the key holds now — the entry, or when the entry is refused the
// newest accepted revision before it, or nil (deleted, or nothing
// acceptable kept).
func (s *Source) judge(ctx context.Context, x *expectation, e jetstream.KeyValueEntry) (h *held, relevant bool) {
	k, err := ParseObservationKey(e.Key())
	if err != nil {
		s.reject(e.Key(), ReasonMalformed, err.Error())
		return nil, false
	}
	if r := x.key(k); r != "" {
		s.reject(e.Key(), r, k.Device+" over "+k.Source)
		return nil, false
	}
	if e.Operation() != jetstream.KeyValuePut {
		return nil, true // a delete or a purge: the observation is gone
	}
	h, rej := s.accept(k, e)
	if rej == nil {
		s.Received.Add(1)
		return h, true
	}
	s.reject(e.Key(), rej.reason, rej.detail)
	return s.fallback(ctx, k, e.Revision()), true
}

// accept judges one revision of an expected key.
func (s *Source) accept(k Key, e jetstream.KeyValueEntry) (*held, *rejection) {
	if len(e.Value()) > s.pol.MaxValueBytes {
		return nil, &rejection{ReasonTooLarge, fmt.Sprintf("%d bytes, over %d", len(e.Value()), s.pol.MaxValueBytes)}
	}
	o, err := decodeValue(k, e.Value())
	if err != nil {
		return nil, &rejection{ReasonMalformed, err.Error()}
	}
	if r := s.pol.checkValue(&o, e.Created(), s.now()); r != nil {
		return nil, r
	}
	return &held{key: k, obs: o}, nil
}

// fallback is the newest accepted revision of a key before rev that the
// bucket still keeps (nil after a delete or when there is none).
func (s *Source) fallback(ctx context.Context, k Key, rev uint64) *held {
	octx, cancel := context.WithTimeout(ctx, s.b.opts.Timeout)
	defer cancel()
	hist, err := s.b.obs.History(octx, k.String())
	if err != nil {
		if !errors.Is(err, jetstream.ErrKeyNotFound) {
			s.b.log.Warn("sitebus: history of a refused entry unreadable", "key", k.String(), "error", errText(err))
		}
		return nil
	}
	for i := len(hist) - 1; i >= 0; i-- {
		e := hist[i]
		if e.Revision() >= rev {
			continue
		}
		if e.Operation() != jetstream.KeyValuePut {
			return nil
		}
		if h, rej := s.accept(k, e); rej == nil {
			return h
		}
	}
	return nil
}

// DecodeObservation reads one entry of the observations bucket: one
// device's observation, JSON as in `collect --out`, under the key its
// site, device and source make (or a legacy DEVICE.SOURCE key). Fields
// this build does not know are ignored (a newer collector may add some).
// It checks the shape only; what an auditor accepts is decided by Policy.
func DecodeObservation(key string, value []byte) (observation.Device, error) {
	k, err := ParseObservationKey(key)
	if err != nil {
		return observation.Device{}, err
	}
	return decodeValue(k, value)
}

func decodeValue(k Key, value []byte) (observation.Device, error) {
	var o observation.Device
	dec := json.NewDecoder(bytes.NewReader(value))
	if err := dec.Decode(&o); err != nil {
		return observation.Device{}, fmt.Errorf("observation: %w", err)
	}
	if dec.More() {
		return observation.Device{}, errors.New("observation: data after the JSON object")
	}
	if o.ID != k.Device || o.Source != k.Source {
		return observation.Device{}, fmt.Errorf("observation of %q from %q is under the key of %q from %q", o.ID, o.Source, k.Device, k.Source)
	}
	if o.Source != observation.SourceRedfish && o.Source != observation.SourceSNMP {
		return observation.Device{}, fmt.Errorf("observation: unknown source %q", o.Source)
	}
	return o, nil
}
