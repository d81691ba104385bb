package history

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/faultline/faultline/observation"
)

// server is a realistic server observation (2 PSUs, a volume of 4 drives,
// 2 ports with LLDP neighbours, 6 fans, 8 temperatures); change varies
// the readings that change when something happens, inlet the one analog
// reading a scenario moves every poll.
func server(i int, at time.Time, change int, inlet float64) observation.Device {
	o := obs(fmt.Sprintf("s%02d-r%02d-srv%02d", i/1000, i/20%50, i%20), at, 86400+at.Sub(t0).Seconds(), "")
	o.Source, o.Endpoint = observation.SourceRedfish, fmt.Sprintf("https://10.%d.%d.%d", i/65536, i/256%256, i%256)
	o.Duration, o.Requests = observation.Duration(180*time.Millisecond), 9
	o.Identity = &observation.Identity{Manufacturer: "Dell Inc.", Model: "PowerEdge R650", Serial: fmt.Sprintf("SN%07d", i), Firmware: "2.19.1", BMCFirmware: "7.10.30.00"}
	cond := observation.OK
	if change%2 == 1 {
		cond = observation.Failed
	}
	o.PSUs = []observation.PSU{{ID: "PSU.Slot.1", Name: "PS1 Status", Slot: 0, Condition: observation.OK, CapacityWatts: f64(1400)},
		{ID: "PSU.Slot.2", Name: "PS2 Status", Slot: 1, Condition: cond, CapacityWatts: f64(1400)}}
	o.Volumes = []observation.Volume{{ID: "Disk.Virtual.0", RAID: "raid10", Condition: observation.OK, Drives: []string{"0", "1", "2", "3"}}}
	for d := range 4 {
		o.Drives = append(o.Drives, observation.Drive{ID: fmt.Sprint(d), Slot: d, Condition: observation.OK, MediaType: "SSD", Model: "MZ7L3960HCJR"})
	}
	for p := range 2 {
		o.Ports = append(o.Ports, observation.Port{Name: fmt.Sprintf("eno%d", p+1), Oper: "up", MAC: fmt.Sprintf("b0:7b:25:00:%02x:%02x", i%256, p),
			Neighbors: []observation.Neighbor{{Protocol: "lldp", SysName: fmt.Sprintf("tor-%c", 'a'+p), PortID: fmt.Sprintf("Ethernet%d", i%48+1)}}})
	}
	for f := range 6 {
		o.Fans = append(o.Fans, observation.Fan{ID: fmt.Sprintf("Fan.Embedded.%d", f+1), Condition: observation.OK})
	}
	for t := range 8 {
		o.Temperatures = append(o.Temperatures, observation.Temperature{Name: fmt.Sprintf("Sensor %d", t), Celsius: 30 + float64(t)})
	}
	o.Temperatures[0] = observation.Temperature{Name: "System Board Inlet Temp", Celsius: inlet, Inlet: true}
	o.InletCelsius = f64(inlet)
	return o
}

// BenchmarkGrowth measures the history database's growth per device per
// day at the default 5-minute interval (288 collections a day), for
// 100 servers over 3 simulated days (the first day is warm-up, not
// counted): steady (nothing changes but the per-poll fields), churn (each
// device fails and recovers a PSU once a day: 2 changes), and every-poll
// (the inlet temperature moves every poll, so every reading is a change:
// the old behaviour's growth, and the bound). docs/operations.md records
// it. Run it with -benchtime 1x.
func BenchmarkGrowth(b *testing.B) {
	ctx := context.Background()
	const devices, perDay, days = 100, 288, 3
	for _, sc := range []struct {
		name string
		obs  func(i, poll int, at time.Time) observation.Device
	}{
		{"steady", func(i, poll int, at time.Time) observation.Device { return server(i, at, 0, 22) }},
		{"churn", func(i, poll int, at time.Time) observation.Device {
			return server(i, at, (poll+i*7)/(perDay/2), 22)
		}},
		{"every-poll", func(i, poll int, at time.Time) observation.Device { return server(i, at, 0, 20+float64(poll%50)/10) }},
	} {
		b.Run(sc.name, func(b *testing.B) {
			for range b.N {
				s, err := Open(ctx, b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				var dayOne int64
				for poll := range perDay * days {
					at := t0.Add(time.Duration(poll) * 5 * time.Minute)
					batch := make([]observation.Device, devices)
					for i := range batch {
						batch[i] = sc.obs(i, poll, at)
					}
					if err := s.SaveCollection(ctx, at, batch); err != nil {
						b.Fatal(err)
					}
					if _, err := s.Prune(ctx, at.Add(-7*24*time.Hour)); err != nil {
						b.Fatal(err)
					}
					if poll == perDay-1 {
						dayOne = checkpointed(b, s)
					}
				}
				grown := checkpointed(b, s) - dayOne
				b.ReportMetric(float64(grown)/devices/(days-1), "bytes/device/day")
				s.Close()
			}
		})
	}
}

func checkpointed(b *testing.B, s *Store) int64 {
	if _, err := s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	st, err := s.Stats(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return st.Bytes
}
