package engine

import (
	"sort"
	"time"

	"github.com/faultline/faultline/history"
	"github.com/faultline/faultline/observation"
)

// bootTracker remembers devices' uptime readings without a history
// database, for history.CountRestarts (the same counter the database uses).
type bootTracker struct {
	readings map[string][]history.Reading // by collector.Key
}

func newBootTracker() *bootTracker { return &bootTracker{readings: map[string][]history.Reading{}} }

// maxReadings bounds what is kept per device and source.
const maxReadings = 1000

func (b *bootTracker) observe(o *observation.Device, key string) {
	r, ok := history.ReadingOf(o)
	if !ok {
		return
	}
	list := append(b.readings[key], r)
	if len(list) > maxReadings {
		list = list[len(list)-maxReadings:]
	}
	b.readings[key] = list
}

// count returns restarts per device seen since the given time.
func (b *bootTracker) count(since time.Time) map[string]int {
	var all []history.Reading
	for _, list := range b.readings {
		all = append(all, list...)
	}
	return history.CountRestarts(all, since)
}

func sortObservations(obs []observation.Device) {
	sort.Slice(obs, func(i, j int) bool {
		if obs[i].ID != obs[j].ID {
			return obs[i].ID < obs[j].ID
		}
		return obs[i].Source < obs[j].Source
	})
}
