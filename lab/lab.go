// Package lab runs simulated devices for an inventory: an SNMP agent for
// every entry with management.snmp and a Redfish BMC (over TLS, with a lab
// CA) for every device with management.redfish, each on the loopback
// address the inventory names, answering with the inventory's
// credentials. It is the demo (`make run`), the fixture of end-to-end
// tests, and the benchmark target. Faults are injected per device through
// Inject or the admin HTTP handler.
package lab

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab/redfishsim"
	"github.com/faultline/faultline/lab/snmpsim"
)

// Options configure a lab.
type Options struct {
	// Latency is added to every answer; Jitter spreads the BMCs' by up to ±Jitter.
	Latency, Jitter time.Duration
	// Legacy serves the BMCs' trees in the legacy schema (Power, Thermal)
	// instead of the modern one (PowerSubsystem, ThermalSubsystem).
	Legacy bool
	// Mockups serves a Redfish mockup tree from disk (a directory laid out
	// as DMTF's mockups: index.json per resource) for the device ids
	// given, instead of a tree generated from the inventory. Such BMCs
	// accept any credentials and only protocol faults.
	Mockups map[string]string
	// CA signs the simulated BMCs' certificates; nil makes one in memory.
	// (redfishsim.LoadOrCreateCA keeps one on disk for a separate
	// collector process to trust.)
	CA     *redfishsim.CA
	Logger *slog.Logger
}

// Lab is a running set of simulated devices.
type Lab struct {
	snmp    *snmpsim.Fleet
	redfish *redfishsim.Fleet
	ca      *redfishsim.CA
	devices []Device
	proto   map[string][]string // device -> protocols simulating it
}

// Device is one simulated device.
type Device struct {
	ID       string `json:"id"`
	Protocol string `json:"protocol"`
	Address  string `json:"address"`
}

// Fault is a fault to inject into one device: a kind its simulator knows
// (FaultKinds), the part it applies to, and an optional value (a new LLDP
// neighbour's name; an inlet temperature in °C).
type Fault struct {
	Kind  string `json:"fault"`
	Part  string `json:"part,omitempty"`
	Value string `json:"value,omitempty"`
}

// Start starts a simulator for every managed entry of inv. Addresses must
// be loopback. On error nothing is left running.
func Start(inv *inventory.Inventory, opts Options) (*Lab, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &Lab{proto: map[string][]string{}, ca: opts.CA}
	if l.ca == nil {
		ca, err := redfishsim.NewCA()
		if err != nil {
			return nil, fmt.Errorf("lab: %w", err)
		}
		l.ca = ca
	}
	sf, err := snmpsim.StartFleet(inv, inv.Dir(), snmpsim.FleetOptions{Latency: opts.Latency, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	l.snmp = sf
	rf, err := startBMCs(inv, l.ca, opts, log)
	if err != nil {
		sf.Close()
		return nil, fmt.Errorf("lab: %w", err)
	}
	l.redfish = rf
	for _, id := range sf.IDs() {
		l.devices = append(l.devices, Device{ID: id, Protocol: "snmp", Address: sf.Agent(id).Addr()})
		l.proto[id] = append(l.proto[id], "snmp")
	}
	for _, id := range rf.IDs() {
		l.devices = append(l.devices, Device{ID: id, Protocol: "redfish", Address: rf.URL(id)})
		l.proto[id] = append(l.proto[id], "redfish")
	}
	sort.Slice(l.devices, func(i, j int) bool { return l.devices[i].ID < l.devices[j].ID })
	return l, nil
}

// Devices lists the simulated devices.
func (l *Lab) Devices() []Device { return slices.Clone(l.devices) }

// RootCAs is the pool a Redfish collector must trust to poll the lab's BMCs.
func (l *Lab) RootCAs() *x509.CertPool { return l.ca.Pool() }

// FaultKinds lists the faults a protocol's simulator accepts.
func FaultKinds(protocol string) []string {
	switch protocol {
	case "snmp":
		return slices.Clone(snmpsim.FaultKinds)
	case "redfish":
		return redfishsim.Faults()
	}
	return nil
}

// protocolFor picks the simulator of device id that knows the fault.
func (l *Lab) protocolFor(id, kind string) (string, error) {
	protos := l.proto[id]
	if len(protos) == 0 {
		return "", fmt.Errorf("lab: no simulated device %q", id)
	}
	for _, p := range protos {
		if slices.Contains(FaultKinds(p), kind) {
			return p, nil
		}
	}
	return "", fmt.Errorf("lab: %s (%s) does not know fault %q: use one of %v", id, protos[0], kind, FaultKinds(protos[0]))
}

// Inject applies a fault to device id.
func (l *Lab) Inject(id string, f Fault) error {
	p, err := l.protocolFor(id, f.Kind)
	if err != nil {
		return err
	}
	if p == "snmp" {
		return l.snmp.Inject(id, snmpsim.Fault{Kind: f.Kind, Part: f.Part, Value: f.Value})
	}
	if f.Kind == redfishsim.HotInlet && f.Value == "" {
		if _, err := strconv.ParseFloat(f.Part, 64); err == nil {
			f.Value, f.Part = f.Part, "" // "hot-inlet 35": the temperature
		}
	}
	rf := redfishsim.Fault{Fault: f.Kind, Part: f.Part}
	if f.Value != "" {
		v, err := strconv.ParseFloat(f.Value, 64)
		if err != nil {
			return fmt.Errorf("lab: %s: value %q is not a number", f.Kind, f.Value)
		}
		rf.Value = v
	}
	return l.redfish.Inject(id, rf)
}

// Clear removes every fault from device id.
func (l *Lab) Clear(id string) error {
	protos := l.proto[id]
	if len(protos) == 0 {
		return fmt.Errorf("lab: no simulated device %q", id)
	}
	var errs []error
	for _, p := range protos {
		if p == "snmp" {
			l.snmp.Agent(id).Clear()
		} else {
			errs = append(errs, l.redfish.Clear(id, "", ""))
		}
	}
	return errors.Join(errs...)
}

// Handler is the admin API:
//
//	GET    /devices              the simulated devices and their faults' names
//	POST   /devices/{id}/faults  {"fault": "psu-fail", "part": "PSU2"}
//	DELETE /devices/{id}/faults  clear them
func (l *Lab) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /devices", func(w http.ResponseWriter, r *http.Request) {
		type dev struct {
			Device
			Faults []string `json:"faults"`
		}
		var out []dev
		for _, d := range l.devices {
			out = append(out, dev{d, FaultKinds(d.Protocol)})
		}
		writeJSON(w, http.StatusOK, out)
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
	return mux
}

// Close stops every simulator.
func (l *Lab) Close() error {
	var errs []error
	if l.snmp != nil {
		errs = append(errs, l.snmp.Close())
	}
	if l.redfish != nil {
		errs = append(errs, l.redfish.Close())
	}
	return errors.Join(errs...)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// startBMCs starts a simulated BMC for every device with Redfish
// management, on its endpoint's address: a tree generated from the
// inventory, or a mockup from disk where opts.Mockups names one.
func startBMCs(inv *inventory.Inventory, ca *redfishsim.CA, opts Options, log *slog.Logger) (*redfishsim.Fleet, error) {
	so := redfishsim.Options{Latency: opts.Latency, Jitter: opts.Jitter, Logger: log, Schema: redfishsim.Modern}
	if opts.Legacy {
		so.Schema = redfishsim.Legacy
	}
	f, err := redfishsim.NewFleet(ca, log)
	if err != nil {
		return nil, err
	}
	for id := range opts.Mockups {
		if d := inv.Device(id); d == nil || d.Management == nil || d.Management.Redfish == nil {
			f.Close()
			return nil, fmt.Errorf("mockup for %q: no device with redfish management has that id", id)
		}
	}
	for _, d := range inv.ManagedTargets() { // devices and power nodes (PDUs)
		if d.Management.Redfish == nil {
			continue
		}
		u, err := url.Parse(d.Management.Redfish.Endpoint)
		if err != nil || u.Host == "" {
			f.Close()
			return nil, fmt.Errorf("%s: bad endpoint %q", d.ID, d.Management.Redfish.Endpoint)
		}
		addr := u.Host
		if u.Port() == "" {
			addr = net.JoinHostPort(u.Hostname(), map[string]string{"https": "443", "http": "80"}[u.Scheme])
		}
		var sim *redfishsim.Sim
		o := so
		o.ID = d.ID
		if dir, ok := opts.Mockups[d.ID]; ok {
			sim, err = redfishsim.FromMockup(dir, o)
		} else {
			sim, err = redfishsim.FromInventory(inv, d.ID, o)
		}
		if err == nil {
			if u.Scheme == "http" {
				_, err = f.StartPlain(sim, addr)
			} else {
				_, err = f.Start(sim, addr)
			}
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", d.ID, err)
		}
	}
	return f, nil
}
