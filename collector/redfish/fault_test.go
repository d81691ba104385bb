package redfish_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/collector/redfish"
	"github.com/faultline/faultline/lab/redfishsim"
	"github.com/faultline/faultline/observation"
)

// TestFaults injects every fault the simulator knows into one of three
// BMCs polled together through collector.Run, and checks that the faulty
// one gives a clear result, the others are read in full and are not held
// up, no session is left open, and no goroutine is leaked.
func TestFaults(t *testing.T) {
	const timeout = 1500 * time.Millisecond
	type check func(t *testing.T, d observation.Device)
	wantError := func(words ...string) check {
		return func(t *testing.T, d observation.Device) {
			t.Helper()
			if d.Error == "" {
				t.Fatalf("no error; part errors %v", d.PartErrors)
			}
			if d.ID != "srv-1" || d.Source != observation.SourceRedfish {
				t.Errorf("the observation says device %q, source %q; want srv-1, redfish", d.ID, d.Source)
			}
			if strings.Contains(d.Error, "collector/redfish") || strings.Contains(d.Error, "srv-1") {
				// One prefix per layer: the observation names the device
				// and the source, and model prefixes the source.
				t.Errorf("error %q repeats the collector or the device the observation names", d.Error)
			}
			for _, w := range words {
				if !strings.Contains(d.Error, w) {
					t.Errorf("error %q does not mention %q", d.Error, w)
				}
			}
			if d.HasData() {
				t.Errorf("a failed poll carries data (collected at %v)", d.CollectedAt)
			}
		}
	}
	tests := []struct {
		name    string
		faults  []redfishsim.Fault
		session bool
		check   check
	}{
		{name: "psu-fail", faults: []redfishsim.Fault{{Fault: redfishsim.PSUFail, Part: "PSU2"}}, check: func(t *testing.T, d observation.Device) {
			if p := psuByID(t, d, "PSU2"); p.Condition != observation.Failed || p.Health != "Critical" {
				t.Errorf("PSU2 %+v, want failed", *p)
			}
			if c := d.PowerRedundancy[0].Condition; c != observation.Degraded {
				t.Errorf("redundancy %s, want degraded", c)
			}
			if *d.PSUs[0].InputWatts != 420 {
				t.Errorf("PSU1 carries %v W, want all 420", *d.PSUs[0].InputWatts)
			}
		}},
		{name: "psu-remove", faults: []redfishsim.Fault{{Fault: redfishsim.PSURemove, Part: "PSU2"}}, check: func(t *testing.T, d observation.Device) {
			if p := psuByID(t, d, "PSU2"); p.Condition != observation.Absent {
				t.Errorf("PSU2 %+v, want absent", *p)
			}
		}},
		{name: "psu-input-lost", faults: []redfishsim.Fault{{Fault: redfishsim.PSUInputLost, Part: "PSU1"}}, check: func(t *testing.T, d observation.Device) {
			p := psuByID(t, d, "PSU1")
			if p.Condition != observation.Failed || p.InputOK == nil || *p.InputOK || *p.InputVoltage != 0 {
				t.Errorf("PSU1 %+v, want failed with no input", *p)
			}
		}},
		{name: "drive-fail", faults: []redfishsim.Fault{{Fault: redfishsim.DriveFail, Part: "data/1"}}, check: func(t *testing.T, d observation.Device) {
			if c := driveByID(t, d, "data-1").Condition; c != observation.Failed {
				t.Errorf("drive data-1 %s, want failed", c)
			}
			if c := volumeByID(t, d, "data").Condition; c != observation.Degraded {
				t.Errorf("raid6 volume with one failed drive %s, want degraded", c)
			}
		}},
		{name: "mirror-lost", faults: []redfishsim.Fault{{Fault: redfishsim.DriveFail, Part: "os/0"}, {Fault: redfishsim.DriveFail, Part: "os-1"}}, check: func(t *testing.T, d observation.Device) {
			if c := volumeByID(t, d, "os").Condition; c != observation.Failed {
				t.Errorf("raid1 volume with both drives failed %s, want failed", c)
			}
		}},
		{name: "drive-predict", faults: []redfishsim.Fault{{Fault: redfishsim.DrivePredict, Part: "os/1"}}, check: func(t *testing.T, d observation.Device) {
			if dr := driveByID(t, d, "os-1"); dr.Condition != observation.Degraded || !dr.PredictedFailure {
				t.Errorf("drive os-1 %+v, want degraded with a predicted failure", *dr)
			}
		}},
		{name: "volume-degrade", faults: []redfishsim.Fault{{Fault: redfishsim.VolumeDegrade, Part: "os"}}, check: func(t *testing.T, d observation.Device) {
			if c := volumeByID(t, d, "os").Condition; c != observation.Degraded {
				t.Errorf("volume os %s, want degraded", c)
			}
		}},
		{name: "link-down", faults: []redfishsim.Fault{{Fault: redfishsim.LinkDown, Part: "eno2"}}, check: func(t *testing.T, d observation.Device) {
			if p := portByName(t, d, "eno2"); p.Oper != "down" || len(p.Neighbors) != 0 {
				t.Errorf("eno2 %+v, want down with no neighbour", *p)
			}
			if p := portByName(t, d, "eno1"); p.Oper != "up" || len(p.Neighbors) != 1 || p.Neighbors[0].SysName != "tor-a" {
				t.Errorf("eno1 %+v, want up with tor-a as neighbour", *p)
			}
		}},
		{name: "fan-fail", faults: []redfishsim.Fault{{Fault: redfishsim.FanFail, Part: "Fan3"}}, check: func(t *testing.T, d observation.Device) {
			if d.Fans[2].Condition != observation.Failed || d.FanRedundancy[0].Condition != observation.Degraded {
				t.Errorf("fan %+v, redundancy %+v: want failed and degraded", d.Fans[2], d.FanRedundancy[0])
			}
		}},
		{name: "hot-inlet", faults: []redfishsim.Fault{{Fault: redfishsim.HotInlet, Value: 41}}, check: func(t *testing.T, d observation.Device) {
			if d.InletCelsius == nil || *d.InletCelsius != 41 {
				t.Errorf("inlet %v, want 41", d.InletCelsius)
			}
		}},
		{name: "reset", faults: []redfishsim.Fault{{Fault: redfishsim.Reset}}, check: func(t *testing.T, d observation.Device) {
			if d.UptimeSeconds == nil || *d.UptimeSeconds > 60 {
				t.Errorf("uptime %v after a reset, want under a minute", d.UptimeSeconds)
			}
		}},
		{name: "http-500", faults: []redfishsim.Fault{{Fault: redfishsim.HTTP500}}, check: wantError("500 Internal Server Error")},
		{name: "http-500 on storage", faults: []redfishsim.Fault{{Fault: redfishsim.HTTP500, Part: "/redfish/v1/Systems/1/Storage"}}, check: func(t *testing.T, d observation.Device) {
			if d.Error != "" || len(d.PartErrors) == 0 || !strings.Contains(d.PartErrors[0].Part, "storage") || !strings.Contains(d.PartErrors[0].Error, "500") {
				t.Errorf("error %q, part errors %+v: want a storage part error only", d.Error, d.PartErrors)
			}
			if len(d.PSUs) != 2 || len(d.Ports) != 4 || len(d.Volumes) != 0 {
				t.Errorf("%d PSUs, %d ports, %d volumes: the rest should be read", len(d.PSUs), len(d.Ports), len(d.Volumes))
			}
		}},
		{name: "http-401", faults: []redfishsim.Fault{{Fault: redfishsim.HTTP401}}, check: wantError("401", "refused the credentials")},
		{name: "http-401 session", faults: []redfishsim.Fault{{Fault: redfishsim.HTTP401}}, session: true, check: wantError("login", "401")},
		{name: "http-503", faults: []redfishsim.Fault{{Fault: redfishsim.HTTP503}}, check: wantError("503")},
		{name: "hang", faults: []redfishsim.Fault{{Fault: redfishsim.Hang}}, check: wantError("deadline exceeded")},
		{name: "hang after login", faults: []redfishsim.Fault{{Fault: redfishsim.Hang, Part: "/redfish/v1/Systems"}}, session: true, check: wantError("deadline")},
		{name: "truncate", faults: []redfishsim.Fault{{Fault: redfishsim.Truncate}}, check: wantError()},
		{name: "truncate session", faults: []redfishsim.Fault{{Fault: redfishsim.Truncate, Part: "/redfish/v1/Chassis"}}, session: true, check: func(t *testing.T, d observation.Device) {
			if d.Error != "" || len(d.PartErrors) == 0 {
				t.Errorf("error %q, part errors %+v: want chassis part errors", d.Error, d.PartErrors)
			}
		}},
		{name: "invalid-json", faults: []redfishsim.Fault{{Fault: redfishsim.InvalidJSON}}, check: wantError("invalid JSON")},
		{name: "huge-body", faults: []redfishsim.Fault{{Fault: redfishsim.HugeBody}}, check: wantError("response too large")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := runtime.NumGoroutine()
			func() {
				l := newLab(t)
				var targets []collector.Target
				sims := map[string]*redfishsim.Sim{}
				for _, id := range []string{"srv-1", "db-1", "mail-1"} {
					sim, tg := l.device(id, redfishsim.Options{Latency: 2 * time.Millisecond})
					if tc.session {
						tg.Management.Redfish.Auth = "session"
					}
					sims[id], targets = sim, append(targets, tg)
				}
				p := l.poller(redfish.Options{RetryBackoff: 50 * time.Millisecond, MaxBodyBytes: 1 << 20})
				// A warm poll first, so faults also meet cached URIs and ETags.
				collector.Run(context.Background(), targets, []collector.Poller{p}, collector.Options{Timeout: timeout})
				for _, f := range tc.faults {
					if err := sims["srv-1"].Inject(f); err != nil {
						t.Fatal(err)
					}
				}
				start := time.Now()
				obs := collector.Run(context.Background(), targets, []collector.Poller{p}, collector.Options{Timeout: timeout})
				if took := time.Since(start); took > timeout+2*time.Second {
					t.Errorf("the sweep took %v with a %v deadline per device", took, timeout)
				}
				for _, d := range obs {
					noSecret(t, d)
					if d.ID == "srv-1" {
						t.Logf("srv-1: error %q, part errors %v, warnings %v", d.Error, d.PartErrors, d.Warnings)
						tc.check(t, d)
						continue
					}
					if d.Error != "" || len(d.PartErrors) > 0 || len(d.PSUs) == 0 || len(d.Volumes) == 0 {
						t.Errorf("healthy %s: error %q, part errors %v", d.ID, d.Error, d.PartErrors)
					}
				}
				for id, s := range sims {
					if n := s.Stats().Sessions; n != 0 {
						t.Errorf("%s: %d sessions left open", id, n)
					}
				}
				_ = l.fleet.Close()
			}()
			settleGoroutines(t, base)
		})
	}
}
