// Package lab runs simulated devices for an inventory: an SNMP agent for
// every entry with management.snmp and a Redfish BMC for every entry with
// management.redfish, each on the loopback address the inventory names,
// answering with the inventory's credentials. It is the demo (`make run`),
// the fixture of end-to-end tests, and the benchmark target. Faults are
// injected per device through Inject or the admin HTTP handler.
package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/faultline/faultline/collector/snmp/snmpsim"
	"github.com/faultline/faultline/inventory"
)

// Options configure a lab.
type Options struct {
	// Latency is added to every answer.
	Latency time.Duration
	Logger  *slog.Logger
}

// Lab is a running set of simulated devices.
type Lab struct {
	snmp    *snmpsim.Fleet
	devices []Device
	proto   map[string]string
}

// Device is one simulated device.
type Device struct {
	ID       string `json:"id"`
	Protocol string `json:"protocol"`
	Address  string `json:"address"`
}

// Fault is a fault to inject into one device: a kind the device's
// simulator knows, the part it applies to, and an optional value.
type Fault struct {
	Kind  string `json:"fault"`
	Part  string `json:"part,omitempty"`
	Value string `json:"value,omitempty"`
}

// Start starts a simulator for every managed entry of inv. Addresses must
// be loopback. On error nothing is left running.
func Start(inv *inventory.Inventory, opts Options) (*Lab, error) {
	l := &Lab{proto: map[string]string{}}
	f, err := snmpsim.StartFleet(inv, inv.Dir(), snmpsim.FleetOptions{Latency: opts.Latency, Logger: opts.Logger})
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	l.snmp = f
	for _, id := range f.IDs() {
		l.devices = append(l.devices, Device{ID: id, Protocol: "snmp", Address: f.Agent(id).Addr()})
		l.proto[id] = "snmp"
	}
	sort.Slice(l.devices, func(i, j int) bool { return l.devices[i].ID < l.devices[j].ID })
	return l, nil
}

// Devices lists the simulated devices.
func (l *Lab) Devices() []Device { return slices.Clone(l.devices) }

// FaultKinds lists the faults a protocol's simulator accepts.
func FaultKinds(protocol string) []string {
	if protocol == "snmp" {
		return slices.Clone(snmpsim.FaultKinds)
	}
	return nil
}

// Inject applies a fault to device id.
func (l *Lab) Inject(id string, f Fault) error {
	switch l.proto[id] {
	case "snmp":
		return l.snmp.Inject(id, snmpsim.Fault{Kind: f.Kind, Part: f.Part, Value: f.Value})
	}
	return fmt.Errorf("lab: no simulated device %q", id)
}

// Clear removes every fault from device id.
func (l *Lab) Clear(id string) error {
	switch l.proto[id] {
	case "snmp":
		l.snmp.Agent(id).Clear()
		return nil
	}
	return fmt.Errorf("lab: no simulated device %q", id)
}

// Handler is the admin API:
//
//	GET    /devices              the simulated devices
//	GET    /devices/{id}/faults  faults in force
//	POST   /devices/{id}/faults  {"fault": "psu-fail", "part": "PSU2"}
//	DELETE /devices/{id}/faults  clear them
func (l *Lab) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /devices", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, l.devices)
	})
	mux.HandleFunc("POST /devices/{id}/faults", func(w http.ResponseWriter, r *http.Request) {
		var f Fault
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad fault: " + err.Error()})
			return
		}
		if err := l.Inject(r.PathValue("id"), f); err != nil {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": err.Error()})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE /devices/{id}/faults", func(w http.ResponseWriter, r *http.Request) {
		if err := l.Clear(r.PathValue("id")); err != nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.Handle("/devices/{id}/", l.snmp.Handler())
	return mux
}

// Close stops every simulator.
func (l *Lab) Close() error {
	var errs []error
	if l.snmp != nil {
		errs = append(errs, l.snmp.Close())
	}
	return errors.Join(errs...)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
