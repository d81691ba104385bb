package redfish_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/collector/redfish"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab/hostilebmc"
	"github.com/faultline/faultline/lab/redfishsim"
	"github.com/faultline/faultline/observation"
)

// The hostile-BMC suite: each test serves the lab's db-1 from a BMC that
// attacks the collector one way (hostilebmc), and checks that the work is
// bounded (requests, goroutines), that no poll reads "ok" without data,
// and that no secret reaches the observation or the log.

const hostileDevice = "db-1"

// hostile starts a hostile BMC in front of a generated db-1 (walked: no
// $expand, so that the tricks on sub-resources are reached) and returns it
// with a target for it.
func hostile(t *testing.T, tricks ...hostilebmc.Trick) (*hostilebmc.BMC, collector.Target) {
	t.Helper()
	inv := loadLab(t)
	sim, err := redfishsim.FromDevice(inv, hostileDevice, redfishsim.Options{Expand: redfishsim.ExpandOff})
	if err != nil {
		t.Fatal(err)
	}
	bmc, err := hostilebmc.Start(sim.Handler(), tricks...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bmc.Close)
	rf := *inv.Device(hostileDevice).Management.Redfish
	rf.Endpoint = bmc.URL
	return bmc, collector.Target{ID: hostileDevice, Kind: "server", Management: &inventory.Management{Redfish: &rf}, Dir: inv.Dir()}
}

// healthyRequests is how many requests a walk of db-1 costs, cold.
func healthyRequests(t *testing.T) int {
	t.Helper()
	bmc, tg := hostile(t)
	obs := pollOnce(t, redfish.New(redfish.Options{}), tg, 20*time.Second)
	if obs.Error != "" || len(obs.PartErrors) > 0 {
		t.Fatalf("the healthy BMC: error %q, part errors %v", obs.Error, obs.PartErrors)
	}
	return len(bmc.Requests())
}

// logBuffer is a slog handler's output, safe for the poll's goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func newLogger() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// TestHostileHugeCollection: a Systems collection of 350,000 members once
// started a goroutine per member (4 GB for one device). It is now counted
// before it is decoded and refused with an error naming the limit, in a
// few requests and without a goroutine per member, poll after poll (the
// discovery is not remembered), while another BMC in the same run is read
// in full.
func TestHostileHugeCollection(t *testing.T) {
	const members = 350_000
	bmc, tg := hostile(t, hostilebmc.HugeCollection("/redfish/v1/Systems", members))
	l := newLab(t)
	_, good := l.device("srv-1", redfishsim.Options{})
	p := l.poller(redfish.Options{})
	base := runtime.NumGoroutine()
	heapBefore := heapInUse()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	for cycle := range 3 {
		out := collector.Run(context.Background(), []collector.Target{tg, good}, []collector.Poller{p}, collector.Options{Timeout: 60 * time.Second})
		bad, ok := out[0], out[1]
		if !strings.Contains(bad.Error, "more than 4096 members in one collection (Options.MaxMembers); stopped") || bad.HasData() {
			t.Errorf("cycle %d: the huge collection's BMC: error %q, data %v", cycle, bad.Error, bad.HasData())
		}
		if ok.Error != "" || len(ok.PSUs) == 0 {
			t.Errorf("cycle %d: the other BMC: error %q, %d PSUs", cycle, ok.Error, len(ok.PSUs))
		}
	}
	runtime.ReadMemStats(&ms1)
	heapAfter := heapInUse()
	if n := len(bmc.Requests()); n > 3*5 {
		t.Errorf("%d requests in three polls, want at most 5 each (root, three collections)", n)
	}
	if g := bmc.MaxGoroutines() - int64(base); g > 64 {
		t.Errorf("up to %d goroutines more than before the polls: one per member?", g)
	}
	t.Logf("three polls of a %d-member collection: %.1f MiB allocated, heap in use %.1f MiB before, %.1f MiB after; %d requests; at most %d goroutines more",
		members, float64(ms1.TotalAlloc-ms0.TotalAlloc)/(1<<20), float64(heapBefore)/(1<<20), float64(heapAfter)/(1<<20), len(bmc.Requests()), bmc.MaxGoroutines()-int64(base))
}

// TestHostileManyMembersBoundedWorkers: a collection within the limit but
// large (1,500 Ethernet interfaces) is walked by a few workers, not a
// goroutine per member, and read in full.
func TestHostileManyMembersBoundedWorkers(t *testing.T) {
	const n = 1500
	path := "/redfish/v1/Systems/1/EthernetInterfaces"
	bmc, tg := hostile(t, hostilebmc.ManyMembers(path, "if", n, func(id string) any {
		return map[string]any{"@odata.id": path + "/" + id, "Id": id, "LinkStatus": "LinkUp", "Status": map[string]string{"State": "Enabled", "Health": "OK"}}
	}))
	base := runtime.NumGoroutine()
	obs := pollOnce(t, redfish.New(redfish.Options{}), tg, 60*time.Second)
	if obs.Error != "" {
		t.Fatalf("error %q", obs.Error)
	}
	if len(obs.Ports) != n {
		t.Errorf("%d ports, want %d", len(obs.Ports), n)
	}
	if g := bmc.MaxGoroutines() - int64(base); g > 64 {
		t.Errorf("up to %d goroutines more while walking %d members: want a bounded pool", g, n)
	}
	if got := bmc.Count("GET " + path + "/if"); got != n {
		t.Errorf("%d member requests, want %d (each once)", got, n)
	}
	t.Logf("%d members walked with at most %d goroutines more than before", n, bmc.MaxGoroutines()-int64(base))
}

// TestHostileLinkLoops: next pages that point back, pages that never end,
// a collection listing itself: each costs a few requests more than the
// healthy walk, never thousands (62,088 once); endless paging is an error
// naming the limit, not "ok".
func TestHostileLinkLoops(t *testing.T) {
	healthy := healthyRequests(t)
	const systems, chassis = "/redfish/v1/Systems", "/redfish/v1/Chassis"
	cases := []struct {
		name      string
		trick     hostilebmc.Trick
		wantError string
		extra     int // requests allowed beyond the healthy walk
	}{
		{name: "next page is itself", trick: hostilebmc.SelfNextLink(systems), extra: 0},
		{name: "next page of the storage is itself", trick: hostilebmc.SelfNextLink("/redfish/v1/Systems/1/Storage"), extra: 0},
		{name: "pages never end", trick: hostilebmc.EndlessPages(chassis), wantError: "more than 64 pages in one collection (Options.MaxPages); stopped", extra: 64},
		{name: "collection lists itself", trick: hostilebmc.SelfMembers(chassis, 1000), extra: 1},
		{name: "volume lists itself as drives", trick: hostilebmc.DuplicateLinks("/redfish/v1/Systems/1/Storage/1", "Drives", "/redfish/v1/Systems/1/Storage/1", 500), extra: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bmc, tg := hostile(t, tc.trick)
			obs := pollOnce(t, redfish.New(redfish.Options{}), tg, 30*time.Second)
			n := len(bmc.Requests())
			if n > healthy+tc.extra {
				t.Errorf("%d requests, want at most %d (the healthy walk's %d and %d)", n, healthy+tc.extra, healthy, tc.extra)
			}
			switch {
			case tc.wantError != "" && !strings.Contains(obs.Error, tc.wantError):
				t.Errorf("error %q, want %q", obs.Error, tc.wantError)
			case tc.wantError == "" && obs.Error != "":
				t.Errorf("error %q, want the BMC read", obs.Error)
			case tc.wantError == "" && len(obs.PSUs) != 2:
				t.Errorf("%d PSUs, want 2", len(obs.PSUs))
			}
		})
	}
}

// TestHostileBudgets: a poll over MaxRequests or MaxBytes stops with an
// error naming the option, having sent no more than the limit.
func TestHostileBudgets(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   redfish.Options
		tricks []hostilebmc.Trick
		want   string
	}{
		{"requests", redfish.Options{MaxRequests: 6}, nil, "more than 6 requests in one poll (Options.MaxRequests); stopped"},
		{"bytes", redfish.Options{MaxBytes: 4000}, nil, "more than 4000 bytes of answers in one poll (Options.MaxBytes); stopped"},
		{"members", redfish.Options{MaxMembers: 16}, []hostilebmc.Trick{hostilebmc.HugeCollection("/redfish/v1/Chassis", 17)},
			"/redfish/v1/Chassis: more than 16 members in one collection (Options.MaxMembers); stopped"},
		{"an array inline", redfish.Options{}, []hostilebmc.Trick{hostilebmc.DuplicateLinks("/redfish/v1/Systems/1/Storage/1", "Drives", "/redfish/v1/Systems/1/Storage/1/Drives/x", 5000)},
			"more than 4096 elements in one array (Options.MaxMembers); stopped"},
		{"requests, with a session", redfish.Options{MaxRequests: 5}, nil, "more than 5 requests in one poll (Options.MaxRequests); stopped"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bmc, tg := hostile(t, tc.tricks...)
			session := strings.Contains(tc.name, "session")
			if session {
				tg.Management.Redfish.Auth = "session"
			}
			defer func() {
				// A poll stopped by its budget still logs out (the DELETE
				// is never refused, nor counted against the limit).
				if session && bmc.Count("DELETE ") != 1 {
					t.Errorf("requests %q: want the session deleted once", bmc.Requests())
				}
			}()
			obs := pollOnce(t, redfish.New(tc.opts), tg, 20*time.Second)
			if obs.Error != tc.want && !strings.HasSuffix(obs.Error, ": "+tc.want) {
				t.Errorf("error %q, want %q", obs.Error, tc.want)
			}
			if obs.HasData() {
				t.Error("an observation over budget has data")
			}
			if tc.opts.MaxRequests > 0 && len(bmc.Requests())-bmc.Count("DELETE ") > tc.opts.MaxRequests {
				t.Errorf("%d requests reached the BMC, the limit is %d", len(bmc.Requests()), tc.opts.MaxRequests)
			}
		})
	}
}

// TestHostileFailsEverything: a BMC whose every read fails is an error
// observation (the runner keeps the last good one, or the device goes
// stale), never "ok" with part errors and no data.
func TestHostileFailsEverything(t *testing.T) {
	tops := func(p string) bool {
		switch strings.Count(strings.TrimPrefix(p, "/redfish/v1"), "/") {
		case 0, 1, 2: // the root, the collections, a system, chassis or manager
			return true
		}
		return false
	}
	root := func(p string) bool { return p == "/redfish/v1" || strings.HasPrefix(p, "/redfish/v1/Managers") }
	cases := []struct {
		name  string
		trick hostilebmc.Trick
		want  string
	}{
		{"everything 500", hostilebmc.Fail(http.StatusInternalServerError, nil), "500"},
		{"everything below systems and chassis 500", hostilebmc.Fail(http.StatusInternalServerError, tops), "none of the power, thermal, storage and network resources"},
		{"everything below systems and chassis 404", hostilebmc.Fail(http.StatusNotFound, tops), "none of the power, thermal, storage and network resources"},
		{"everything below systems and chassis garbage", hostilebmc.Garbage(tops), "invalid JSON"},
		{"systems and chassis cannot be listed", hostilebmc.Fail(http.StatusServiceUnavailable, root), "systems:"},
		{"systems and chassis garbage", hostilebmc.Garbage(root), "invalid JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, tg := hostile(t, tc.trick)
			p := redfish.New(redfish.Options{Retries: -1})
			obs := pollOnce(t, p, tg, 20*time.Second)
			if obs.Error == "" || obs.HasData() {
				t.Fatalf("error %q, data %v, part errors %v: want an error observation", obs.Error, obs.HasData(), obs.PartErrors)
			}
			if !strings.Contains(obs.Error, tc.want) {
				t.Errorf("error %q does not say %q", obs.Error, tc.want)
			}
			// Through the runner, the last good observation stays.
			prev := observation.Device{ID: tg.ID, Source: observation.SourceRedfish, CollectedAt: time.Now().UTC(), PowerState: "On"}
			out := collector.Run(context.Background(), []collector.Target{tg}, []collector.Poller{p}, collector.Options{
				Previous: map[string]*observation.Device{collector.Key(tg.ID, observation.SourceRedfish): &prev}})
			if out[0].Error == "" || !out[0].CollectedAt.Equal(prev.CollectedAt) {
				t.Errorf("through the runner: error %q, collected %v; want the error and the last good data (%v)", out[0].Error, out[0].CollectedAt, prev.CollectedAt)
			}
		})
	}
}

// TestHostileEchoedHeaders: BMCs that echo the request, headers and all,
// into their error bodies (JSON and text, on parts and on the whole
// device, with basic and session authentication): no credential reaches
// the observation or the log, and the messages stay short.
func TestHostileEchoedHeaders(t *testing.T) {
	power := func(p string) bool { return strings.Contains(p, "/Power") || strings.Contains(p, "/Thermal") }
	everything := func(string) bool { return true }
	cases := []struct {
		name  string
		auth  string
		trick hostilebmc.Trick
	}{
		{"part, JSON", "", hostilebmc.EchoRequest(http.StatusBadRequest, true, power)},
		{"part, text", "", hostilebmc.EchoRequest(http.StatusInternalServerError, false, power)},
		{"device, JSON", "", hostilebmc.EchoRequest(http.StatusUnauthorized, true, everything)},
		{"device, text", "", hostilebmc.EchoRequest(http.StatusForbidden, false, everything)},
		{"part, session token", "session", hostilebmc.EchoRequest(http.StatusBadRequest, true, power)},
		{"device, session token", "session", hostilebmc.EchoRequest(http.StatusInternalServerError, false, everything)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bmc, tg := hostile(t, tc.trick)
			tg.Management.Redfish.Auth = tc.auth
			log, buf := newLogger()
			p := redfish.New(redfish.Options{Logger: log, Retries: -1})
			out := collector.Run(context.Background(), []collector.Target{tg}, []collector.Poller{p}, collector.Options{Logger: log})
			obs := out[0]
			if obs.Error == "" && len(obs.PartErrors) == 0 {
				t.Fatal("the echoing answers left no error to check")
			}
			js := string(must(json.Marshal(obs)))
			logs := buf.String()
			secrets := append(bmc.Secrets(), labPassword)
			if len(secrets) < 2 {
				t.Fatalf("the BMC saw no credentials: %q", secrets)
			}
			for _, s := range secrets {
				if strings.Contains(js, s) {
					t.Errorf("the observation holds the credential %q: %s", s, js)
				}
				if strings.Contains(logs, s) {
					t.Errorf("the log holds the credential %q:\n%s", s, logs)
				}
			}
			for _, word := range []string{"authorization", "x-auth-token:", "user-agent"} {
				if strings.Contains(strings.ToLower(js), word) || strings.Contains(strings.ToLower(logs), word) {
					t.Errorf("an echoed header (%s) is in the observation or the log:\n%s\n%s", word, js, logs)
				}
			}
			if !strings.Contains(js, "[echoed request dropped]") {
				t.Errorf("no error says the echoed request was dropped: %s", js)
			}
			for _, pe := range obs.PartErrors {
				if len(pe.Error) > 1100 || strings.ContainsAny(pe.Error, "\r\n\x00") {
					t.Errorf("part error of %d bytes or with control characters: %q", len(pe.Error), pe.Error)
				}
			}
		})
	}
}

// TestHostileLongLinks: a link of 20,000 characters is shown clipped in
// the part error it causes.
func TestHostileLongLinks(t *testing.T) {
	long := "/redfish/v1/Chassis/" + strings.Repeat("A", 20_000)
	_, tg := hostile(t, hostilebmc.DuplicateLinks("/redfish/v1/Chassis", "Members", long, 1))
	obs := pollOnce(t, redfish.New(redfish.Options{}), tg, 20*time.Second)
	if obs.Error != "" {
		t.Fatalf("error %q", obs.Error)
	}
	if len(obs.PartErrors) != 1 {
		t.Fatalf("part errors %v, want the long link's", obs.PartErrors)
	}
	if pe := obs.PartErrors[0]; len(pe.Part) > 300 || len(pe.Error) > 600 {
		t.Errorf("part %d bytes, error %d bytes: not clipped", len(pe.Part), len(pe.Error))
	}
}

// TestHostileDuplicateLinks: the same system listed 32 times (with and
// without a trailing slash) and the same missing drive 32 times: each is
// requested once, and the missing drive is one part error.
func TestHostileDuplicateLinks(t *testing.T) {
	missing := "/redfish/v1/Systems/1/Storage/1/Drives/gone"
	bmc, tg := hostile(t,
		hostilebmc.DuplicateLinks("/redfish/v1/Systems", "Members", "/redfish/v1/Systems/1/", 32),
		hostilebmc.DuplicateLinks("/redfish/v1/Systems/1/Storage/1", "Drives", missing, 32))
	obs := pollOnce(t, redfish.New(redfish.Options{}), tg, 20*time.Second)
	if obs.Error != "" {
		t.Fatalf("error %q", obs.Error)
	}
	if n := bmc.Count("GET /redfish/v1/Systems/1 ") + bmc.Count("GET /redfish/v1/Systems/1/ "); n > 1 {
		t.Errorf("the system was requested %d times", n)
	}
	if n := bmc.Count(missing); n != 1 {
		t.Errorf("the missing drive was requested %d times, want once", n)
	}
	gone := 0
	for _, pe := range obs.PartErrors {
		if strings.Contains(pe.Part, "gone") {
			gone++
		}
	}
	if gone != 1 {
		t.Errorf("%d part errors for the missing drive, want 1: %v", gone, obs.PartErrors)
	}
}

// TestPlaintextWarningOnce: an http:// BMC's warning is in every
// observation, and in the log once per device per process.
func TestPlaintextWarningOnce(t *testing.T) {
	_, tg := hostile(t)
	log, buf := newLogger()
	p := redfish.New(redfish.Options{Logger: log})
	const w = "credentials and data travel unencrypted"
	for i := range 3 {
		obs := pollOnce(t, p, tg, 20*time.Second)
		if !strings.Contains(strings.Join(obs.Warnings, "\n"), w) {
			t.Errorf("poll %d: warnings %q lack %q", i, obs.Warnings, w)
		}
	}
	if n := strings.Count(buf.String(), w); n != 1 {
		t.Errorf("the warning was logged %d times in three polls, want once:\n%s", n, buf.String())
	}
}
