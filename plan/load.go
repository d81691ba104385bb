package plan

import (
	"slices"

	"github.com/faultline/faultline/fault"
)

// planLoad computes loads with a batch's power components failed on top
// of the state now (fault.Flow), from the effects the planner computed:
// the power nodes and PSUs each member can reach.
type planLoad struct {
	flow       *fault.Flow
	now        []float64 // power node -> load now
	pows, psus []int32
}

func newPlanLoad(l *fault.Load) *planLoad {
	return &planLoad{flow: l.NewFlow(), now: l.Watts}
}

// eval fails comps (power components, with their effects) and computes
// the loads. load and alive then answer for any node.
func (pl *planLoad) eval(comps []int32, effs []*fault.Reach) {
	pl.pows, pl.psus = pl.pows[:0], pl.psus[:0]
	for _, ef := range effs {
		pl.pows = append(pl.pows, ef.Nodes...)
		pl.psus = append(pl.psus, ef.PSUs...)
	}
	sortCompact(&pl.pows)
	pl.flow.Fail(comps, pl.pows, pl.psus)
}

// load is a node's load after the last eval.
func (pl *planLoad) load(n int32) float64 { return pl.flow.Watts(n) }

// alive says whether a node is up after the last eval.
func (pl *planLoad) alive(n int32) bool { return pl.flow.Alive(n) }

// over reports whether node n is pushed over the limit after the last eval.
func (pl *planLoad) over(n int32, limit float64) bool { return pl.flow.Over(n, limit) }

func sortCompact(s *[]int32) {
	slices.Sort(*s)
	*s = slices.Compact(*s)
}
