package plan

import "github.com/faultline/faultline/audit"

// Document is the plan's JSON document: the plan, and with a window
// (plan --window, the API's window) the risk of each of its batches
// during it, beside the plan's own fields, which stay as they are.
type Document struct {
	*Plan
	Window *audit.PlanWindow `json:"window,omitempty"`
}

// BatchComponents are the components of each batch, in the plan's order:
// what audit's PlanRisk takes.
func (p *Plan) BatchComponents() [][]string {
	out := make([][]string, len(p.Batches))
	for i, b := range p.Batches {
		out[i] = b.Components
	}
	return out
}
