package collector

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/observation"
)

// fakePoller is a poller whose behaviour per device the test sets: the
// runner's contract (bounded concurrency, deadlines, partial failure,
// panic isolation) is what is under test, not a protocol.
type fakePoller struct {
	inFlight, peak atomic.Int32
	behave         func(ctx context.Context, id string) observation.Device
}

func (p *fakePoller) Protocol() string    { return "fake" }
func (p *fakePoller) Handles(Target) bool { return true }
func (p *fakePoller) Poll(ctx context.Context, t Target) observation.Device {
	n := p.inFlight.Add(1)
	defer p.inFlight.Add(-1)
	for {
		old := p.peak.Load()
		if n <= old || p.peak.CompareAndSwap(old, n) {
			break
		}
	}
	return p.behave(ctx, t.ID)
}

func targets(ids ...string) []Target {
	var ts []Target
	for _, id := range ids {
		ts = append(ts, Target{ID: id, Management: &inventory.Management{}})
	}
	return ts
}

func TestRunBoundsConcurrencyAndIsolatesFailures(t *testing.T) {
	p := &fakePoller{behave: func(ctx context.Context, id string) observation.Device {
		switch id {
		case "hang":
			<-ctx.Done() // honours the deadline
			return observation.Device{Error: "timeout: " + context.Cause(ctx).Error()}
		case "panic":
			panic("poller bug")
		}
		time.Sleep(20 * time.Millisecond)
		return observation.Device{CollectedAt: time.Now()}
	}}
	ids := []string{"a", "hang", "b", "panic", "c", "d", "e", "f"}
	start := time.Now()
	obs := Run(context.Background(), targets(ids...), []Poller{p}, Options{Concurrency: 3, Timeout: 200 * time.Millisecond})
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("run took %s: a hung device blocked the others", took)
	}
	if got := p.peak.Load(); got > 3 {
		t.Errorf("%d polls at once, limit 3", got)
	}
	if len(obs) != len(ids) {
		t.Fatalf("%d observations for %d devices", len(obs), len(ids))
	}
	for i, o := range obs {
		if o.ID != ids[i] || o.Source != "fake" {
			t.Errorf("observation %d is %s/%s, want %s/fake (target order)", i, o.ID, o.Source, ids[i])
		}
		switch o.ID {
		case "hang":
			if o.Error == "" {
				t.Error("hung device has no error")
			}
		case "panic":
			if o.Error == "" || o.HasData() {
				t.Errorf("panicking poller: %+v", o)
			}
		default:
			if o.Error != "" || !o.HasData() {
				t.Errorf("%s: %+v", o.ID, o)
			}
		}
	}
}

func TestRunKeepsLastGood(t *testing.T) {
	good := observation.Device{ID: "a", Source: "fake", CollectedAt: time.Now().Add(-time.Hour), PowerState: "On"}
	p := &fakePoller{behave: func(context.Context, string) observation.Device {
		return observation.Device{Error: "connection refused"}
	}}
	obs := Run(context.Background(), targets("a"), []Poller{p}, Options{Previous: map[string]*observation.Device{Key("a", "fake"): &good}})
	o := obs[0]
	if o.Error != "connection refused" || o.PowerState != "On" || !o.CollectedAt.Equal(good.CollectedAt) {
		t.Errorf("a failed poll must keep the last good data with its age and the new error: %+v", o)
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	before := runtime.NumGoroutine()
	p := &fakePoller{behave: func(ctx context.Context, id string) observation.Device {
		cancel(errors.New("shutting down"))
		<-ctx.Done()
		return observation.Device{Error: "cancelled"}
	}}
	obs := Run(ctx, targets("a", "b", "c"), []Poller{p}, Options{Concurrency: 1})
	if len(obs) != 3 {
		t.Fatalf("%d observations", len(obs))
	}
	for _, o := range obs[1:] {
		if o.Error == "" {
			t.Errorf("%s: a device not polled after cancellation has no error", o.ID)
		}
	}
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Run, %d before", n, before)
	}
}
