package redfishsim

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// AdminHandler is a small JSON API to inject and clear this BMC's faults:
//
//	GET    /faults                 the faults in force
//	POST   /faults                 {"fault":"psu-fail","part":"PSU2"} adds one
//	DELETE /faults[?fault=&part=]  clears matching faults (all without a query)
//	GET    /stats                  requests, handshakes, sessions, …
//
// It is for the lab operator, not the collector: serve it on its own
// (loopback) listener, never on the BMC's address.
func (s *Sim) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /faults", func(w http.ResponseWriter, r *http.Request) {
		adminJSON(w, http.StatusOK, s.ActiveFaults())
	})
	mux.HandleFunc("POST /faults", func(w http.ResponseWriter, r *http.Request) {
		var f Fault
		dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			adminError(w, http.StatusBadRequest, "body: "+err.Error())
			return
		}
		if err := s.Inject(f); err != nil {
			code := http.StatusBadRequest
			if errors.Is(err, ErrNoSuchPart) || errors.Is(err, ErrNeedsGenerated) {
				code = http.StatusUnprocessableEntity
			}
			adminError(w, code, err.Error())
			return
		}
		adminJSON(w, http.StatusCreated, s.ActiveFaults())
	})
	mux.HandleFunc("DELETE /faults", func(w http.ResponseWriter, r *http.Request) {
		if err := s.Clear(r.URL.Query().Get("fault"), r.URL.Query().Get("part")); err != nil {
			adminError(w, http.StatusInternalServerError, err.Error())
			return
		}
		adminJSON(w, http.StatusOK, s.ActiveFaults())
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		adminJSON(w, http.StatusOK, s.Stats())
	})
	return mux
}

// AdminHandler routes /devices/{id}/... to that BMC's AdminHandler, and
// lists the fleet at GET /devices.
func (f *Fleet) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /devices", func(w http.ResponseWriter, r *http.Request) {
		type dev struct {
			ID     string  `json:"id"`
			URL    string  `json:"url"`
			Faults []Fault `json:"faults"`
			Stats  Stats   `json:"stats"`
		}
		var out []dev
		for _, id := range f.IDs() {
			if s := f.Sim(id); s != nil {
				out = append(out, dev{ID: id, URL: f.URL(id), Faults: s.ActiveFaults(), Stats: s.Stats()})
			}
		}
		adminJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("/devices/{id}/", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		s := f.Sim(id)
		if s == nil {
			adminError(w, http.StatusNotFound, "no simulated BMC for "+id)
			return
		}
		http.StripPrefix("/devices/"+id, s.AdminHandler()).ServeHTTP(w, r)
	})
	return mux
}

func adminJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func adminError(w http.ResponseWriter, code int, msg string) {
	adminJSON(w, code, map[string]string{"error": msg})
}
