package audit

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/reliability"
)

// The bounds of a maintenance window (plan --window, the API's window):
// the figures assume components fail at a constant rate, which holds for
// hours and days, not for a window as long as a component's life.
const (
	MinWindow = time.Minute
	MaxWindow = 31 * 24 * time.Hour
)

// CheckWindow returns an error saying what is wrong with a maintenance
// window's length, or nil when it is within [MinWindow, MaxWindow].
func CheckWindow(d time.Duration) error {
	if d < MinWindow || d > MaxWindow {
		return fmt.Errorf("window %s is out of range: give a duration from %s to %s (e.g. 4h)", WindowText(d), WindowText(MinWindow), WindowText(MaxWindow))
	}
	return nil
}

// ParseWindow reads a maintenance window's length: a duration (4h, 90m,
// 1h30m), optionally in days (2d, 1d12h), within [MinWindow, MaxWindow].
// The error says what is wrong and what to give.
func ParseWindow(s string) (time.Duration, error) {
	d, ok := inventory.ParseDuration(s)
	if !ok {
		return 0, fmt.Errorf("window %s is not a duration: give e.g. 4h, 90m or 2d", strconv.Quote(s))
	}
	return time.Duration(d), CheckWindow(time.Duration(d))
}

// WindowText writes a duration without zero trailing units: 4h, 1h30m, 744h.
func WindowText(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// PlanWindow is the risk of a plan's batches during a maintenance window
// of a given length: for each batch, the probability that each service
// whose risk the batch raises goes down while the batch is out.
type PlanWindow struct {
	Window string  `json:"window"`
	Hours  float64 `json:"hours"`
	Method string  `json:"method"`
	// Batches are the plan's batches, in its order.
	Batches []BatchRisk `json:"batches"`
}

// BatchRisk is one batch's risk during the window.
type BatchRisk struct {
	// Batch is the batch's number in the plan, from 1.
	Batch int `json:"batch"`
	// Risk is the highest of its services' risks (0 when it raises none).
	Risk float64 `json:"risk"`
	// Services are the services whose risk the batch raises, highest
	// risk first.
	Services []ServiceRisk `json:"services"`
}

// ServiceRisk is one service's risk during a batch's window.
type ServiceRisk struct {
	ID string `json:"id"`
	// Risk is the probability that the service goes down during the
	// window with the batch out (1 when the batch takes it down outright),
	// within ±ErrorBound.
	Risk       float64 `json:"risk"`
	ErrorBound float64 `json:"error_bound"`
	// Baseline is the probability over the same window with the batch in
	// service.
	Baseline float64 `json:"baseline"`
	// MostFrom are the components whose failure the risk comes from,
	// highest Fussell–Vesely first (at most three).
	MostFrom []ComponentImportance `json:"most_from"`
}

// maxMostFrom bounds a service's components in MostFrom.
const maxMostFrom = 3

// PlanRisk computes the risk of each batch (components by id, as a plan
// names them) during a window of length d, on the analysis's current
// state (observed failures already out). It stops with ctx's error.
func (a *Analysis) PlanRisk(ctx context.Context, batches [][]string, d time.Duration) (*PlanWindow, error) {
	if err := CheckWindow(d); err != nil {
		return nil, err
	}
	g := a.G
	w := reliability.NewWindow(g, a.net, a.Current.Failures(), reliability.Rates(g), d.Hours())
	out := &PlanWindow{Window: WindowText(d), Hours: d.Hours(), Method: reliability.WindowMethod, Batches: make([]BatchRisk, len(batches))}
	for i, b := range batches {
		comps := make([]int32, len(b))
		for j, id := range b {
			if comps[j] = g.Lookup(id); comps[j] < 0 {
				return nil, fmt.Errorf("batch %d: no component %q", i+1, id)
			}
		}
		risks, err := w.Batch(ctx, comps)
		if err != nil {
			return nil, err
		}
		br := BatchRisk{Batch: i + 1, Services: []ServiceRisk{}}
		for _, r := range risks {
			if !r.With.Down && r.With.Unavailability <= r.Without.Unavailability {
				continue
			}
			sr := ServiceRisk{ID: g.Services[r.Service].ID, Risk: r.With.Unavailability, ErrorBound: r.With.ErrorBound,
				Baseline: r.Without.Unavailability, MostFrom: []ComponentImportance{}}
			for k, im := range r.With.Importance {
				if k == maxMostFrom {
					break
				}
				sr.MostFrom = append(sr.MostFrom, ComponentImportance{Component: g.ID(im.Component), FussellVesely: im.FussellVesely, Birnbaum: im.Birnbaum})
			}
			br.Risk = max(br.Risk, sr.Risk)
			br.Services = append(br.Services, sr)
		}
		out.Batches[i] = br
	}
	return out, nil
}
