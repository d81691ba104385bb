package engine

import (
	"slices"
	"sort"
	"time"

	"github.com/faultline/faultline/history"
	"github.com/faultline/faultline/observation"
)

// bootTracker remembers devices' uptime readings for serve without a
// history database, for history.CountRestarts (the same counter the
// database uses; with a database, the engine keeps none: the database
// answers). Like the database, it keeps each run of readings without a
// restart as its first and its latest reading, and nothing seen before
// the window: a device and source cost two readings, and two more per
// restart in the window, however often they are polled.
type bootTracker struct {
	window   time.Duration
	readings map[string][]history.Reading // by collector.Key
}

func newBootTracker(window time.Duration) *bootTracker {
	return &bootTracker{window: window, readings: map[string][]history.Reading{}}
}

// maxReadings bounds what is kept per device and source (a device that
// restarts every poll).
const maxReadings = 1000

// observe adds a good observation's uptime reading. A nil tracker keeps
// nothing.
func (b *bootTracker) observe(o *observation.Device, key string) {
	if b == nil {
		return
	}
	r, ok := history.ReadingOf(o)
	if !ok {
		return
	}
	list := b.readings[key]
	old := 0
	for old < len(list) && list[old].Seen.Before(r.Seen.Add(-b.window)) {
		old++
	}
	if old > 0 {
		list = slices.Clone(list[old:]) // let the old array go
	}
	if n := len(list); n >= 2 && sameRun(list[n-2], list[n-1], r) {
		list[n-1] = r // the run goes on: r is its latest reading
	} else {
		list = append(list, r)
	}
	if len(list) > maxReadings {
		list = slices.Clone(list[len(list)-maxReadings:])
	}
	b.readings[key] = list
}

// sameRun reports whether r continues the run whose first and latest
// readings are first and last: no restart between any two of them, so
// that dropping last changes no count.
func sameRun(first, last, r history.Reading) bool {
	return !history.Restarted(first.Boot, last.Boot) && !history.Restarted(last.Boot, r.Boot) && !history.Restarted(first.Boot, r.Boot)
}

// retain forgets the readings of every key but those given.
func (b *bootTracker) retain(keys map[string]*observation.Device) {
	if b == nil {
		return
	}
	for k := range b.readings {
		if _, ok := keys[k]; !ok {
			delete(b.readings, k)
		}
	}
}

// count returns restarts per device seen since the given time.
func (b *bootTracker) count(since time.Time) map[string]int {
	var all []history.Reading
	for _, list := range b.readings {
		all = append(all, list...)
	}
	return history.CountRestarts(all, since)
}

// size is how many readings are kept.
func (b *bootTracker) size() int {
	n := 0
	for _, list := range b.readings {
		n += len(list)
	}
	return n
}

func sortObservations(obs []observation.Device) {
	sort.Slice(obs, func(i, j int) bool {
		if obs[i].ID != obs[j].ID {
			return obs[i].ID < obs[j].ID
		}
		return obs[i].Source < obs[j].Source
	})
}
