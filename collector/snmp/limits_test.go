package snmp

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/faultline/faultline/lab/snmpsim"
	"github.com/faultline/faultline/observation"
)

// exchange is one GetBulk as a recordingClient saw it.
type exchange struct {
	asked, got int // variables asked for (non-repeaters + columns × repetitions) and answered
	status     int // error-status of a refusal, 0 if answered
}

// recordingClient records every GetBulk its Client sends and what came back.
type recordingClient struct {
	Client
	mu  sync.Mutex
	log []exchange
}

func (r *recordingClient) GetBulk(ctx context.Context, nonRep, maxRep int, oids []OID) ([]Var, error) {
	vars, err := r.Client.GetBulk(ctx, nonRep, maxRep, oids)
	e := exchange{asked: nonRep + (len(oids)-nonRep)*maxRep, got: len(vars)}
	var es *ErrorStatus
	if errors.As(err, &es) {
		e.status = es.Status
	}
	r.mu.Lock()
	r.log = append(r.log, e)
	r.mu.Unlock()
	return vars, err
}

// recordingPoller returns a poller whose clients record their requests.
func recordingPoller(opts Options) (*Poller, *recordingClient) {
	p := New(opts)
	rec := &recordingClient{}
	p.dial = func(cfg dialConfig) (Client, error) {
		c, err := dial(cfg)
		if err != nil {
			return nil, err
		}
		rec.Client = c
		return rec, nil
	}
	return p, rec
}

// sameReading compares two observations of one device, timings aside.
var sameReading = cmpopts.IgnoreFields(observation.Device{}, "Endpoint", "AttemptedAt", "CollectedAt", "Duration", "Requests")

// TestAgentLimits polls a 50-port switch whose agent caps its answers in
// each of the ways real agents do: the reading must be the one an
// uncapped agent gives, the walker must learn the limit within a few
// refused or cut requests and keep to it, and the request count must stay
// near the fewest the limit allows.
func TestAgentLimits(t *testing.T) {
	inv := demo(t)
	tab, err := snmpsim.FromInventory(inv, "tor-2a", snmpsim.GenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	free := startAgent(t, tab, snmpsim.Options{Community: "lab"})
	p, rec := recordingPoller(Options{})
	want := pollOnce(t, p, v2cTarget(t, "tor-2a", "switch", free.Addr(), "lab"), 5*time.Second)
	if want.Error != "" || len(want.PartErrors) > 0 || len(want.Ports) != 50 {
		t.Fatalf("uncapped: error %q, part errors %v, %d ports", want.Error, want.PartErrors, len(want.Ports))
	}
	total := 0 // variables the walk needs, read off the uncapped walk
	for _, e := range rec.log {
		total += e.got
	}

	cases := []struct {
		name string
		opts snmpsim.Options
		// limit is the agent's cap in variables, for the request bound.
		limit int
	}{
		{"64 variables, truncated", snmpsim.Options{MaxVarbinds: 64}, 64},
		{"64 variables, snmpsimd's cut", snmpsim.Options{MaxVarbinds: 64, Oversize: snmpsim.CutRepetitions}, 64},
		{"40 variables, tooBig", snmpsim.Options{MaxVarbinds: 40, Oversize: snmpsim.TooBig}, 40},
		{"1400 bytes, truncated", snmpsim.Options{MaxMessageSize: 1400}, 30},
		{"1400 bytes, tooBig", snmpsim.Options{MaxMessageSize: 1400, Oversize: snmpsim.TooBig}, 30},
		{"5 variables, tooBig", snmpsim.Options{MaxVarbinds: 5, Oversize: snmpsim.TooBig}, 5},
		{"one variable, truncated", snmpsim.Options{MaxVarbinds: 1}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Community = "lab"
			a := startAgent(t, tab, tc.opts)
			p, rec := recordingPoller(Options{})
			got := pollOnce(t, p, v2cTarget(t, "tor-2a", "switch", a.Addr(), "lab"), 10*time.Second)
			if diff := cmp.Diff(want, got, sameReading); diff != "" {
				t.Fatalf("reading differs from the uncapped agent's (-want +got):\n%s", diff)
			}
			oversize, refused := 0, 0
			for _, e := range rec.log {
				if e.status != 0 {
					refused++
				}
				if e.status != 0 || e.got < e.asked {
					oversize++
				}
			}
			if oversize > 8 {
				t.Errorf("%d of %d requests refused or cut short: the limit was not learned (%v)", oversize, len(rec.log), rec.log)
			}
			if tc.opts.Oversize == snmpsim.TooBig && refused == 0 {
				t.Errorf("the agent never answered tooBig: the case tests nothing (%v)", rec.log)
			}
			// Columns end at different rows, so a request is rarely full:
			// allow twice the fewest, plus the requests that taught the limit.
			if bound := 2*(total/tc.limit+1) + oversize; len(rec.log) > bound {
				t.Errorf("%d requests for %d variables at a limit of %d, want at most %d", len(rec.log), total, tc.limit, bound)
			}
			t.Logf("%d requests for %d variables: %v", len(rec.log), total, rec.log)
			if got.Requests != len(rec.log) {
				t.Errorf("observation counts %d requests, the client sent %d", got.Requests, len(rec.log))
			}
		})
	}
}

// TestAgentLimitDeadline: an agent that answers one variable at a time,
// slowly, cannot hold the poll past the device's deadline.
func TestAgentLimitDeadline(t *testing.T) {
	inv := demo(t)
	tab, err := snmpsim.FromInventory(inv, "tor-2a", snmpsim.GenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const latency, deadline = 10 * time.Millisecond, 400 * time.Millisecond
	a := startAgent(t, tab, snmpsim.Options{Community: "lab", MaxVarbinds: 1, Oversize: snmpsim.TooBig, Latency: latency})
	d := pollOnce(t, New(Options{}), v2cTarget(t, "tor-2a", "switch", a.Addr(), "lab"), deadline)
	if !strings.Contains(d.Error, "deadline") || d.Requests < 5 {
		t.Errorf("error %q after %d requests, want the deadline's", d.Error, d.Requests)
	}
	// Every answer takes at least the latency: no more requests fit in
	// the deadline than this, the one in flight included, however loaded
	// the machine (a bound on the work, not a timing).
	if n := a.Requests(); n > int64(deadline/latency)+1 {
		t.Errorf("the agent received %d requests within %v at %v each", n, deadline, latency)
	}
}

// TestGenErrColumn: an agent whose subagent for one column answers genErr
// (whatever the request's size) costs that column, as a part error, and
// a few requests to find it; everything else is read.
func TestGenErrColumn(t *testing.T) {
	inv := demo(t)
	tab, err := snmpsim.FromInventory(inv, "tor-2a", snmpsim.GenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	free := startAgent(t, tab, snmpsim.Options{Community: "lab"})
	want := pollOnce(t, New(Options{}), v2cTarget(t, "tor-2a", "switch", free.Addr(), "lab"), 5*time.Second)

	a := startAgent(t, tab, snmpsim.Options{Community: "lab"})
	// entPhysicalSerialNum: read for every PSU, fan and the chassis.
	if err := a.Inject(snmpsim.Fault{Kind: snmpsim.GenErr, Part: "1.3.6.1.2.1.47.1.1.1.1.11"}); err != nil {
		t.Fatal(err)
	}
	p, rec := recordingPoller(Options{})
	got := pollOnce(t, p, v2cTarget(t, "tor-2a", "switch", a.Addr(), "lab"), 5*time.Second)
	if got.Error != "" {
		t.Fatalf("error %q", got.Error)
	}
	if len(got.PartErrors) != 1 || got.PartErrors[0].Part != "ENTITY-MIB" || !strings.Contains(got.PartErrors[0].Error, "genErr") {
		t.Errorf("part errors %v, want one for ENTITY-MIB saying genErr", got.PartErrors)
	}
	if diff := cmp.Diff(summarize(&want), summarize(&got)); diff != "" {
		t.Errorf("the rest of the reading differs (-want +got):\n%s", diff)
	}
	// Bisecting 250 variables down to one takes 8 refusals and at most
	// as many answered halves; the budget then goes back to where it was.
	refused := 0
	for _, e := range rec.log {
		if e.status != 0 {
			refused++
		}
	}
	if refused > 9 || len(rec.log) > want.Requests+2*8 {
		t.Errorf("%d requests (%d refused), %d without the fault: %v", len(rec.log), refused, want.Requests, rec.log)
	}
	if last := rec.log[len(rec.log)-1]; last.asked < 100 {
		t.Errorf("after the bisection the budget stayed small: %v", rec.log)
	}
}
