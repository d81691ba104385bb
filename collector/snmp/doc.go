// Package snmp polls switches, PDUs and UPSes over SNMP (v2c, and v3 with
// authentication and privacy) through gosnmp behind a narrow client of its
// own: GetBulk walks that learn each agent's response limit, the standard
// MIBs (system, IF-MIB, LLDP-MIB, ENTITY-MIB, ENTITY-STATE-MIB,
// ENTITY-SENSOR-MIB, UPS-MIB) and the vendors' power-supply, PDU and UPS
// tables, one file per MIB. Every poll runs within a budget of requests,
// variables, bytes and time, enforced while it walks; what an agent says
// is untrusted text, scrubbed before it reaches an observation.
package snmp
