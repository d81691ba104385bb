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
