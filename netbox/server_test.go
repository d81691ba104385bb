package netbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// recordedBase is the base URL baked into the recorded answers.
const recordedBase = "http://netbox.example.test"

// corpus loads a recorded NetBox (../shared/testdata/<name>): every
// endpoint's objects, in NetBox's order.
func corpus(t testing.TB, name string) map[string][]json.RawMessage {
	t.Helper()
	root := filepath.Join("..", "..", "shared", "testdata", name, "api")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("recorded NetBox answers not present (%s): %v", root, err)
	}
	out := map[string][]json.RawMessage{}
	err := filepath.Walk(root, func(path string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() || !strings.HasPrefix(fi.Name(), "offset-") {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var p struct{ Results []json.RawMessage }
		if err := json.Unmarshal(data, &p); err != nil {
			return err
		}
		// Walk visits offset files in name order: NetBox's order.
		out[filepath.ToSlash(rel)] = append(out[filepath.ToSlash(rel)], p.Results...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// fakeNetBox serves recorded objects as NetBox does: limit/offset paging
// capped at maxPage, `next` URLs built from the request's host, a site
// filter, the token checked. Answers name the server's own URL.
type fakeNetBox struct {
	mu       sync.Mutex
	objects  map[string][]json.RawMessage
	maxPage  int
	token    string
	requests []string
	// hook may answer a request itself (bad answers in tests).
	hook func(w http.ResponseWriter, r *http.Request) bool
}

func newFakeNetBox(t testing.TB, objects map[string][]json.RawMessage, maxPage int) (*fakeNetBox, *httptest.Server) {
	f := &fakeNetBox{objects: objects, maxPage: maxPage, token: "0123456789abcdef"}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeNetBox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.URL.RequestURI())
	hook := f.hook
	f.mu.Unlock()
	if r.Method != http.MethodGet {
		http.Error(w, "GET only", http.StatusMethodNotAllowed)
		return
	}
	if hook != nil && hook(w, r) {
		return
	}
	if r.Header.Get("Authorization") != "Token "+f.token {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"detail":"Invalid token"}`))
		return
	}
	base := "http://" + r.Host
	path := strings.Trim(strings.TrimPrefix(r.URL.Path, "/api/"), "/")
	w.Header().Set("Content-Type", "application/json")
	if path == "status" {
		w.Write([]byte(`{"netbox-version":"4.2.2"}`))
		return
	}
	objs, ok := f.objects[path]
	if !ok {
		http.Error(w, `{"detail":"Not found."}`, http.StatusNotFound)
		return
	}
	q := r.URL.Query()
	if sites := q["site"]; len(sites) > 0 {
		objs = filterSite(objs, sites, "site")
	}
	if slugs := q["slug"]; len(slugs) > 0 {
		objs = filterSite(objs, slugs, "")
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 || limit > f.maxPage {
		limit = f.maxPage
	}
	offset, _ := strconv.Atoi(q.Get("offset"))
	end := min(offset+limit, len(objs))
	if offset > len(objs) {
		offset = len(objs)
	}
	page := map[string]any{"count": len(objs), "next": nil, "previous": nil, "results": objs[offset:end]}
	if end < len(objs) {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("limit", strconv.Itoa(limit))
		nq.Set("offset", strconv.Itoa(end))
		page["next"] = base + r.URL.Path + "?" + nq.Encode()
	}
	body, _ := json.Marshal(page)
	w.Write(bytes.ReplaceAll(body, []byte(recordedBase), []byte(base)))
}

// filterSite keeps objects whose site (or, for key "", whose own slug) is
// one of slugs; objects that name only a device are kept when the device
// is (NetBox filters power ports, interfaces by the device's site — here
// by the site in the nested device's cached scope, which the recorded
// answers do not carry, so they are filtered through the devices).
func filterSite(objs []json.RawMessage, slugs []string, key string) []json.RawMessage {
	want := map[string]bool{}
	for _, s := range slugs {
		want[s] = true
	}
	var out []json.RawMessage
	for _, o := range objs {
		var v struct {
			Slug string `json:"slug"`
			Site *Ref   `json:"site"`
		}
		json.Unmarshal(o, &v)
		switch {
		case key == "" && want[v.Slug]:
			out = append(out, o)
		case key != "" && v.Site != nil && want[v.Site.Slug]:
			out = append(out, o)
		case key != "" && v.Site == nil:
			out = append(out, o) // no site of its own: decided by the importer
		}
	}
	return out
}

func (f *fakeNetBox) requestCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}
