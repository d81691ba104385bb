package snmp

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faultline/faultline/lab/snmpsim"
	"github.com/faultline/faultline/observation"
)

// recordingCases states, for each of LibreNMS's 19 device recordings, what
// the collector reads. Where LibreNMS's own reading (librenms-expected/)
// holds the same fact, TestRecordings also checks it against that; the
// notes explain where the two differ.
var recordingCases = []struct {
	name string
	want summary
	note string
}{
	{"apc_ap7900b", summary{Ports: "2 ports, 2 up", Outlets: "8 outlets, 8 on, 0 with watts", Inputs: "Phase 1=ok"},
		"AP7900B reports outlet state and the phase load, not per-outlet power"},
	{"apc_smart1500", summary{UPS: "normal//ok"},
		"no UPS-MIB; PowerNet upsBasicOutputStatus onLine(2); the recording has no upsBasicBatteryStatus"},
	{"arista_eos", summary{PSUs: "PowerSupply1=ok, PowerSupply2=ok", Fans: "6: ok×6 degraded×0 failed×0 absent×0 unknown×0",
		Ports: "55 ports, 10 up", Neighbors: "lldp 6, cdp 0"},
		"EOS leaves entPhysicalName blank (entPhysicalDescr is used) and reports PSU health only through ENTITY-SENSOR; LibreNMS has no PSU state sensor for it"},
	{"arubaos-cx_8360", summary{PSUs: "1/1=ok, 1/2=ok", Fans: "6: ok×5 degraded×0 failed×0 absent×0 unknown×1",
		Ports: "67 ports, 7 up", Neighbors: "lldp 2, cdp 0"},
		"one fan entity has no sensor: unknown, not assumed fine"},
	{"dell-os10", summary{PSUs: "PSU 1=ok, PSU 2=ok", Fans: "4: ok×4 degraded×0 failed×0 absent×0 unknown×0",
		Ports: "36 ports, 10 up", Neighbors: "lldp 5, cdp 0"}, "fans are the four fan trays (os10FanTrayTable)"},
	{"dnos_s4048", summary{PSUs: "PSU 1=ok, PSU 2=ok",
		Fans: "5: ok×5 degraded×0 failed×0 absent×0 unknown×0", Ports: "183 ports, 63 up", Neighbors: "lldp 4, cdp 0"},
		"ENTITY-MIB lists 'PS Unit 1' and 'Fan Unit N' entities with no state, and DELL-NETWORKING-CHASSIS-MIB the two PSUs and five fan trays with theirs, nothing tying one to the other: the chassis MIB is the one source of truth (as for LibreNMS, which shows only those), the stateless entities are not counted again"},
	{"eaton-mgeups_93ps", summary{Ports: "2 ports, 2 up", UPS: "normal/normal/ok"}, ""},
	{"generex-ups_cs141", summary{Ports: "2 ports, 2 up", UPS: "bypass/normal/degraded"},
		"upsOutputSource bypass(4): the load is not protected, so degraded"},
	{"ios_2960x", summary{PSUs: "Switch 1 - WS-C2960X-48FPS-L - Power Supply 0=ok, Switch 2 - WS-C2960X-24PS-L - Power Supply 0=ok, Switch 3 - WS-C2960X-48FPS-L - Power Supply 0=ok",
		Fans: "3: ok×3 degraded×0 failed×0 absent×0 unknown×0", Ports: "146 ports, 61 up", Neighbors: "lldp 0, cdp 7"},
		"IOS lists neighbours in CDP only"},
	{"iosxe_c9500h-svl", summary{PSUs: "Switch 1 Power Supply Module 0=ok, Switch 2 Power Supply Module 0=ok, Switch 2 Power Supply Module 1=failed",
		Fans: "23: ok×23 degraded×0 failed×0 absent×0 unknown×0", Ports: "112 ports, 25 up", Neighbors: "lldp 0, cdp 15"},
		"StackWise Virtual pair: each chassis runs on one PSU (switch 2's second is shutdown/failed; switch 1 reports one)"},
	{"iosxe_c9500x-svl", summary{PSUs: "Switch 1 Power Supply Module 1=failed, Switch 1 Power Supply Module 2=ok, Switch 2 Power Supply Module 1=failed, Switch 2 Power Supply Module 2=ok",
		Fans: "40: ok×40 degraded×0 failed×0 absent×0 unknown×0", Ports: "204 ports, 19 up", Neighbors: "lldp 0, cdp 9"},
		"StackWise Virtual pair: each chassis runs on one PSU, its other shutdown/failed"},
	{"iosxe_ie32008t2s-ios17-12", summary{PSUs: "Power Supply 0=ok, Power Supply 1=absent", Ports: "14 ports, 5 up", Neighbors: "lldp 2, cdp 0"},
		"ciscoEnvMonSupplyStatusDescr says 'PSB Failed' but the state is notPresent(5): an empty bay, which LibreNMS also reads as 5"},
	{"junos_qfx5100", summary{PSUs: "Power Supply 0 @ 0/0/*=ok, Power Supply 1 @ 0/1/*=ok", Fans: "5: ok×5 degraded×0 failed×0 absent×0 unknown×0",
		Ports: "50 ports, 46 up", Neighbors: "lldp 2, cdp 0"},
		"jnxOperatingState running(2); LibreNMS reads jnxFruState instead (6 = online)"},
	{"nxos_n3k-3064pq", summary{PSUs: "PowerSupply-1=ok", Fans: "2: ok×2 degraded×0 failed×0 absent×0 unknown×0", Ports: "54 ports, 5 up", Neighbors: "lldp 1, cdp 1"},
		"a port with an LLDP neighbour keeps it; CDP fills a port LLDP left empty"},
	{"nxos_n9k-c93180yc-fx3", summary{PSUs: "PowerSupply-1=ok, PowerSupply-2=ok", Fans: "14: ok×6 degraded×0 failed×0 absent×0 unknown×8", Ports: "59 ports, 6 up"},
		"cefcFRUPowerStatusTable also has the line card (22), which is not a PSU; the eight fans inside fan modules have no state of their own: unknown"},
	{"procurve", summary{PSUs: "Power Supply 1=ok, Power Supply 2=ok", Fans: "6: ok×6 degraded×0 failed×0 absent×0 unknown×0", Ports: "78 ports, 60 up", Neighbors: "lldp 7, cdp 0"},
		"hpicfPsState psPowered(3) and entStateOper enabled(3)"},
	{"raritan-pdu_px3", summary{Ports: "4 ports, 3 up", Outlets: "24 outlets, 24 on, 24 with watts", Inputs: "Inlet 1.1=ok"}, ""},
	{"sentry3_switched", summary{Ports: "2 ports, 2 up", Outlets: "30 outlets, 0 on, 0 with watts",
		Inputs: "TowerA_InfeedA=unknown, TowerA_InfeedB=unknown, TowerA_InfeedC=unknown"},
		"the recording has loads but no infeedStatus/outletStatus: on/off and condition are unknown, never assumed"},
	{"sentry4_switched8i", summary{Ports: "2 ports, 2 up", Inputs: "Master_Cord_A=ok, Link1_Cord_A=ok"},
		"the recording has no outlet tables; LibreNMS's st4InputCordState 1 (on) and status 0 (normal) agree"},
}

func TestRecordings(t *testing.T) {
	dir := sharedTestdata(t, "snmp/librenms-recordings")
	expDir := filepath.Join(dir, "..", "librenms-expected")
	files, _ := filepath.Glob(filepath.Join(dir, "*.snmprec"))
	if len(files) != len(recordingCases) {
		t.Errorf("%d recordings in %s, %d cases here", len(files), dir, len(recordingCases))
	}
	p := New(Options{})
	for _, tc := range recordingCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tab, err := snmpsim.LoadSnmprec(filepath.Join(dir, tc.name+".snmprec"))
			if err != nil {
				t.Fatal(err)
			}
			a := startAgent(t, tab, snmpsim.Options{Community: "public"})
			d := pollOnce(t, p, v2cTarget(t, tc.name, "switch", a.Addr(), "public"), 20*time.Second)
			if d.Error != "" || len(d.PartErrors) > 0 {
				t.Fatalf("error %q, part errors %v", d.Error, d.PartErrors)
			}
			if diff := cmp.Diff(tc.want, summarize(&d)); diff != "" {
				t.Errorf("reading (-want +got):\n%s\nnote: %s", diff, tc.note)
			}
			compareLibreNMS(t, filepath.Join(expDir, tc.name+".json"), &d)
		})
	}
}

// librenms is the part of LibreNMS's expected discovery we compare.
type librenms struct {
	Sensors struct {
		Discovery struct {
			Sensors []struct {
				Class   string  `json:"sensor_class"`
				Type    string  `json:"sensor_type"`
				Index   string  `json:"sensor_index"`
				Descr   string  `json:"sensor_descr"`
				Current float64 `json:"sensor_current"`
			} `json:"sensors"`
		} `json:"discovery"`
	} `json:"sensors"`
	Ports struct {
		Discovery struct {
			Ports []struct {
				IfName  string `json:"ifName"`
				IfDescr string `json:"ifDescr"`
			} `json:"ports"`
		} `json:"discovery"`
	} `json:"ports"`
}

// psuStateSources maps LibreNMS's PSU state sensors to the enumeration
// that normalizes the same MIB object here.
var psuStateSources = map[string]enumState{
	"ciscoEnvMonSupplyState":       ciscoEnvMonState,
	"cefcFRUPowerOperStatus":       cefcPowerOper,
	"os10PowerSupplyOperStatus":    os10OperStatus,
	"dellNetPowerSupplyOperStatus": dellNetOperStatus,
	"hpicfPsState":                 hpicfPsState,
}

// compareLibreNMS checks the facts LibreNMS read the same way: each PSU
// state sensor has a PSU here with the same normalized condition (by
// entity index where it has one, else by order), UPS output source, APC
// outlet states, and that every port LibreNMS discovered has its name.
func compareLibreNMS(t *testing.T, file string, d *observation.Device) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Skipf("no LibreNMS reading: %v", err)
	}
	var ln librenms
	if err := json.Unmarshal(b, &ln); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	byID := map[string]observation.PSU{}
	for _, p := range d.PSUs {
		byID[p.ID] = p
	}
	order := map[string]int{}
	for _, s := range ln.Sensors.Discovery.Sensors {
		switch {
		case psuStateSources[s.Type] != nil:
			want := psuStateSources[s.Type][int64(s.Current)].cond
			p, ok := byID[s.Index]
			if !ok {
				i := order[s.Type]
				order[s.Type]++
				var vendorOnly []observation.PSU
				for _, q := range d.PSUs {
					if containsSource(q.State, s.Type) {
						vendorOnly = append(vendorOnly, q)
					}
				}
				if i >= len(vendorOnly) {
					if s.Type == "cefcFRUPowerOperStatus" {
						continue // a line card's power status, not a PSU
					}
					t.Errorf("LibreNMS %s %q (%v): no such PSU here", s.Type, s.Descr, s.Current)
					continue
				}
				p = vendorOnly[i]
			}
			if p.Condition != want && !worse(p.Condition, want) {
				t.Errorf("LibreNMS %s %q = %v (%s); here %s is %s", s.Type, s.Descr, s.Current, want, p.Name, p.Condition)
			}
		case s.Type == "upsOutputSourceState":
			if got := d.UPS; got == nil || got.OutputSource != upsOutputSourceNames[int64(s.Current)] {
				t.Errorf("LibreNMS upsOutputSource %v; here %+v", s.Current, got)
			}
		case s.Type == "sPDUOutletCtl":
			found := false
			for _, o := range d.Outlets {
				if s.Index == "sPDUOutletCtl."+o.ID {
					found = o.On != nil && *o.On == (s.Current == 1)
				}
			}
			if !found {
				t.Errorf("LibreNMS outlet %q state %v: not read the same here", s.Descr, s.Current)
			}
		}
	}
	names := map[string]bool{}
	for _, p := range d.Ports {
		names[p.Name] = true
	}
	for _, p := range ln.Ports.Discovery.Ports {
		want := p.IfName
		if want == "" {
			want = p.IfDescr
		}
		if want != "" && !names[want] {
			t.Errorf("LibreNMS port %q: no port of that name here", want)
		}
	}
}

func containsSource(state, source string) bool {
	return len(state) >= len(source) && (state[:len(source)] == source || contains(state, "; "+source))
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// worse reports whether got is a worse condition than want (another MIB
// reported worse news about the same PSU).
func worse(got, want observation.Condition) bool {
	rank := map[observation.Condition]int{observation.Unknown: 0, observation.OK: 1, observation.Absent: 2, observation.Degraded: 3, observation.Failed: 4}
	return rank[got] > rank[want]
}
