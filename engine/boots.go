package engine

import (
	"sort"
	"time"

	"github.com/faultline/faultline/history"
	"github.com/faultline/faultline/observation"
)

// bootTracker remembers each device's boot times (collection time minus
// uptime) without a history database, to count restarts in a window.
type bootTracker struct {
	boots map[string][]boot
}

type boot struct {
	seen time.Time
	history.Boot
}

func newBootTracker() *bootTracker { return &bootTracker{boots: map[string][]boot{}} }

func (b *bootTracker) observe(o *observation.Device) {
	if o.Error != "" || o.UptimeSeconds == nil {
		return
	}
	at := o.CollectedAt.Add(-time.Duration(*o.UptimeSeconds * float64(time.Second)))
	key := o.ID + "\x00" + o.Source
	list := b.boots[key]
	list = append(list, boot{seen: o.CollectedAt, Boot: history.Boot{At: at, Uptime: *o.UptimeSeconds}})
	if len(list) > 1000 {
		list = list[len(list)-1000:]
	}
	b.boots[key] = list
}

// count returns restarts per device seen since the given time.
func (b *bootTracker) count(since time.Time) map[string]int {
	out := map[string]int{}
	keys := make([]string, 0, len(b.boots))
	for k := range b.boots {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		list := b.boots[k]
		id := k[:indexNul(k)]
		for i := 1; i < len(list); i++ {
			if list[i].seen.Before(since) {
				continue
			}
			if history.Restarted(list[i-1].Boot, list[i].Boot) {
				out[id]++
			}
		}
	}
	return out
}

func indexNul(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return i
		}
	}
	return len(s)
}

func sortObservations(obs []observation.Device) {
	sort.Slice(obs, func(i, j int) bool {
		if obs[i].ID != obs[j].ID {
			return obs[i].ID < obs[j].ID
		}
		return obs[i].Source < obs[j].Source
	})
}
