package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faultline/faultline/plan"
)

func TestPlanRoute(t *testing.T) {
	s, _, _ := newTestServer(t, token)
	cases := []struct {
		name   string
		call   call
		status int
		want   string // substring of the body
	}{
		{"plan", call{method: "POST", path: "/api/v1/plan", body: `{"maintain":["tor-2*"]}`, header: bearer}, 200, `"lower_bound":2`},
		{"plan blocked", call{method: "POST", path: "/api/v1/plan", body: `{"maintain":["feed-a"]}`, header: bearer}, 200, `"component":"feed-a"`},
		{"plan comma list", call{method: "POST", path: "/api/v1/plan", body: `{"maintain":["tor-2a,tor-2b"],"max_batch":1}`, header: bearer}, 200, `"max_batch":1`},
		{"plan no token", call{method: "POST", path: "/api/v1/plan", body: `{"maintain":["feed-a"]}`}, 401, "bearer token"},
		{"plan empty", call{method: "POST", path: "/api/v1/plan", body: `{"maintain":[" "]}`, header: bearer}, 400, "name what to maintain"},
		{"plan negative batch", call{method: "POST", path: "/api/v1/plan", body: `{"maintain":["feed-a"],"max_batch":-1}`, header: bearer}, 400, "max_batch"},
		{"plan unknown field", call{method: "POST", path: "/api/v1/plan", body: `{"maintian":["x"]}`, header: bearer}, 400, `unknown key \"maintian\": use \"keep_redundancy\", \"maintain\"`},
		{"plan unknown selector", call{method: "POST", path: "/api/v1/plan", body: `{"maintain":["feed-c"]}`, header: bearer}, 422, `matches no component`},
		{"plan bad key", call{method: "POST", path: "/api/v1/plan", body: `{"maintain":["row=3"]}`, header: bearer}, 422, `unknown key \"row\"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, s, tc.call)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d: %s", rec.Code, tc.status, rec.Body.String())
			}
			if !strings.Contains(rec.Body.String(), tc.want) {
				t.Errorf("body lacks %q: %.600s", tc.want, rec.Body.String())
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("content type %q", ct)
			}
		})
	}
}

// TestPlanMatchesLibrary: the API plans on the served snapshot exactly as
// the library does.
func TestPlanMatchesLibrary(t *testing.T) {
	s, eng, _ := newTestServer(t, token)
	rec := do(t, s, call{method: "POST", path: "/api/v1/plan", body: `{"maintain":["tor-*","kind=feed"],"keep_redundancy":false}`, header: bearer})
	var got plan.Plan
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	snap := eng.Snapshot()
	want, err := plan.Maintenance(snap.Analysis.G, snap.Analysis, []string{"tor-*", "kind=feed"}, plan.Options{At: got.GeneratedAt})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, &got); diff != "" {
		t.Errorf("plan over the API (-library +api):\n%s", diff)
	}
	if len(got.Blocked) == 0 || len(got.Batches) < 2 {
		t.Errorf("expected feeds blocked and ToRs in batches: %+v", got)
	}
}

// TestPlanConcurrent: plans and what-ifs share the served snapshot's
// analysis; under -race this shows they only read it.
func TestPlanConcurrent(t *testing.T) {
	s, _, _ := newTestServer(t, token)
	bodies := []string{`{"maintain":["tor-*"]}`, `{"maintain":["kind=pdu"],"keep_redundancy":true}`, `{"maintain":["feed-a","rack=r0*"],"max_batch":3}`}
	done := make(chan string)
	for i := 0; i < 6; i++ {
		go func(i int) {
			path, body := "/api/v1/plan", bodies[i%len(bodies)]
			if i%4 == 3 {
				path, body = "/api/v1/whatif", `{"fail":["feed-a"]}`
			}
			rec := do(t, s, call{method: "POST", path: path, body: body, header: bearer})
			if rec.Code != 200 {
				done <- path + " " + body + ": " + rec.Body.String()
				return
			}
			done <- ""
		}(i)
	}
	for i := 0; i < 6; i++ {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
}
