package snmp

import (
	"context"
	"fmt"
)

// Client is everything the collector asks of one device's agent: the
// narrow seam over gosnmp. Each call is one request and its answer (the
// client may resend within ctx's deadline); walks, caps and decoding live
// above it, in this package.
type Client interface {
	// Get reads the named instances.
	Get(ctx context.Context, oids []OID) ([]Var, error)
	// GetBulk asks for the successors of oids: the first nonRepeaters once,
	// the rest up to maxRepetitions times each (RFC 3416 GetBulkRequest).
	GetBulk(ctx context.Context, nonRepeaters, maxRepetitions int, oids []OID) ([]Var, error)
	// Requests is the number of request packets sent so far (retries and
	// SNMPv3 engine discovery included).
	Requests() int
	// Close releases the socket.
	Close() error
}

// Error-status values the walker acts on.
const (
	statusTooBig = 1
	statusGenErr = 5
)

// ErrorStatus is an SNMP error-status other than noError in a response.
type ErrorStatus struct {
	Status int
	Index  int
}

var errorStatusNames = [...]string{"noError", "tooBig", "noSuchName", "badValue", "readOnly", "genErr",
	"noAccess", "wrongType", "wrongLength", "wrongEncoding", "wrongValue", "noCreation",
	"inconsistentValue", "resourceUnavailable", "commitFailed", "undoFailed", "authorizationError",
	"notWritable", "inconsistentName"}

func (e *ErrorStatus) Error() string {
	name := fmt.Sprintf("error-status %d", e.Status)
	if e.Status >= 0 && e.Status < len(errorStatusNames) {
		name = errorStatusNames[e.Status]
	}
	return fmt.Sprintf("agent answered %s (error-index %d)", name, e.Index)
}
