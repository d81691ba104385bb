package snmpsim

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/faultline/faultline/inventory"
)

// FleetOptions configure StartFleet.
type FleetOptions struct {
	// Latency and Loss apply to every agent.
	Latency time.Duration
	Loss    float64
	Gen     GenOptions
	Logger  *slog.Logger
}

// Fleet is one agent per SNMP-managed entry of an inventory, each on the
// address its management.snmp names (which must be loopback).
type Fleet struct {
	agents map[string]*Agent
	order  []string
}

// StartFleet generates a table for every device and power node with
// management.snmp and starts its agent on its address, answering with the
// inventory's credentials (community, or the SNMPv3 user), secrets
// resolved against dir. On error, agents already started are stopped.
func StartFleet(inv *inventory.Inventory, dir string, opts FleetOptions) (*Fleet, error) {
	f := &Fleet{agents: map[string]*Agent{}}
	for _, m := range inv.ManagedTargets() {
		if m.Management == nil || m.Management.SNMP == nil {
			continue
		}
		if err := f.start(inv, dir, m.ID, m.Management.SNMP, opts); err != nil {
			f.Close()
			return nil, err
		}
	}
	return f, nil
}

func (f *Fleet) start(inv *inventory.Inventory, dir, id string, s *inventory.SNMP, opts FleetOptions) error {
	table, err := FromInventory(inv, id, opts.Gen)
	if err != nil {
		return err
	}
	ao := Options{Latency: opts.Latency, Loss: opts.Loss, LiveUptime: true, Logger: opts.Logger}
	if s.SNMPVersion() == "3" {
		u := User{Name: s.Username, Auth: s.AuthProtocol, Priv: s.PrivProtocol}
		if u.Auth != "" {
			if u.AuthPass, err = s.AuthPassword.Resolve(dir); err != nil {
				return fmt.Errorf("snmpsim: %s: auth password: %w", id, err)
			}
		}
		if u.Priv != "" {
			if u.PrivPass, err = s.PrivPassword.Resolve(dir); err != nil {
				return fmt.Errorf("snmpsim: %s: priv password: %w", id, err)
			}
		}
		ao.Users = []User{u}
	} else if ao.Community, err = s.Community.Resolve(dir); err != nil {
		return fmt.Errorf("snmpsim: %s: community: %w", id, err)
	}
	addr := s.Address
	if _, err := netip.ParseAddrPort(addr); err != nil {
		addr += ":161"
	}
	a := New(table, ao)
	if err := a.Listen(addr); err != nil {
		return fmt.Errorf("snmpsim: %s: %w", id, err)
	}
	f.agents[id] = a
	f.order = append(f.order, id)
	return nil
}

// IDs lists the simulated entries in inventory order.
func (f *Fleet) IDs() []string { return append([]string(nil), f.order...) }

// Agent returns the agent of entry id, or nil.
func (f *Fleet) Agent(id string) *Agent { return f.agents[id] }

// Inject applies a fault to the agent of entry id.
func (f *Fleet) Inject(id string, fault Fault) error {
	a := f.agents[id]
	if a == nil {
		return fmt.Errorf("snmpsim: no simulated device %q", id)
	}
	return a.Inject(fault)
}

// Handler serves every agent's AdminHandler under /devices/{id}/, and
// GET /devices lists the simulated ids with their addresses.
func (f *Fleet) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /devices", func(w http.ResponseWriter, r *http.Request) {
		out := make(map[string]string, len(f.agents))
		for id, a := range f.agents {
			out[id] = a.Addr()
		}
		writeJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("/devices/{id}/", func(w http.ResponseWriter, r *http.Request) {
		a := f.agents[r.PathValue("id")]
		if a == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no simulated device " + r.PathValue("id")})
			return
		}
		http.StripPrefix(strings.TrimSuffix("/devices/"+r.PathValue("id")+"/", "/"), a.AdminHandler()).ServeHTTP(w, r)
	})
	return mux
}

// Close stops every agent.
func (f *Fleet) Close() error {
	var errs []error
	for _, a := range f.agents {
		errs = append(errs, a.Close())
	}
	return errors.Join(errs...)
}
