package observation

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	up := 12.5
	in := &File{GeneratedAt: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC), Devices: []Device{{
		ID: "sw-1", Source: SourceSNMP, AttemptedAt: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC), Duration: Duration(1500 * time.Millisecond),
		UptimeSeconds: &up, PSUs: []PSU{{ID: "1", Name: "PSU1", Condition: Failed}},
	}}}
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"duration": 1.5`) {
		t.Errorf("duration is not written in seconds: %s", buf.String())
	}
	out, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	d := out.Devices[0]
	if d.ID != "sw-1" || *d.UptimeSeconds != 12.5 || d.PSUs[0].Condition != Failed || time.Duration(d.Duration) != 1500*time.Millisecond || d.HasData() {
		t.Errorf("round trip: %+v", d)
	}
}

func TestReadRejects(t *testing.T) {
	for _, in := range []string{`{"version": 2, "devices": []}`, `{"version": 1, "devices": [], "extra": 1}`, `not json`, `{"version": 1, "devices": [{"duration": "fast"}]}`} {
		if _, err := Read(strings.NewReader(in)); err == nil {
			t.Errorf("Read(%q) accepted it", in)
		}
	}
}

func TestKeepLastGood(t *testing.T) {
	prev := &Device{ID: "a", CollectedAt: time.Unix(100, 0), PowerState: "On"}
	cur := Device{ID: "a", AttemptedAt: time.Unix(200, 0), Error: "timeout"}
	got := KeepLastGood(prev, cur)
	if got.PowerState != "On" || got.Error != "timeout" || !got.AttemptedAt.Equal(time.Unix(200, 0)) || !got.CollectedAt.Equal(time.Unix(100, 0)) {
		t.Errorf("KeepLastGood: %+v", got)
	}
	if ok := KeepLastGood(prev, Device{ID: "a", CollectedAt: time.Unix(300, 0)}); ok.PowerState != "" {
		t.Error("a successful poll must replace the previous data")
	}
}

// TestKeepSections: a good poll whose power collection failed keeps the
// PSUs an earlier poll read, dated by that poll; a section it did read,
// or one it read empty without a part error, is what it says.
func TestKeepSections(t *testing.T) {
	t1, t2, t3 := time.Unix(100, 0), time.Unix(200, 0), time.Unix(300, 0)
	prev := &Device{ID: "a", CollectedAt: t1, PSUs: []PSU{{ID: "1", Condition: Failed}}, Ports: []Port{{Name: "Ethernet1", Oper: "up"}}}
	partial := Device{ID: "a", CollectedAt: t2, PartErrors: []PartError{{Part: "chassis 1U: power supplies", Error: "HTTP 500"}},
		Ports: []Port{{Name: "Ethernet1", Oper: "down"}}}
	got := KeepLastGood(prev, partial)
	if len(got.PSUs) != 1 || got.PSUs[0].Condition != Failed || !got.ReadAt(SectionPSUs).Equal(t1) {
		t.Errorf("PSUs not kept with their time: %+v read at %v", got.PSUs, got.ReadAt(SectionPSUs))
	}
	if got.Ports[0].Oper != "down" || !got.ReadAt(SectionPorts).Equal(t2) {
		t.Errorf("the ports read now were replaced: %+v", got.Ports)
	}
	if len(got.Kept) != 1 {
		t.Errorf("kept %+v, want the PSUs only", got.Kept)
	}
	// Kept again on the next partial poll: still dated by the first read.
	again := KeepLastGood(&got, Device{ID: "a", CollectedAt: t3, PartErrors: partial.PartErrors})
	if !again.ReadAt(SectionPSUs).Equal(t1) || !again.ReadAt(SectionPorts).Equal(t2) {
		t.Errorf("kept twice: PSUs read at %v, ports at %v", again.ReadAt(SectionPSUs), again.ReadAt(SectionPorts))
	}
	if clean := KeepLastGood(prev, Device{ID: "a", CollectedAt: t2}); len(clean.PSUs) != 0 || len(clean.Kept) != 0 {
		t.Error("a poll without part errors that reports no PSUs kept the old ones")
	}
}

// FuzzRead: reading an observations file never panics, and what it
// accepts writes back and reads again the same.
func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"version":1,"generated_at":"2026-11-21T12:00:00Z","devices":[{"id":"a","source":"snmp","attempted_at":"2026-11-21T12:00:00Z","duration":0.5,"psus":[{"id":"1","slot":0,"condition":"ok"}]}]}`))
	f.Add([]byte(`{"version":1,"devices":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := Write(&buf, file); err != nil {
			t.Fatalf("cannot write what was read: %v", err)
		}
		if _, err := Read(&buf); err != nil {
			t.Fatalf("cannot read what was written: %v", err)
		}
	})
}
