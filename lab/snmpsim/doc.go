// Package snmpsim is an SNMP agent simulator for tests, benchmarks and
// `faultline lab`: it answers Get, GetNext and GetBulk over UDP on a
// loopback address from an OID table — read from an snmprec recording or
// generated from an inventory device — in SNMPv2c and SNMPv3 (USM), with
// injected latency, loss and faults (a failed PSU, a port down, a changed
// neighbour, a reboot; and for tests: no answer, malformed packets, a table
// that never ends, OIDs out of order, wrong value types; and hostile
// agents: every table endless, OIDs that repeat, tooBig for everything,
// huge strings, the request's secrets echoed back, and ManyEntities for a
// chassis of thousands of parts).
//
// Agents are cheap: one socket and one goroutine each, tables shared and
// immutable, so thousands run in one process.
package snmpsim
