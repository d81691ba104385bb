package oracle

import "github.com/faultline/faultline/model"

// Overlay is an observed state failing each id for its reason, for
// model.Build.
func Overlay(failed map[string]string) *model.Overlay {
	ov := &model.Overlay{Failed: map[string]model.Failure{}}
	for id, why := range failed {
		ov.Failed[id] = model.Failure{Why: why}
	}
	return ov
}
