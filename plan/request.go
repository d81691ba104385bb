package plan

import (
	"errors"
	"fmt"
)

// MaxSelectors bounds the selectors of one plan request.
const MaxSelectors = 1000

// The ways a plan request can be malformed (CheckRequest); each
// front end words them for its medium (a flag, a JSON field).
var (
	ErrNoSelectors      = errors.New("name what to maintain")
	ErrTooManySelectors = fmt.Errorf("at most %d selectors at once", MaxSelectors)
	ErrNegativeMaxBatch = errors.New("the batch cap must be positive, or 0 for no limit")
)

// CheckRequest is the one validation of a plan request, from the
// command line or the API: maintain are its selectors (each may itself be
// comma-separated), returned split; maxBatch is its batch cap.
func CheckRequest(maintain []string, maxBatch int) ([]string, error) {
	sels := SplitSelectors(maintain...)
	switch {
	case len(sels) == 0:
		return nil, ErrNoSelectors
	case len(sels) > MaxSelectors:
		return nil, ErrTooManySelectors
	case maxBatch < 0:
		return nil, ErrNegativeMaxBatch
	}
	return sels, nil
}
