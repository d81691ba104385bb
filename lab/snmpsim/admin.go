package snmpsim

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// AdminHandler serves the agent's fault injection as JSON:
//
//	GET    /faults   the faults in force
//	POST   /faults   {"fault":"psu-fail","part":"PSU2"} injects one
//	DELETE /faults   clears them all
func (a *Agent) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /faults", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, a.Faults()) })
	mux.HandleFunc("POST /faults", func(w http.ResponseWriter, r *http.Request) { injectJSON(w, r, a) })
	mux.HandleFunc("DELETE /faults", func(w http.ResponseWriter, r *http.Request) {
		a.Clear()
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

func injectJSON(w http.ResponseWriter, r *http.Request, a *Agent) {
	var f Fault
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("bad fault: %v", err)})
		return
	}
	if err := a.Inject(f); err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusCreated, a.Faults())
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
