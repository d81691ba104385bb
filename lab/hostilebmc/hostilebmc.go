// Package hostilebmc serves malicious and broken BMCs on loopback, for the
// Redfish collector's tests: each Trick wraps a healthy BMC (a
// redfishsim.Sim's handler, or any Redfish tree) and attacks the collector
// one way — a collection of 350,000 members, next pages that never end,
// links to themselves, errors for everything, error bodies that echo the
// request's credentials, links listed many times. A BMC records every
// request, the credentials it was sent (to look for in the collector's
// output), and the most goroutines the process had while it answered.
//
// It is a test helper: it listens on 127.0.0.1 only, over plain HTTP.
package hostilebmc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// A Trick wraps a BMC's handler to attack the collector one way.
type Trick func(next http.Handler) http.Handler

// BMC is one hostile BMC on loopback.
type BMC struct {
	// URL is its endpoint (http://127.0.0.1:port).
	URL string

	srv           *httptest.Server
	maxGoroutines atomic.Int64

	mu       sync.Mutex
	requests []string
	secrets  map[string]bool
}

// Start serves healthy with the tricks applied (the first trick sees each
// request first) on 127.0.0.1.
func Start(healthy http.Handler, tricks ...Trick) (*BMC, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("hostilebmc: %w", err)
	}
	h := healthy
	for _, t := range slices.Backward(tricks) {
		h = t(h)
	}
	b := &BMC{secrets: map[string]bool{}}
	b.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: b.record(h)}}
	b.srv.Start()
	b.URL = b.srv.URL
	return b, nil
}

// Close stops the BMC.
func (b *BMC) Close() { b.srv.Close() }

func (b *BMC) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int64(runtime.NumGoroutine())
		for {
			m := b.maxGoroutines.Load()
			if n <= m || b.maxGoroutines.CompareAndSwap(m, n) {
				break
			}
		}
		b.mu.Lock()
		b.requests = append(b.requests, r.Method+" "+r.URL.RequestURI())
		for _, v := range []string{r.Header.Get("Authorization"), r.Header.Get("X-Auth-Token")} {
			if v == "" {
				continue
			}
			b.secrets[v] = true
			if scheme, cred, ok := strings.Cut(v, " "); ok && scheme != "" {
				b.secrets[cred] = true
			}
		}
		b.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// Requests are the requests answered so far ("GET /redfish/v1/...").
func (b *BMC) Requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.requests)
}

// Count is how many requests so far had substr in their method and URI.
func (b *BMC) Count(substr string) int {
	n := 0
	for _, r := range b.Requests() {
		if strings.Contains(r, substr) {
			n++
		}
	}
	return n
}

// Secrets are the credentials the collector sent: every Authorization and
// X-Auth-Token value, and the credential part after "Basic "/"Bearer ".
func (b *BMC) Secrets() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for s := range b.secrets {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// MaxGoroutines is the most goroutines the process had when a request
// arrived (the collector's walk, the BMC's handlers and the test's own).
func (b *BMC) MaxGoroutines() int64 { return b.maxGoroutines.Load() }

func clean(p string) string {
	if len(p) > 1 {
		return strings.TrimRight(p, "/")
	}
	return p
}

// HugeCollection answers the collection at path with n members
// (path/m0 … path/m<n-1>), written as it goes, never held in memory; the
// members themselves are 404. A collection of 350,000 members once made
// the collector start a goroutine for each.
func HugeCollection(path string, n int) Trick {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if clean(r.URL.Path) != path {
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"@odata.id":%q,"Name":"huge","Members@odata.count":%d,"Members":[`, path, n)
			var buf bytes.Buffer
			for i := range n {
				if i > 0 {
					buf.WriteByte(',')
				}
				fmt.Fprintf(&buf, `{"@odata.id":"%s/m%d"}`, path, i)
				if buf.Len() > 32<<10 {
					_, _ = w.Write(buf.Bytes())
					buf.Reset()
				}
			}
			buf.WriteString("]}")
			_, _ = w.Write(buf.Bytes())
		})
	}
}

// ManyMembers answers the collection at path with n members
// (path/<prefix><i>), each answered by member(id).
func ManyMembers(path, prefix string, n int, member func(id string) any) Trick {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := clean(r.URL.Path)
			switch {
			case p == path:
				ms := make([]any, n)
				for i := range ms {
					ms[i] = map[string]string{"@odata.id": path + "/" + prefix + strconv.Itoa(i)}
				}
				writeJSON(w, map[string]any{"@odata.id": path, "Members": ms, "Members@odata.count": n})
			case strings.HasPrefix(p, path+"/"+prefix) && !strings.Contains(p[len(path)+1:], "/"):
				writeJSON(w, member(p[len(path)+1:]))
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}

// SelfNextLink makes the collection at path name itself as its next page.
func SelfNextLink(path string) Trick {
	return Edit(path, func(doc map[string]any) { doc["Members@odata.nextLink"] = path })
}

// EndlessPages makes the collection at path page forever: every page
// (path?$skiptoken=k) names the next one, and lists the real members
// again.
func EndlessPages(path string) Trick {
	return edit(path, func(map[string]any) {}, true)
}

// SelfMembers makes the collection at path list itself n times as a
// member, beside its real members.
func SelfMembers(path string, n int) Trick {
	return Edit(path, func(doc map[string]any) {
		ms, _ := doc["Members"].([]any)
		for range n {
			ms = append(ms, map[string]any{"@odata.id": path})
		}
		doc["Members"] = ms
	})
}

// DuplicateLinks appends link n times to the array field of the resource
// at path (a storage's Drives, a collection's Members).
func DuplicateLinks(path, field, link string, n int) Trick {
	return Edit(path, func(doc map[string]any) {
		arr, _ := doc[field].([]any)
		for range n {
			arr = append(arr, map[string]any{"@odata.id": link})
		}
		doc[field] = arr
	})
}

// Fail answers every GET whose path keep rejects with status and a
// Redfish error body; the paths kept are answered without their query
// (the BMC ignores $expand and $select), so the collector walks into the
// failures.
func Fail(status int, keep func(path string) bool) Trick {
	return failing(keep, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":{"code":"Base.1.8.GeneralError","message":"%d for %s"}}`, status, strings.ReplaceAll(r.URL.Path, `"`, ""))
	})
}

// Garbage answers every GET whose path keep rejects with 200 and a body
// that is not JSON; kept paths as in Fail.
func Garbage(keep func(path string) bool) Trick {
	return failing(keep, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("<html><body>Service Unavailable\x00\x01</body></html>"))
	})
}

func failing(keep func(string) bool, answer http.HandlerFunc) Trick {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet {
				next.ServeHTTP(w, r)
				return
			}
			if keep != nil && keep(clean(r.URL.Path)) {
				r2 := r.Clone(r.Context())
				r2.URL.RawQuery = ""
				r2.RequestURI = r2.URL.Path
				next.ServeHTTP(w, r2)
				return
			}
			answer(w, r)
		})
	}
}

// EchoRequest answers the GETs whose path match accepts with status and
// an error body that echoes the request — its line and every header,
// Authorization and X-Auth-Token included — as some BMCs do: in a Redfish
// error's message when asJSON, else as text.
func EchoRequest(status int, asJSON bool, match func(path string) bool) Trick {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet || !match(clean(r.URL.Path)) {
				next.ServeHTTP(w, r)
				return
			}
			var echo strings.Builder
			fmt.Fprintf(&echo, "%s %s %s\r\n", r.Method, r.URL.RequestURI(), r.Proto)
			for _, k := range slices.Sorted(func(yield func(string) bool) {
				for k := range r.Header {
					if !yield(k) {
						return
					}
				}
			}) {
				fmt.Fprintf(&echo, "%s: %s\r\n", k, strings.Join(r.Header[k], ", "))
			}
			if asJSON {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(status)
				b, _ := json.Marshal(map[string]any{"error": map[string]any{
					"code": "Base.1.8.GeneralError", "message": "bad request: " + echo.String(),
					"@Message.ExtendedInfo": []any{map[string]any{"MessageId": "Base.1.8.GeneralError", "Message": "The request " + echo.String() + " failed."}},
				}})
				_, _ = w.Write(b)
				return
			}
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(echo.String()))
		})
	}
}

// Edit rewrites the JSON document the BMC answers at path (a GET without
// a query: the trick makes the BMC ignore $expand and $select there).
func Edit(path string, change func(doc map[string]any)) Trick { return edit(path, change, false) }

// edit is Edit; paged also names page k+1 as the next page of page k.
func edit(path string, change func(doc map[string]any), paged bool) Trick {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet || clean(r.URL.Path) != path {
				next.ServeHTTP(w, r)
				return
			}
			r2 := r.Clone(r.Context())
			page := 0
			if paged {
				page, _ = strconv.Atoi(r.URL.Query().Get("$skiptoken"))
			}
			r2.URL.RawQuery = ""
			r2.RequestURI = r2.URL.Path
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r2)
			var doc map[string]any
			if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &doc) != nil {
				for k, v := range rec.Header() {
					w.Header()[k] = v
				}
				w.WriteHeader(rec.Code)
				_, _ = w.Write(rec.Body.Bytes())
				return
			}
			change(doc)
			if paged {
				doc["Members@odata.nextLink"] = path + "?$skiptoken=" + strconv.Itoa(page+1)
			}
			writeJSON(w, doc)
		})
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
