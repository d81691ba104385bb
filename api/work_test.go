package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/faultline/faultline/engine"
	"github.com/faultline/faultline/fleet"
)

// fleetServer serves a generated fleet of about n components over a real
// HTTP server on loopback, with the given work limits.
func fleetServer(t *testing.T, n int, limits WorkLimits) (*Server, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fleet.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := fleet.Write(f, fleet.ForComponents(n, 1)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(context.Background(), engine.Config{InventoryFile: path, WatchInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	s := New(eng, Options{Token: token, Work: limits})
	s.Prerender(eng.Snapshot())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	return s, "http://" + ln.Addr().String()
}

func postPlan(ctx context.Context, url, body string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/api/v1/plan", strings.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// TestPlanFlood: more expensive plans at once than the pool takes. Every
// one gets an answer — the plan, or 503: busy (with Retry-After) or
// stopped at the deadline — never an empty reply; meanwhile the GETs
// answer.
func TestPlanFlood(t *testing.T) {
	s, url := fleetServer(t, 5_000, WorkLimits{Workers: 1, Queue: 1, Deadline: 2 * time.Second, PlanBudget: 1_000_000})
	const n = 12
	type answer struct {
		status int
		retry  string
		body   []byte
		err    error
	}
	answers := make([]answer, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			resp, body, err := postPlan(context.Background(), url, `{"maintain": ["kind=psu,kind=link,kind=drive,*"], "keep_redundancy": true}`)
			answers[i] = answer{err: err, body: body}
			if err == nil {
				answers[i].status, answers[i].retry = resp.StatusCode, resp.Header.Get("Retry-After")
			}
		}()
	}
	flooding := make(chan struct{})
	var gets []string
	var getsWG sync.WaitGroup
	getsWG.Add(1)
	go func() {
		defer getsWG.Done()
		for {
			for _, path := range []string{"/healthz", "/api/v1/findings", "/metrics"} {
				resp, err := http.Get(url + path)
				if err != nil {
					gets = append(gets, path+": "+err.Error())
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					gets = append(gets, path+": status "+resp.Status)
				}
			}
			select {
			case <-flooding:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	close(start)
	wg.Wait()
	close(flooding)
	getsWG.Wait()
	if len(gets) > 0 {
		t.Errorf("GETs during the flood failed: %q", gets)
	}
	busy := 0
	for i, a := range answers {
		if a.err != nil {
			t.Errorf("plan %d: no answer: %v", i, a.err)
			continue
		}
		var e struct {
			Error string `json:"error"`
		}
		if len(a.body) == 0 || json.Unmarshal(a.body, &e) != nil {
			t.Errorf("plan %d: status %d, body not JSON: %q", i, a.status, a.body)
			continue
		}
		switch {
		case a.status == http.StatusOK:
		case a.status == http.StatusServiceUnavailable && strings.HasPrefix(e.Error, "busy:"):
			busy++
			if a.retry != "2" {
				t.Errorf("plan %d: busy with Retry-After %q, want 2 (the deadline)", i, a.retry)
			}
		case a.status == http.StatusServiceUnavailable && strings.Contains(e.Error, "stopped at the 2s deadline"):
		default:
			t.Errorf("plan %d: status %d: %s", i, a.status, a.body)
		}
	}
	if busy == 0 {
		t.Errorf("%d plans at once on 1 worker and a queue of 1: none was refused busy", n)
	}
	if got := s.pool.running.Load() + s.pool.queued.Load(); got != 0 {
		t.Errorf("%d requests still running or queued after every answer", got)
	}
}

// TestPlanClientGoneStopsWork: a client that gives up stops its plan.
// The handler returns (its outcome is "gone"), and afterwards the process
// uses next to no CPU, where the plan would keep both cores busy for
// several seconds more.
func TestPlanClientGoneStopsWork(t *testing.T) {
	if procCPU() == 0 {
		t.Skip("no CPU time on this platform")
	}
	s, url := fleetServer(t, 5_000, WorkLimits{Workers: 1, Queue: 1, Deadline: time.Minute, PlanBudget: 1_000_000})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		_, _, err := postPlan(ctx, url, `{"maintain": ["kind=psu,kind=link,kind=drive,*"], "keep_redundancy": true}`)
		errc <- err
	}()
	waitFor(t, "the plan to start", func() bool { return s.pool.running.Load() == 1 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("client: %v, want its own cancellation", err)
	}
	waitFor(t, "the plan to stop", func() bool { return s.pool.running.Load() == 0 })
	if got := counted(t, s, "plan", "gone"); got != 1 {
		t.Errorf("plan outcome gone = %v, want 1 (stopped, not finished)", got)
	}
	before := procCPU()
	time.Sleep(time.Second)
	if used := procCPU() - before; used > 400*time.Millisecond {
		t.Errorf("%v of CPU in the second after the plan stopped: the work goes on", used)
	}
}

// TestPlanBudget: a plan whose selection is over the budget is refused
// before any work, saying how many components it selects and what
// keep_redundancy costs.
func TestPlanBudget(t *testing.T) {
	s, url := fleetServer(t, 2_000, WorkLimits{PlanBudget: 50})
	for _, tc := range []struct {
		body string
		want []string
	}{
		{`{"maintain": ["kind=psu"]}`, []string{"plan too large: the selectors match", "over the budget of 50 (serve --plan-budget)"}},
		{`{"maintain": ["*-tor-*"], "keep_redundancy": true}`, []string{"with keep_redundancy (3 units a component)", "or without keep_redundancy"}},
	} {
		resp, body, err := postPlan(context.Background(), url, tc.body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422: %.200s", tc.body, resp.StatusCode, body)
		}
		for _, w := range tc.want {
			if !bytes.Contains(body, []byte(w)) {
				t.Errorf("%s: %.200s lacks %q", tc.body, body, w)
			}
		}
	}
	resp, body, err := postPlan(context.Background(), url, `{"maintain": ["*-tor-*"]}`)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("a plan within the budget: %v %v %.200s", resp.StatusCode, err, body)
	}
	if got := counted(t, s, "plan", "budget"); got != 2 {
		t.Errorf("budget refusals counted %v, want 2", got)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// counted is the work pool's count of an endpoint's outcome.
func counted(t *testing.T, s *Server, endpoint, outcome string) float64 {
	t.Helper()
	var m dto.Metric
	if err := s.pool.outcomes.WithLabelValues(endpoint, outcome).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// TestPlanDeadline: a plan still running at the deadline is stopped and
// answered 503, saying so; a what-if runs under the same pool.
func TestPlanDeadline(t *testing.T) {
	s, url := fleetServer(t, 5_000, WorkLimits{Workers: 1, Queue: 1, Deadline: 300 * time.Millisecond, PlanBudget: 1_000_000})
	resp, body, err := postPlan(context.Background(), url, `{"maintain": ["kind=psu,kind=link,kind=drive,*"], "keep_redundancy": true}`)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusServiceUnavailable || !bytes.Contains(body, []byte("plan stopped at the 300ms deadline while working")) {
		t.Errorf("status %d: %.300s; want 503 naming the deadline", resp.StatusCode, body)
	}
	if got := counted(t, s, "plan", "deadline"); got != 1 {
		t.Errorf("deadline outcomes %v, want 1", got)
	}
	waitFor(t, "the plan to stop", func() bool { return s.pool.running.Load() == 0 })

	req, _ := http.NewRequest(http.MethodPost, url+"/api/v1/whatif", strings.NewReader(`{"fail": ["s0-r0-tor-a"]}`))
	req.Header.Set("Authorization", "Bearer "+token)
	wresp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	wbody, _ := io.ReadAll(wresp.Body)
	wresp.Body.Close()
	// On a busy machine the what-if too may meet the 300 ms deadline;
	// either way it is answered, and counted.
	switch {
	case wresp.StatusCode == http.StatusOK && bytes.Contains(wbody, []byte(`"failed":["s0-r0-tor-a"]`)):
		if got := counted(t, s, "whatif", "done"); got != 1 {
			t.Errorf("whatif done %v, want 1", got)
		}
	case wresp.StatusCode == http.StatusServiceUnavailable && bytes.Contains(wbody, []byte("whatif stopped at the 300ms deadline")):
	default:
		t.Errorf("what-if: status %d: %.300s", wresp.StatusCode, wbody)
	}
}

// TestReadOnlyQuestionsShareThePool: the token-free GET forms of what-if
// and plan run under the same pool as the POSTs, so no number of clicks
// on the report page gets past it: with the one worker busy and the
// queue full, they are refused busy at once, with Retry-After.
func TestReadOnlyQuestionsShareThePool(t *testing.T) {
	s, url := fleetServer(t, 5_000, WorkLimits{Workers: 1, Queue: 1, Deadline: 20 * time.Second, PlanBudget: 1_000_000})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel() // the plans holding the pool stop when their clients go
	for range 2 {  // one running, one queued
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, _ = postPlan(ctx, url, `{"maintain": ["kind=psu,kind=link,kind=drive,*"], "keep_redundancy": true}`)
		}()
	}
	for deadline := time.Now().Add(15 * time.Second); s.pool.running.Load() != 1 || s.pool.queued.Load() != 1; {
		if time.Now().After(deadline) {
			t.Fatal("the two plans never filled the pool")
		}
		time.Sleep(5 * time.Millisecond)
	}
	for _, path := range []string{"/api/v1/whatif?fail=s0-feed-a", "/api/v1/plan?maintain=kind=switch"} {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !bytes.Contains(body, []byte(`"busy:`)) {
			t.Errorf("%s with the pool full: status %d, Retry-After %q, %s; want 503 busy", path, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	}
}
