// Package soak holds the soak benchmark (make soak): faultline serve
// against a lab of 2,000 simulated devices for SOAK_DURATION (30 minutes by
// default), with faults injected and cleared, scraped and queried
// throughout, its resources and latency recorded at intervals. It has no
// code outside its test; see docs/performance.md.
package soak
