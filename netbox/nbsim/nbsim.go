// Package nbsim is a NetBox REST API simulator for tests and benchmarks:
// it serves objects (recorded answers, or generated ones) as NetBox 4
// does — limit/offset paging capped at a page size, `next` links built
// from the request's host, the site filter, the token checked, GET only.
package nbsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// RecordedBase is the base URL baked into recorded answers; answers are
// served with the server's own base in its place.
const RecordedBase = "http://netbox.example.test"

// Server serves one NetBox.
type Server struct {
	mu       sync.Mutex
	objects  map[string][]json.RawMessage
	maxPage  int
	token    string
	version  string
	requests []string
	hook     func(w http.ResponseWriter, r *http.Request) bool
	filtered map[string][]json.RawMessage // path and filter -> objects
}

// New serves objects by endpoint path ("dcim/devices"), at most maxPage a
// page, to clients presenting token ("Token …" or "Bearer …").
func New(objects map[string][]json.RawMessage, maxPage int, token string) *Server {
	return &Server{objects: objects, maxPage: maxPage, token: token, version: "4.2.2"}
}

// LoadRecorded reads a recorded corpus (DIR/api/<app>/<endpoint>/offset-N.json).
func LoadRecorded(dir string) (map[string][]json.RawMessage, error) {
	root := filepath.Join(dir, "api")
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
			return fmt.Errorf("%s: %w", path, err)
		}
		// Walk visits offset files in name order: NetBox's order.
		out[filepath.ToSlash(rel)] = append(out[filepath.ToSlash(rel)], p.Results...)
		return nil
	})
	return out, err
}

// Hook lets a test answer requests itself (bad answers): it returns true
// when it has answered.
func (s *Server) Hook(h func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	s.hook = h
	s.mu.Unlock()
}

// Set replaces an endpoint's objects (a changed NetBox).
func (s *Server) Set(path string, objs []json.RawMessage) {
	s.mu.Lock()
	s.objects[path] = objs
	s.filtered = nil
	s.mu.Unlock()
}

// Objects returns an endpoint's objects.
func (s *Server) Objects(path string) []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.objects[path]
}

// SetVersion sets what /api/status/ says.
func (s *Server) SetVersion(v string) {
	s.mu.Lock()
	s.version = v
	s.mu.Unlock()
}

// Requests counts the requests served.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// ResetRequests forgets the requests served.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	s.requests = nil
	s.mu.Unlock()
}

func (s *Server) authorized(h string) bool {
	return h == "Token "+s.token || h == "Bearer "+s.token
}

// ServeHTTP answers as NetBox does.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.URL.RequestURI())
	hook := s.hook
	version := s.version
	s.mu.Unlock()
	if r.Method != http.MethodGet {
		http.Error(w, `{"detail":"GET only here"}`, http.StatusMethodNotAllowed)
		return
	}
	if hook != nil && hook(w, r) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if !s.authorized(r.Header.Get("Authorization")) {
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"detail":"Invalid token"}`))
		return
	}
	path := strings.Trim(strings.TrimPrefix(r.URL.Path, "/api/"), "/")
	if path == "status" {
		fmt.Fprintf(w, `{"netbox-version":%q}`, version)
		return
	}
	s.mu.Lock()
	objs, ok := s.objects[path]
	s.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"detail":"Not found."}`))
		return
	}
	w.Write(s.page(r, s.filter(path, objs, r.URL.Query())))
}

// filter keeps the objects of path that the query's site and slug
// filters select, remembering each filtered list.
func (s *Server) filter(path string, objs []json.RawMessage, q url.Values) []json.RawMessage {
	if len(q["site"]) == 0 && len(q["slug"]) == 0 {
		return objs
	}
	key := path + "?" + strings.Join(q["site"], ",") + "&" + strings.Join(q["slug"], ",")
	s.mu.Lock()
	cached, ok := s.filtered[key]
	s.mu.Unlock()
	if ok {
		return cached
	}
	if sites := q["site"]; len(sites) > 0 {
		objs = filterSite(objs, sites, false)
	}
	if slugs := q["slug"]; len(slugs) > 0 {
		objs = filterSite(objs, slugs, true)
	}
	s.mu.Lock()
	if s.filtered == nil {
		s.filtered = map[string][]json.RawMessage{}
	}
	s.filtered[key] = objs
	s.mu.Unlock()
	return objs
}

// page is one page of objs as NetBox pages a list: limit (at most the
// server's page size) and offset, and a next link on the host asked.
func (s *Server) page(r *http.Request, objs []json.RawMessage) []byte {
	base := "http://" + r.Host
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 || limit > s.maxPage {
		limit = s.maxPage
	}
	offset, _ := strconv.Atoi(q.Get("offset"))
	offset = max(0, min(offset, len(objs)))
	end := min(offset+limit, len(objs))
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"count":%d,"next":`, len(objs))
	if end < len(objs) {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("limit", strconv.Itoa(limit))
		nq.Set("offset", strconv.Itoa(end))
		next, _ := json.Marshal(base + r.URL.Path + "?" + nq.Encode())
		b.Write(next)
	} else {
		b.WriteString("null")
	}
	b.WriteString(`,"previous":null,"results":[`)
	for i, o := range objs[offset:end] {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(bytes.ReplaceAll(o, []byte(RecordedBase), []byte(base)))
	}
	b.WriteString("]}")
	return b.Bytes()
}

// filterSite keeps objects whose site (own slug, for a site) is one of
// slugs. Objects without a site of their own (ports, interfaces, cables)
// are kept: the importer keeps what belongs to the devices it imports.
func filterSite(objs []json.RawMessage, slugs []string, own bool) []json.RawMessage {
	want := map[string]bool{}
	for _, s := range slugs {
		want[s] = true
	}
	var out []json.RawMessage
	for _, o := range objs {
		var v struct {
			Slug string `json:"slug"`
			Site *struct {
				Slug string `json:"slug"`
			} `json:"site"`
		}
		json.Unmarshal(o, &v)
		switch {
		case own && want[v.Slug]:
			out = append(out, o)
		case !own && v.Site != nil && want[v.Site.Slug]:
			out = append(out, o)
		case !own && v.Site == nil:
			out = append(out, o)
		}
	}
	return out
}
