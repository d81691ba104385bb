package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/faultline/faultline/api"
)

// serveWriteTimeout is the HTTP server's write timeout: an answer later
// than this is lost, so the work deadline must end before it.
const serveWriteTimeout = 60 * time.Second

// workFlags bound serve's expensive endpoints (POST plan, whatif,
// collect, inventory/reload).
type workFlags struct{ l api.WorkLimits }

func (w *workFlags) add(fs *flag.FlagSet) {
	d := api.DefaultWorkLimits()
	fs.IntVar(&w.l.Workers, "work-workers", d.Workers, "expensive API requests (plan, whatif, collect, reload) run at once")
	fs.IntVar(&w.l.Queue, "work-queue", d.Queue, "expensive API requests that wait for a worker; more are refused 503 with Retry-After")
	fs.DurationVar(&w.l.Deadline, "work-deadline", d.Deadline, "deadline of an expensive API request, its wait included; the work stops then (503)")
	fs.IntVar(&w.l.PlanBudget, "plan-budget", d.PlanBudget, fmt.Sprintf("POST /api/v1/plan: largest selection planned, in components (%d units each with keep_redundancy)", api.KeepRedundancyCost))
}

// limits checks the flags.
func (w *workFlags) limits() (api.WorkLimits, error) {
	switch {
	case w.l.Workers < 1:
		return w.l, fmt.Errorf("--work-workers %d: at least 1", w.l.Workers)
	case w.l.Queue < 1:
		return w.l, fmt.Errorf("--work-queue %d: at least 1", w.l.Queue)
	case w.l.Deadline <= 0 || w.l.Deadline >= serveWriteTimeout:
		return w.l, fmt.Errorf("--work-deadline %s: above 0 and below the server's %s write timeout, or the answer is lost", w.l.Deadline, serveWriteTimeout)
	case w.l.PlanBudget < 1:
		return w.l, fmt.Errorf("--plan-budget %d: at least 1", w.l.PlanBudget)
	}
	return w.l, nil
}
