package observation

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

const deviceHead = `{"id":"db-1","source":"redfish","attempted_at":"2026-11-21T12:00:00Z","duration":0.5`

func file(devices ...string) string {
	return `{"version":1,"generated_at":"2026-11-21T12:00:00Z","devices":[` + strings.Join(devices, ",") + `]}`
}

func temps(n int) string {
	var b strings.Builder
	b.WriteString(deviceHead + `,"temperatures":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name":"t%d","celsius":20}`, i)
	}
	b.WriteString("]}")
	return b.String()
}

// TestReadLimited: every budget stops the read with an error naming it
// and the device; input within them reads as before.
func TestReadLimited(t *testing.T) {
	ok := deviceHead + `,"psus":[{"id":"1","slot":0,"condition":"ok"}],"ports":[{"name":"eno1","neighbors":[{"protocol":"lldp","sys_name":"tor-1"}]}]}`
	tests := []struct {
		name   string
		in     string
		limits Limits
		want   string // "" accepts
	}{
		{"within", file(ok, ok), Limits{}, ""},
		{"null devices", `{"version":1,"devices":null}`, Limits{}, ""},
		{"no devices", `{"version":1,"devices":[]}`, Limits{}, ""},
		{"parts", file(temps(4)), Limits{MaxParts: 3}, `device 0 ("db-1"): more than 3 members in temperatures`},
		{"parts at the limit", file(temps(3)), Limits{MaxParts: 3}, ""},
		{"neighbours count too", file(deviceHead + `,"ports":[{"name":"p","neighbors":[{"protocol":"lldp"},{"protocol":"lldp"}]}]}`), Limits{MaxParts: 1}, "more than 1 members in neighbors"},
		{"devices", file(ok, ok, ok), Limits{MaxDevices: 2}, "more than 2 devices"},
		{"device bytes", file(deviceHead + `,"warnings":["` + strings.Repeat("x", 200<<10) + `"]}`), Limits{MaxDeviceBytes: 100 << 10}, "more than 102400 bytes of one device"},
		{"total bytes", file(ok, ok, ok), Limits{MaxBytes: 200}, "more than 200 bytes of observations"},
		{"nesting", file(deviceHead + `,"warnings":[[[[[[[[[["x"]]]]]]]]]]}`), Limits{}, "levels of nesting"},
		{"unknown device key", file(deviceHead + `,"psu":[]}`), Limits{}, `unknown field "psu"`},
		{"unknown file key", `{"version":1,"devices":[],"extra":1}`, Limits{}, `unknown field "extra"`},
		{"version", `{"version":2,"devices":[]}`, Limits{}, "version 2 is not supported"},
		{"not a list", `{"version":1,"devices":{}}`, Limits{}, "devices: want a list"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ReadLimited(strings.NewReader(tc.in), tc.limits)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if strings.Contains(tc.in, "db-1") && (len(f.Devices) == 0 || f.Devices[0].ID != "db-1") {
					t.Errorf("devices %+v", f.Devices)
				}
				if want := strings.Contains(tc.in, `"devices":[`); want != (f.Devices != nil) {
					t.Errorf("devices %#v: a list read as %v, null as nil", f.Devices, want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// stream is an endless observations answer, generated as it is read:
// head once, then item repeated until size bytes.
type stream struct {
	head, item []byte
	size, read int64
	pending    []byte
}

func (s *stream) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && s.read < s.size {
		if len(s.pending) == 0 {
			if s.head != nil {
				s.pending, s.head = s.head, nil
			} else {
				s.pending = s.item
			}
		}
		k := copy(p[n:], s.pending)
		s.pending = s.pending[k:]
		n += k
		s.read += int64(k)
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// TestReadLimitedStreamsHugeInput: 1,000 MB answers — a device with
// endless temperatures, a device with one endless string, endless small
// devices — are refused having read a small part of them, within the
// budget's memory (the bytes allocated, not the time, are measured).
func TestReadLimitedStreamsHugeInput(t *testing.T) {
	const size = 1000 << 20
	head := `{"version":1,"generated_at":"2026-11-21T12:00:00Z","devices":[`
	tests := []struct {
		name     string
		s        *stream
		limits   Limits
		want     string
		maxAlloc uint64
	}{
		{"endless parts", &stream{head: []byte(head + deviceHead + `,"temperatures":[{"name":"t","celsius":20}`), item: []byte(`,{"name":"t","celsius":20}`), size: size},
			Limits{}, "more than 4096 members in temperatures", 16 << 20},
		{"endless string", &stream{head: []byte(head + deviceHead + `,"warnings":["`), item: []byte("xxxxxxxxxxxxxxxx"), size: size},
			Limits{}, "more than 33554432 bytes of one device", 256 << 20},
		{"endless devices", &stream{head: []byte(head + deviceHead + "}"), item: []byte("," + deviceHead + "}"), size: size},
			Limits{MaxDevices: 10_000}, "more than 10000 devices", 64 << 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := ReadLimited(tc.s, tc.limits)
			runtime.ReadMemStats(&after)
			var lerr *LimitError
			if !errors.As(err, &lerr) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want a budget error containing %q", err, tc.want)
			}
			if tc.s.read > 64<<20 {
				t.Errorf("read %d MB of the 1,000 MB before refusing", tc.s.read>>20)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > tc.maxAlloc {
				t.Errorf("allocated %d MB while refusing, want at most %d MB", alloc>>20, tc.maxAlloc>>20)
			}
			if after.HeapInuse > 512<<20 {
				t.Errorf("heap in use %d MB", after.HeapInuse>>20)
			}
		})
	}
}

// TestDecodeDevice: one device, as the NATS bucket holds it, within the
// budgets and strictly.
func TestDecodeDevice(t *testing.T) {
	d, err := DecodeDevice([]byte(deviceHead+`,"psus":[{"id":"1","slot":0,"condition":"failed"}]}`), Limits{})
	if err != nil || d.ID != "db-1" || d.PSUs[0].Condition != Failed {
		t.Fatalf("%+v, %v", d, err)
	}
	for _, tc := range []struct {
		in     string
		limits Limits
		want   string
	}{
		{temps(5), Limits{MaxParts: 4}, `device "db-1": more than 4 members in temperatures`},
		{temps(5), Limits{MaxDeviceBytes: 64}, "more than 64 bytes of one device"},
		{deviceHead + `} {}`, Limits{}, "data after the JSON object"},
		{deviceHead + `,"fans":"x"}`, Limits{}, "cannot unmarshal"},
		{`[1,2]`, Limits{}, "cannot unmarshal"},
	} {
		if _, err := DecodeDevice([]byte(tc.in), tc.limits); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("DecodeDevice(%.60q): %v, want %q", tc.in, err, tc.want)
		}
	}
}

// FuzzDecodeDevice: decoding one device never panics, and what it accepts
// writes back and decodes again.
func FuzzDecodeDevice(f *testing.F) {
	f.Add([]byte(deviceHead + `,"psus":[{"id":"1","slot":0,"condition":"ok"}]}`))
	f.Add([]byte(`{"id":"x","ports":[{"name":"a","neighbors":[{"protocol":"lldp"}]}]}`))
	f.Add([]byte(`[[[[[[[[[[]]]]]]]]]]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := DecodeDevice(data, Limits{MaxParts: 16, MaxDeviceBytes: 4096})
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := Write(&buf, &File{Devices: []Device{d}}); err != nil {
			t.Fatalf("cannot write what was decoded: %v", err)
		}
		if _, err := ReadLimited(&buf, Limits{MaxParts: 16}); err != nil {
			t.Fatalf("cannot read what was written: %v", err)
		}
	})
}
