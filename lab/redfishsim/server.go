package redfishsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"
	"time"
)

const (
	rootPath     = "/redfish/v1"
	sessionsPath = "/redfish/v1/SessionService/Sessions"
)

// public paths answer without credentials (DSP0266: the service root, the
// OData service document and metadata).
func public(path string) bool {
	return path == rootPath || path == "/redfish" || path == rootPath+"/odata" || path == rootPath+"/$metadata"
}

func (s *Sim) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	path := canonical(r.URL.EscapedPath())
	s.mu.Lock()
	faults := s.faults // replaced, never modified in place
	s.mu.Unlock()
	fault, faulty := protocolFault(faults, path)
	s.opts.Logger.Debug("request", "device", s.id, "method", r.Method, "path", r.URL.RequestURI())

	if faulty && fault.Fault == Hang {
		s.hang(r)
		return
	}
	if !s.sleep(r, s.delay()) {
		s.abortIfClosed()
		return
	}
	if faulty {
		switch fault.Fault {
		case HTTP500:
			writeError(w, http.StatusInternalServerError, "Base.1.8.InternalError", "The request failed due to an internal service error (simulated).")
			return
		case HTTP503:
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusServiceUnavailable, "Base.1.8.ServiceTemporarilyUnavailable", "The service is temporarily unavailable (simulated).")
			return
		}
	}

	switch {
	case path == "/redfish":
		writeJSON(w, r, http.StatusOK, map[string]any{"v1": "/redfish/v1/"}, "")
		return
	case path == sessionsPath && r.Method == http.MethodPost:
		if faulty && fault.Fault == HTTP401 {
			writeUnauthorized(w)
			return
		}
		s.login(w, r)
		return
	}
	if !public(path) && (faulty && fault.Fault == HTTP401 || !s.authorized(r)) {
		writeUnauthorized(w)
		return
	}
	if path == sessionsPath || strings.HasPrefix(path, sessionsPath+"/") {
		s.serveSessions(w, r, path)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "Base.1.8.OperationNotAllowed", "This simulated BMC is read-only.")
		return
	}
	s.serveResource(w, r, path, faults, fault, faulty)
}

// serveResource answers a GET of a tree resource: ETag first (a 304 costs no
// rendering), then $select and $expand, then body faults.
func (s *Sim) serveResource(w http.ResponseWriter, r *http.Request, path string, faults []Fault, fault Fault, faulty bool) {
	q := r.URL.Query()
	exp, sel := q.Get("$expand"), q.Get("$select")
	feat := s.src.features()
	mode := s.opts.Expand
	if mode == "" {
		mode = ExpandOn
		if !feat.expand {
			mode = ExpandOff
		}
	}
	if exp != "" && mode == ExpandReject {
		writeError(w, http.StatusBadRequest, "Base.1.8.QueryNotSupported", "Querying is not supported by the implementation.")
		return
	}
	etag := s.etag(path, r.URL.RawQuery)
	if !faulty && etag != "" && !(exp != "" && faultBelow(faults, path)) && strings.Contains(r.Header.Get("If-None-Match"), etag) {
		s.notModified.Add(1)
		w.Header().Set("ETag", etag)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	doc := s.src.resource(path)
	if doc == nil {
		writeError(w, http.StatusNotFound, "Base.1.8.ResourceMissingAtURI", fmt.Sprintf("The resource at the URI %s was not found.", path))
		return
	}
	if sel != "" && feat.sel && !s.opts.NoSelect {
		doc = selectProps(doc, sel)
	}
	if exp != "" && (mode == ExpandOn || mode == ExpandSlow) {
		spec, err := parseExpand(exp, max(feat.maxLevels, 1))
		if err != nil {
			writeError(w, http.StatusBadRequest, "Base.1.8.QueryParameterValueFormatError", err.Error())
			return
		}
		e := &expander{get: s.src.resource, spec: spec, budget: 5000}
		doc = e.resource(doc, path)
		if mode == ExpandSlow && !s.sleep(r, time.Duration(e.inlined)*s.opts.ExpandCost) {
			s.abortIfClosed()
			return
		}
		// A fault on a resource fails the expansion that inlines it, as a
		// BMC's does when one of the resources it gathers fails.
		for _, p := range e.paths {
			if f, ok := protocolFault(faults, p); ok && !faulty {
				fault, faulty = f, true
				if s.lateFault(w, r, f) {
					return
				}
			}
		}
	}
	if faulty {
		switch fault.Fault {
		case Truncate:
			body, _ := json.Marshal(doc)
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(body[:len(body)/2])
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			panic(http.ErrAbortHandler) // drop the connection mid-body
		case InvalidJSON:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			fmt.Fprintf(w, `{"@odata.id": %q, "Status": {"State": "Enabled",, ]]`, path)
			return
		case HugeBody:
			s.hugeBody(w, r)
			return
		}
	}
	writeJSON(w, r, http.StatusOK, doc, etag)
}

// lateFault answers a fault found on a resource inlined by $expand, and
// reports whether it did (body faults are answered by the caller).
func (s *Sim) lateFault(w http.ResponseWriter, r *http.Request, f Fault) bool {
	switch f.Fault {
	case Hang:
		s.hang(r)
	case HTTP500:
		writeError(w, http.StatusInternalServerError, "Base.1.8.InternalError", "The request failed due to an internal service error (simulated).")
	case HTTP503:
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, "Base.1.8.ServiceTemporarilyUnavailable", "The service is temporarily unavailable (simulated).")
	case HTTP401:
		writeUnauthorized(w)
	default:
		return false
	}
	return true
}

// etag is a strong validator for one representation: it changes with the
// tree's version, so a 304 needs no rendering. Session resources change on
// their own and get none.
func (s *Sim) etag(path, rawQuery string) string {
	if strings.HasPrefix(path, sessionsPath) {
		return ""
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d", s.id, path, rawQuery, s.src.version())
	return fmt.Sprintf(`"%016x"`, h.Sum64())
}

// hugeBody streams a JSON document that never ends, until the client stops
// reading (or 1 GiB, whichever is first).
func (s *Sim) hugeBody(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write([]byte(`{"Padding": "`)); err != nil {
		return
	}
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	for written := 0; written < 1<<30; written += len(chunk) {
		if r.Context().Err() != nil {
			return
		}
		select {
		case <-s.closed:
			return
		default:
		}
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
	_, _ = w.Write([]byte(`"}`))
}

// hang holds a request until the client gives up; when the simulator
// closes first, the connection is dropped, never answered.
func (s *Sim) hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.closed:
		panic(http.ErrAbortHandler)
	}
}

// abortIfClosed drops the connection of a request cut short by Close.
func (s *Sim) abortIfClosed() {
	select {
	case <-s.closed:
		panic(http.ErrAbortHandler)
	default:
	}
}

// sleep waits d unless the request or the simulator ends first.
func (s *Sim) sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.closed:
		return false
	}
}

func writeJSON(w http.ResponseWriter, r *http.Request, code int, doc any, etag string) {
	body, err := json.Marshal(doc)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Base.1.8.InternalError", err.Error())
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("OData-Version", "4.0")
	if etag != "" {
		h.Set("ETag", etag)
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// writeError answers with a Redfish error body.
func writeError(w http.ResponseWriter, code int, id, msg string) {
	body, _ := json.Marshal(map[string]any{"error": map[string]any{
		"code":    id,
		"message": msg,
		"@Message.ExtendedInfo": []any{map[string]any{
			"MessageId": id, "Message": msg, "Severity": "Critical",
		}},
	}})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("OData-Version", "4.0")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

func writeUnauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Basic realm="faultline lab BMC"`)
	writeError(w, http.StatusUnauthorized, "Base.1.8.NoValidSession", "There is no valid session established with the implementation.")
}
