package oracle

import (
	"slices"

	"github.com/google/go-cmp/cmp"
)

// CmpEmpty makes cmp.Diff treat a nil and an empty list of ids alike
// (the oracle and the code under test differ in which they build).
var CmpEmpty = cmp.Transformer("nilEmpty", func(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
})
