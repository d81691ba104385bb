// Package redfishsim simulates Redfish BMCs: the test fixture, the demo and
// the benchmark target of collector/redfish.
//
// A Sim serves one BMC's tree, either generated from an inventory device
// (FromDevice: its PSUs, volumes and drives, one NIC per cabled port with
// LLDP, fans and an inlet sensor, in the modern or the legacy schema) or
// read from a mockup directory (FromMockup: DMTF and vendor captures). It
// implements basic authentication and sessions (with iDRAC's limit of 8),
// $expand and $select (each switchable, including the broken ways real
// BMCs implement them), ETags with If-None-Match, latency with jitter, and
// fault injection — from Go (Inject) or over a JSON admin API
// (AdminHandler): failed, removed or unpowered PSUs, failed or failing
// drives, degraded volumes, links down, failed fans, a hot inlet, a host
// reset, and protocol faults (500, 401, 503, a hang, truncated or invalid
// JSON, a body that never ends).
//
// A Fleet runs many Sims in one process with TLS from an in-memory lab CA
// (CA.Pool for the collector to trust), one loopback listener per BMC.
// StartInventory starts a BMC for every redfish-managed device of an
// inventory on its endpoint's address:
//
//	fleet, err := redfishsim.StartInventory(inv, nil, redfishsim.Options{})
//	defer fleet.Close()
//	poller := redfish.New(redfish.Options{RootCAs: fleet.CA().Pool()})
//	_ = fleet.Inject("db-1", redfishsim.Fault{Fault: redfishsim.PSUFail, Part: "PSU2"})
package redfishsim
