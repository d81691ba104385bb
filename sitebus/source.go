package sitebus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline/faultline/observation"
)

// Source watches the observations bucket for an auditor.
type Source struct {
	b *Bus

	Received atomic.Uint64 // observations delivered
	Rejected atomic.Uint64 // entries that were not a valid observation
}

// Source returns the bucket's watcher.
func (b *Bus) Source() *Source { return &Source{b: b} }

// Watch calls update with every observation in the bucket, then loaded,
// then update with each new one as it is put, until ctx ends (it is the
// engine's Source). A restarted watch calls loaded again.
// A deleted key is not delivered: the auditor keeps the last observation,
// which ages into stale. Entries that are not a valid observation under
// their key are logged and skipped. When the watch ends (the connection
// closed under it), it is started again from where it stopped.
func (s *Source) Watch(ctx context.Context, update func(observation.Device), loaded func()) error {
	for wait := time.Second; ctx.Err() == nil; {
		w, err := s.b.obs.WatchAll(ctx, jetstream.IgnoreDeletes())
		if err != nil {
			s.b.log.Warn("sitebus: watching observations failed; retrying", "error", errText(err), "in", wait)
		} else {
			wait = time.Second
			s.drain(ctx, w, update, loaded)
			_ = w.Stop()
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
			wait = min(2*wait, 30*time.Second)
		}
	}
	return nil
}

// drain delivers a watcher's entries until it closes or ctx ends. A
// restarted watch delivers every key's latest entry again; the engine
// keeps the newest of what it gets.
func (s *Source) drain(ctx context.Context, w jetstream.KeyWatcher, update func(observation.Device), loaded func()) {
	for {
		var e jetstream.KeyValueEntry
		select {
		case <-ctx.Done():
			return
		case got, ok := <-w.Updates():
			if !ok {
				return
			}
			e = got
		}
		if e == nil {
			s.b.log.Info("sitebus: observations loaded", "observations", s.Received.Load())
			loaded()
			continue
		}
		o, err := DecodeObservation(e.Key(), e.Value())
		if err != nil {
			s.Rejected.Add(1)
			s.b.log.Warn("sitebus: entry skipped", "key", e.Key(), "error", err)
			continue
		}
		s.Received.Add(1)
		update(o)
	}
}

// DecodeObservation reads one entry of the observations bucket: one
// device's observation, JSON as in `collect --out`, under the key its
// device and source make. Fields this build does not know are ignored
// (a newer collector may add some).
func DecodeObservation(key string, value []byte) (observation.Device, error) {
	var o observation.Device
	id, source, err := ParseObservationKey(key)
	if err != nil {
		return o, err
	}
	dec := json.NewDecoder(bytes.NewReader(value))
	if err := dec.Decode(&o); err != nil {
		return observation.Device{}, fmt.Errorf("observation: %w", err)
	}
	if dec.More() {
		return observation.Device{}, errors.New("observation: data after the JSON object")
	}
	if o.ID != id || o.Source != source {
		return observation.Device{}, fmt.Errorf("observation of %q from %q is under the key of %q from %q", o.ID, o.Source, id, source)
	}
	if o.Source != observation.SourceRedfish && o.Source != observation.SourceSNMP {
		return observation.Device{}, fmt.Errorf("observation: unknown source %q", o.Source)
	}
	return o, nil
}
