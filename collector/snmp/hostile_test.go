package snmp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/lab/snmpsim"
	"github.com/faultline/faultline/observation"
)

// hostileCommunity is the fleet's community in the hostile tests: no
// output may carry it.
const hostileCommunity = "hostile-community-s3cret"

// TestHostileAgents polls, case by case, one malicious or hopelessly
// broken agent beside two healthy switches, all through collector.Run as
// a sweep does. Each case says which limit must stop it (named in the
// error) or, for agents whose data can be read, what must be true of the
// reading. In every case the healthy switches are read in full, the
// hostile agent got no more requests than the budget allows, a failed
// poll carries no data (the runner keeps the last good one: stale, never
// a false ok), and neither the community nor a control character is in
// any observation or log line.
func TestHostileAgents(t *testing.T) {
	inv := demo(t)
	tor, err := snmpsim.FromInventory(inv, "tor-2a", snmpsim.GenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	many, err := snmpsim.ManyEntities(1000)
	if err != nil {
		t.Fatal(err)
	}
	var sysOnly []snmpsim.Entry
	for _, e := range tor.Entries() {
		if len(e.OID) > 7 && slices.Equal(e.OID[:7], []uint32{1, 3, 6, 1, 2, 1, 1}) {
			sysOnly = append(sysOnly, e)
		}
	}
	systemView, err := snmpsim.NewTable(sysOnly)
	if err != nil {
		t.Fatal(err)
	}
	// One budget for every case but those that test one limit alone:
	// ample for a healthy 50-port switch (about 600 variables, 4
	// requests) and for the 1,000-PSU chassis (about 19,000 variables).
	small := Limits{MaxRows: 5000, MaxVariables: 30000, MaxBytes: 4 << 20, MaxRequests: 200}
	cases := []struct {
		name    string
		table   *snmpsim.Table
		opts    snmpsim.Options
		faults  []snmpsim.Fault
		limits  Limits
		timeout time.Duration
		// wantErr is in the hostile device's Error; empty: it must be read.
		wantErr string
		// maxRequests bounds what the agent received.
		maxRequests int64
		check       func(t *testing.T, d *observation.Device)
	}{
		{name: "tables never end", table: tor, faults: []snmpsim.Fault{{Kind: snmpsim.EndlessAll}},
			limits: Limits{MaxRows: 5000, MaxVariables: 30000, MaxRequests: 200}, wantErr: "the variable budget", maxRequests: 200},
		{name: "tables never end, request budget", table: tor, faults: []snmpsim.Fault{{Kind: snmpsim.EndlessAll}},
			limits: Limits{MaxRequests: 40}, wantErr: "the request budget", maxRequests: 40},
		{name: "OIDs repeat", table: tor, faults: []snmpsim.Fault{{Kind: snmpsim.Repeat}}, limits: small,
			wantErr: "no table could be read", maxRequests: 10},
		{name: "tooBig for everything", table: tor, faults: []snmpsim.Fault{{Kind: snmpsim.TooBigAll}}, limits: small,
			wantErr: "agent refuses every table", maxRequests: 30},
		{name: "system group answered, every table refused", table: tor, faults: refuseTables(), limits: small,
			wantErr: "agent refuses every table", maxRequests: 40},
		{name: "a view of the system group only", table: systemView, limits: small,
			wantErr: "answered only its system group", maxRequests: 4},
		{name: "huge strings", table: tor, faults: []snmpsim.Fault{{Kind: snmpsim.HugeStrings}}, limits: small,
			wantErr: "the byte budget", maxRequests: 200},
		{name: "long strings with control characters", table: tor, faults: []snmpsim.Fault{{Kind: snmpsim.HugeStrings, Value: "3000"}},
			limits: Limits{}, maxRequests: 200, check: func(t *testing.T, d *observation.Device) {
				if len(d.Ports) != 50 {
					t.Errorf("%d ports, want 50", len(d.Ports))
				}
			}},
		{name: "echoes the community", table: tor, faults: []snmpsim.Fault{{Kind: snmpsim.EchoSecret}}, limits: small,
			maxRequests: 10, check: func(t *testing.T, d *observation.Device) {
				if d.Identity == nil || !strings.Contains(d.Identity.SysName, redacted) {
					t.Errorf("identity %+v: the echoed community is not shown redacted", d.Identity)
				}
			}},
		{name: "thousands of entities", table: many, limits: small, maxRequests: 200,
			check: func(t *testing.T, d *observation.Device) {
				if len(d.PSUs) != 1000 || len(d.Fans) != 1000 || len(d.PartErrors) > 0 {
					t.Fatalf("%d PSUs and %d fans, want 1000 of each; part errors %v", len(d.PSUs), len(d.Fans), d.PartErrors)
				}
				// Each envmon row is tied to its entity by name, each
				// sensor to the PSU that holds it.
				want := "entStateOper=enabled; entPhySensorOperStatus=sensors ok; ciscoEnvMonSupplyState=normal"
				for _, p := range d.PSUs {
					if p.Condition != observation.OK || p.State != want {
						t.Fatalf("PSU %s: %s %q, want ok %q", p.Name, p.Condition, p.State, want)
					}
				}
			}},
		{name: "slow answers, one variable each", table: tor, opts: snmpsim.Options{MaxVarbinds: 1, Latency: 40 * time.Millisecond},
			// One answer per latency, and the one in flight at the deadline.
			limits: small, timeout: 300 * time.Millisecond, wantErr: "not finished by the deadline", maxRequests: 300/40 + 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var targets []collector.Target
			for _, id := range []string{"core-1", "core-2"} {
				a := switchAgent(t, inv, id, snmpsim.Options{Community: hostileCommunity})
				targets = append(targets, v2cTarget(t, id, "switch", a.Addr(), hostileCommunity))
			}
			tc.opts.Community = hostileCommunity
			bad := startAgent(t, tc.table, tc.opts)
			for _, f := range tc.faults {
				if err := bad.Inject(f); err != nil {
					t.Fatal(err)
				}
			}
			targets = append(targets, v2cTarget(t, "hostile", "switch", bad.Addr(), hostileCommunity))
			var logs syncBuffer
			log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			p := New(Options{Logger: log, Limits: tc.limits, RequestTimeout: 200 * time.Millisecond, Retries: 1})
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 20 * time.Second
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			obs := collector.Run(context.Background(), targets, []collector.Poller{p}, collector.Options{Timeout: timeout})
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			for _, o := range obs {
				checkClean(t, &o)
				if o.ID != "hostile" {
					if o.Error != "" || len(o.PartErrors) > 0 || len(o.PSUs) != 2 || len(o.Ports) == 0 {
						t.Errorf("healthy %s: error %q, part errors %v, %d PSUs, %d ports", o.ID, o.Error, o.PartErrors, len(o.PSUs), len(o.Ports))
					}
					continue
				}
				if tc.wantErr != "" {
					if !strings.Contains(o.Error, tc.wantErr) {
						t.Errorf("hostile device: error %q, want it to say %q (part errors %v)", o.Error, tc.wantErr, o.PartErrors)
					}
					if o.HasData() || len(o.Ports) > 0 || len(o.PSUs) > 0 || o.Identity != nil {
						t.Errorf("a failed poll carries data: collected %v, %d ports, %d PSUs, identity %v", o.CollectedAt, len(o.Ports), len(o.PSUs), o.Identity)
					}
				} else {
					if o.Error != "" || !o.HasData() {
						t.Errorf("hostile device: error %q, want it read", o.Error)
					}
					if tc.check != nil {
						tc.check(t, &o)
					}
				}
				if n := bad.Requests(); n > tc.maxRequests {
					t.Errorf("the agent received %d requests, want at most %d", n, tc.maxRequests)
				}
				t.Logf("%d requests, %v for the sweep, %.1f MB allocated; error: %.160s", bad.Requests(), took.Round(time.Millisecond),
					float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), o.Error)
			}
			if strings.Contains(logs.String(), hostileCommunity) {
				t.Errorf("the logs carry the community: %.300s", logs.String())
			}
		})
	}
}

// refuseTables is gen-err faults for every subtree the collector reads
// tables from: only the system group is answered.
func refuseTables() []snmpsim.Fault {
	var fs []snmpsim.Fault
	for _, sub := range []string{"1.3.6.1.2.1.2", "1.3.6.1.2.1.31", "1.3.6.1.2.1.33", "1.3.6.1.2.1.47", "1.3.6.1.2.1.99",
		"1.3.6.1.2.1.131", "1.0.8802", "1.3.6.1.4.1"} {
		fs = append(fs, snmpsim.Fault{Kind: snmpsim.GenErr, Part: sub})
	}
	return fs
}

// checkClean fails if any string of the observation carries the
// community or a control character (but newline and tab), or is longer
// than its bound.
func checkClean(t *testing.T, d *observation.Device) {
	t.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(hostileCommunity)) {
		t.Errorf("%s: the observation carries the community", d.ID)
	}
	var walkJSON func(v any)
	walkJSON = func(v any) {
		switch v := v.(type) {
		case string:
			if len(v) > maxErrorText || !utf8.ValidString(v) || strings.IndexFunc(v, isUnsafe) >= 0 {
				t.Errorf("%s: unbounded or unsafe string (%d bytes): %.80q", d.ID, len(v), v)
			}
		case map[string]any:
			for _, x := range v {
				walkJSON(x)
			}
		case []any:
			for _, x := range v {
				walkJSON(x)
			}
		}
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		t.Fatal(err)
	}
	walkJSON(generic)
}

// cancelAfter is a Client that cancels the poll's context once the walk
// has had its last answer: decoding then starts on a dead context.
type cancelAfter struct {
	Client
	mu     sync.Mutex
	left   int
	cancel context.CancelFunc
}

func (c *cancelAfter) GetBulk(ctx context.Context, nonRep, maxRep int, oids []OID) ([]Var, error) {
	vars, err := c.Client.GetBulk(ctx, nonRep, maxRep, oids)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.left--; c.left == 0 {
		c.cancel()
	}
	return vars, err
}

// TestDecodeDeadline: when the deadline passes after the last answer,
// decoding and matching stop, and the device is an error naming the
// deadline, not a reading of whatever was decoded by then.
func TestDecodeDeadline(t *testing.T) {
	tab, err := snmpsim.ManyEntities(500)
	if err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, tab, snmpsim.Options{Community: hostileCommunity})
	tg := v2cTarget(t, "many", "switch", a.Addr(), hostileCommunity)
	full := pollOnce(t, New(Options{}), tg, 20*time.Second)
	if full.Error != "" || len(full.PSUs) != 500 {
		t.Fatalf("without the deadline: error %q, %d PSUs", full.Error, len(full.PSUs))
	}
	p := New(Options{})
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	deadline := errors.New("the test's deadline")
	p.dial = func(cfg dialConfig) (Client, error) {
		c, err := dial(cfg)
		if err != nil {
			return nil, err
		}
		return &cancelAfter{Client: c, left: full.Requests, cancel: func() { cancel(deadline) }}, nil
	}
	d := p.Poll(ctx, tg)
	if !strings.Contains(d.Error, "decoding the answers: the test's deadline") {
		t.Errorf("error %q, want decoding stopped by the deadline", d.Error)
	}
	if d.HasData() || len(d.PSUs) > 0 || len(d.Ports) > 0 {
		t.Errorf("a poll stopped while decoding carries data: %d PSUs, %d ports", len(d.PSUs), len(d.Ports))
	}
	if d.Requests != full.Requests {
		t.Errorf("%d requests, the full poll took %d", d.Requests, full.Requests)
	}
}

// TestV3EchoSecret: an SNMPv3 agent that echoes the user's passwords into
// its values gets them into no observation.
func TestV3EchoSecret(t *testing.T) {
	inv := demo(t)
	tab, err := snmpsim.FromInventory(inv, "core-1", snmpsim.GenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const authPass, privPass = "auth-pass-s3cret", "priv-pass-s3cret"
	a := startAgent(t, tab, snmpsim.Options{Users: []snmpsim.User{{Name: "audit", Auth: "SHA256", AuthPass: authPass, Priv: "AES", PrivPass: privPass}}})
	if err := a.Inject(snmpsim.Fault{Kind: snmpsim.EchoSecret}); err != nil {
		t.Fatal(err)
	}
	d := pollOnce(t, New(Options{}), v3Target(t, a.Addr(), "SHA256", authPass, "AES", privPass), 5*time.Second)
	if d.Error != "" || len(d.Ports) == 0 {
		t.Fatalf("error %q, %d ports", d.Error, len(d.Ports))
	}
	b, _ := json.Marshal(d)
	for _, s := range []string{authPass, privPass} {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("the observation carries %q", s)
		}
	}
	if !bytes.Contains(b, []byte(redacted)) {
		t.Error("the echoed passwords are not shown redacted: the fault did not act")
	}
}

// BenchmarkHostile polls hostile agents with the default Limits, as a
// sweep would, and reports what one such device costs: wall time,
// memory allocated and requests, for docs/snmp.md.
//
//	go test -run '^$' -bench Hostile -benchtime 1x ./collector/snmp
func BenchmarkHostile(b *testing.B) {
	inv := demo(b)
	tor, err := snmpsim.FromInventory(inv, "tor-2a", snmpsim.GenOptions{})
	if err != nil {
		b.Fatal(err)
	}
	many, err := snmpsim.ManyEntities(5000)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name  string
		table *snmpsim.Table
		fault snmpsim.Fault
	}{
		{"endless-all", tor, snmpsim.Fault{Kind: snmpsim.EndlessAll}},
		{"huge-strings", tor, snmpsim.Fault{Kind: snmpsim.HugeStrings}},
		{"too-big", tor, snmpsim.Fault{Kind: snmpsim.TooBigAll}},
		{"many-entities-5000", many, snmpsim.Fault{}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			a := startAgent(b, bc.table, snmpsim.Options{Community: hostileCommunity})
			if bc.fault.Kind != "" {
				if err := a.Inject(bc.fault); err != nil {
					b.Fatal(err)
				}
			}
			tg := v2cTarget(b, "hostile", "switch", a.Addr(), hostileCommunity)
			p := New(Options{})
			var d observation.Device
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for range b.N {
				d = pollOnce(b, p, tg, 30*time.Second)
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/(1<<20), "MB-alloc/poll")
			b.ReportMetric(float64(d.Requests), "requests")
			b.Logf("error %.200q, %d PSUs", d.Error, len(d.PSUs))
		})
	}
}

// TestScrubKeepsInventoryWords: a community that is also part of the
// device's id does not rename the device, but is redacted in what the
// device sent.
func TestScrubKeepsInventoryWords(t *testing.T) {
	sc := dialConfig{community: "core"}.secrets()
	d := observation.Device{ID: "core-1", Source: observation.SourceSNMP, Endpoint: "core.example:161",
		Identity: &observation.Identity{SysName: "core-1\x1b[2J"}, PartErrors: []observation.PartError{{Part: "IF-MIB", Error: strings.Repeat("x", 3000)}}}
	sc.device(&d)
	if d.ID != "core-1" || d.Endpoint != "core.example:161" {
		t.Errorf("the inventory's words changed: %q %q", d.ID, d.Endpoint)
	}
	if d.Identity.SysName != redacted+"-1[2J" {
		t.Errorf("sysName %q, want the community redacted and the escape dropped", d.Identity.SysName)
	}
	if e := d.PartErrors[0].Error; len(e) != maxErrorText || !strings.HasSuffix(e, cutMark) {
		t.Errorf("a 3,000-byte error is %d bytes after cleaning", len(e))
	}
}
