package audit

import "github.com/faultline/faultline/model"

// failedOverlay is an overlay failing each id for its reason.
func failedOverlay(failed map[string]string) *model.Overlay {
	ov := &model.Overlay{Failed: map[string]model.Failure{}}
	for id, why := range failed {
		ov.Failed[id] = model.Failure{Why: why}
	}
	return ov
}
