// Package redfish collects servers' hardware state from their BMCs over
// Redfish: power supplies (PowerSubsystem or legacy Power) with their line
// input, capacity, draw, predicted failures and the PDU outlet they report
// (Links.Outlet), power redundancy groups and consumed power; storage
// controllers, volumes (RAID level normalized, member drives) and drives;
// host Ethernet interfaces with link state and LLDP neighbours; fans,
// temperatures and the inlet temperature; and identity, power state and
// uptime. A power node (a PDU, a transfer switch) is read from its
// PowerEquipment instead (pdu.go): mains, branch circuits with their
// breakers, outlets and the total load. Each poll yields one
// observation.Device.
//
// A Poller (New) implements collector.Poller. It behaves as a BMC owner
// expects: TLS verified (an inventory entry's `ca` file, Options.RootCAs,
// or the system roots; `insecure: true` only when asked, and then said in
// the observation and the log); basic authentication, or a session with
// `auth: session` that is always deleted, even after a timeout; the
// caller's deadline on every request; at most Options.PerDevice requests
// in flight per BMC and Options.MaxInFlight overall; one keep-alive
// connection per BMC per poll; retries with backoff only for reads and
// only within the deadline; a bounded response size; no redirects to other
// hosts and no writes.
//
// It is built to cost a BMC little. The first poll reads the service root
// and the collections; later ones go straight to the remembered system,
// chassis and manager. Where the BMC advertises $expand and $select, the
// system and the chassis are each read in one request; where it has only
// $expand, each collection is; a BMC that rejects, ignores or crawls on
// either is noticed and walked instead (and tried again after
// Options.Reprobe). Every representation with an ETag is revalidated with
// If-None-Match, so an unchanged server answers 304s. In steady state a
// server costs three requests where a plain walk costs about forty
// (docs/redfish.md has the measurements).
//
// The one place Redfish statuses are interpreted is Condition; RAID levels
// are normalized by RAID; vendor quirks live in quirks.go.
package redfish
