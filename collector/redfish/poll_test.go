package redfish_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faultline/faultline/collector/redfish"
	"github.com/faultline/faultline/lab/redfishsim"
	"github.com/faultline/faultline/observation"
)

func clock() time.Time { return fixedNow }

// TestGenerated reads generated BMCs in both schemas and compares the
// observations with golden files.
func TestGenerated(t *testing.T) {
	for _, schema := range []redfishsim.Schema{redfishsim.Modern, redfishsim.Legacy} {
		for _, id := range []string{"srv-1", "db-1", "mail-1"} {
			t.Run(fmt.Sprintf("%s-%s", id, schema), func(t *testing.T) {
				l := newLab(t)
				_, tg := l.device(id, redfishsim.Options{Schema: schema, Now: clock})
				obs := pollOnce(t, l.poller(redfish.Options{Now: clock}), tg, 10*time.Second)
				if obs.Error != "" {
					t.Fatal(obs.Error)
				}
				noSecret(t, obs)
				golden(t, fmt.Sprintf("%s-%s", id, schema), stable(obs))
			})
		}
	}
}

// comparable drops what legitimately differs between ways of reading the
// same BMC: how many requests it took and the notes about features.
func comparable(d observation.Device) observation.Device {
	d = stable(d)
	d.Requests, d.Warnings = 0, nil
	return d
}

// TestEveryWayAgrees reads one BMC every way the collector can: with
// $expand and $select, $expand alone, plain walks, against BMCs that
// reject, ignore or crawl on $expand; cold and warm. Every way must see
// the same server.
func TestEveryWayAgrees(t *testing.T) {
	type way struct {
		name     string
		sim      redfishsim.Options
		noExpand bool
		warns    bool // a feature is turned off, and said so
	}
	ways := []way{
		{name: "expand+select"},
		{name: "expand", sim: redfishsim.Options{NoSelect: true}},
		{name: "walk", sim: redfishsim.Options{Expand: redfishsim.ExpandOff}},
		{name: "walk-by-choice", noExpand: true},
		{name: "expand-rejected", sim: redfishsim.Options{Expand: redfishsim.ExpandReject}, warns: true},
		{name: "expand-ignored", sim: redfishsim.Options{Expand: redfishsim.ExpandIgnore}, warns: true},
		{name: "expand-crawls", sim: redfishsim.Options{Expand: redfishsim.ExpandSlow, ExpandCost: 40 * time.Millisecond, Latency: time.Millisecond}, warns: true},
		{name: "http1", sim: redfishsim.Options{HTTP1Only: true}},
	}
	for _, schema := range []redfishsim.Schema{redfishsim.Modern, redfishsim.Legacy} {
		t.Run(string(schema), func(t *testing.T) {
			t.Parallel()
			l := newLab(t)
			_, ref := l.device("srv-1", redfishsim.Options{Schema: schema, Now: clock})
			want := comparable(pollOnce(t, l.poller(redfish.Options{Now: clock, NoExpand: true}), ref, 10*time.Second))
			if want.Error != "" {
				t.Fatal(want.Error)
			}
			for i, w := range ways {
				w.sim.Schema, w.sim.Now, w.sim.ID = schema, clock, fmt.Sprintf("srv-1-%d", i)
				sim, err := redfishsim.FromDevice(l.inv, "srv-1", w.sim)
				if err != nil {
					t.Fatal(err)
				}
				tg := l.serve(sim, "srv-1", l.inv.Device("srv-1").Management.Redfish)
				p := l.poller(redfish.Options{Now: clock, NoExpand: w.noExpand})
				for round := range 2 {
					got := pollOnce(t, p, tg, 20*time.Second)
					if got.Error != "" {
						t.Fatalf("%s, poll %d: %s", w.name, round+1, got.Error)
					}
					if round == 0 && w.warns && schema == redfishsim.Modern && len(got.Warnings) == 0 {
						t.Errorf("%s: no warning that a feature was turned off", w.name)
					}
					got.ID = want.ID
					if diff := cmp.Diff(want, comparable(got)); diff != "" {
						t.Errorf("%s, poll %d: the server reads differently (-walk +%s):\n%s", w.name, round+1, w.name, diff)
					}
				}
			}
		})
	}
}

// TestSteadyStateCost checks what a poll costs the BMC: a cold poll reads
// the root and the collections; a warm one only the system, chassis and
// manager, revalidated with ETags (304s), over one TLS handshake.
func TestSteadyStateCost(t *testing.T) {
	tests := []struct {
		name          string
		sim           redfishsim.Options
		session       bool
		cold, warm    int
		warmUnchanged int // 304s in a warm poll
	}{
		{name: "expand+select", cold: 7, warm: 3, warmUnchanged: 3},
		{name: "expand+select, session", session: true, cold: 9, warm: 5, warmUnchanged: 3},
		{name: "expand", sim: redfishsim.Options{NoSelect: true}, cold: 13, warm: 9, warmUnchanged: 9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLab(t)
			sim, tg := l.device("srv-1", tc.sim)
			if tc.session {
				tg.Management.Redfish.Auth = "session"
			}
			p := l.poller(redfish.Options{})
			for i, want := range []int{tc.cold, tc.warm, tc.warm} {
				sim.ResetStats()
				obs := pollOnce(t, p, tg, 10*time.Second)
				if obs.Error != "" {
					t.Fatal(obs.Error)
				}
				st := sim.Stats()
				if obs.Requests != want || st.Requests != int64(want) {
					t.Errorf("poll %d: %d requests (BMC counted %d), want %d", i+1, obs.Requests, st.Requests, want)
				}
				if st.Handshakes != 1 {
					t.Errorf("poll %d: %d TLS handshakes, want 1", i+1, st.Handshakes)
				}
				if i > 0 && st.NotModified != int64(tc.warmUnchanged) {
					t.Errorf("poll %d: %d answered 304, want %d", i+1, st.NotModified, tc.warmUnchanged)
				}
				if st.Sessions != 0 {
					t.Errorf("poll %d: %d sessions left open", i+1, st.Sessions)
				}
			}
		})
	}
}

// TestChangeIsSeen checks that ETag revalidation does not hide a change:
// after a fault the BMC's representations change and the next poll sees it.
func TestChangeIsSeen(t *testing.T) {
	l := newLab(t)
	sim, tg := l.device("srv-1", redfishsim.Options{})
	p := l.poller(redfish.Options{})
	if obs := pollOnce(t, p, tg, 10*time.Second); psuByID(t, obs, "PSU2").Condition != observation.OK {
		t.Fatalf("PSU2 is %s before the fault", psuByID(t, obs, "PSU2").Condition)
	}
	pollOnce(t, p, tg, 10*time.Second)
	if err := sim.Inject(redfishsim.Fault{Fault: redfishsim.PSUFail, Part: "PSU2"}); err != nil {
		t.Fatal(err)
	}
	obs := pollOnce(t, p, tg, 10*time.Second)
	if got := psuByID(t, obs, "PSU2").Condition; got != observation.Failed {
		t.Errorf("after psu-fail PSU2 is %s, want failed", got)
	}
	if obs.Requests != 3 {
		t.Errorf("a changed server cost %d requests, want 3 (the same URIs, answered in full)", obs.Requests)
	}
	if got := obs.PowerRedundancy[0].Condition; got != observation.Degraded {
		t.Errorf("redundancy with one of two PSUs left is %s, want degraded", got)
	}
}

// TestIdentityAndUptime checks identity, power state and uptime.
func TestIdentityAndUptime(t *testing.T) {
	l := newLab(t)
	sim, tg := l.device("srv-1", redfishsim.Options{Now: clock})
	now := fixedNow
	p := l.poller(redfish.Options{Now: func() time.Time { return now }})
	obs := pollOnce(t, p, tg, 10*time.Second)
	want := &observation.Identity{Manufacturer: "faultline lab", Model: "Lab R8", Serial: obs.Identity.Serial, BIOS: "2.19.1", BMCFirmware: "7.10.30.00"}
	if diff := cmp.Diff(want, obs.Identity); diff != "" || !strings.HasPrefix(obs.Identity.Serial, "FL") {
		t.Errorf("identity (-want +got):\n%s", diff)
	}
	if obs.PowerState != "On" {
		t.Errorf("power state %q", obs.PowerState)
	}
	if obs.UptimeSeconds == nil || *obs.UptimeSeconds != (9*24*time.Hour).Seconds() {
		t.Errorf("uptime %v, want 9 days", obs.UptimeSeconds)
	}
	// A reset at fixedNow (the simulator's clock), polled 61 minutes later.
	now = fixedNow.Add(time.Hour + time.Minute)
	if err := sim.Inject(redfishsim.Fault{Fault: redfishsim.Reset}); err != nil {
		t.Fatal(err)
	}
	obs = pollOnce(t, p, tg, 10*time.Second)
	if obs.UptimeSeconds == nil || *obs.UptimeSeconds != (time.Hour+time.Minute).Seconds() {
		t.Errorf("uptime after reset %v, want the time since the reset", obs.UptimeSeconds)
	}
}
