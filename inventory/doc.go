// Package inventory reads and validates the declared state of an estate:
// sites, racks, the power chain, devices with their PSUs, storage and
// management, cables, network roots and services (format v1, see
// docs/inventory.md).
//
// Loading is strict and exhaustive: unknown keys, wrong types, bad enums,
// duplicate keys, duplicate ids, dangling references, cycles and impossible
// counts are all reported in one run, each as FILE:LINE:COL with a hint
// where one is obvious. Secrets stay references (${env:NAME},
// ${file:PATH}) until a collector resolves them at use.
package inventory
