package inventory

// ParseSerial is the load as one node tree of the whole file, for the
// benchmarks of the external test package to hold the chunked load to.
var ParseSerial = parseSerial
