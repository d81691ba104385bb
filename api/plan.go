package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/plan"
)

// planRequest has the fields of `faultline plan`'s flags.
type planRequest struct {
	// Maintain are selectors (each may itself be comma-separated).
	Maintain       []string `json:"maintain"`
	KeepRedundancy bool     `json:"keep_redundancy"`
	MaxBatch       int      `json:"max_batch"`
	// Window, when set, asks for each batch's risk during a window of
	// that length ("4h", "90m", "2d"; 1m to 744h).
	Window string `json:"window"`
}

// plan is POST /api/v1/plan (JSON body, with the token) and GET
// /api/v1/plan?maintain=… (read-only, no token: a plan changes nothing): a
// maintenance plan on the live state (the observed failures of the
// current snapshot are down in every batch). One handler serves both, so
// that they answer the same; a plan over the budget is refused before any
// work, and one admitted runs under the work pool and stops at the
// deadline or when the client goes away.
func (s *Server) plan(c *gin.Context) {
	var req planRequest
	if c.Request.Method == http.MethodPost {
		if !s.readBody(c, &req) {
			return
		}
	} else if !planQuery(c, &req) {
		return
	}
	sels, err := plan.CheckRequest(req.Maintain, req.MaxBatch)
	switch {
	case errors.Is(err, plan.ErrNoSelectors):
		jsonError(c, http.StatusBadRequest, `name what to maintain: {"maintain": ["tor-*"]}`)
		return
	case errors.Is(err, plan.ErrNegativeMaxBatch):
		jsonError(c, http.StatusBadRequest, "max_batch must be positive, or 0 for no limit")
		return
	case err != nil:
		jsonError(c, http.StatusBadRequest, err.Error())
		return
	}
	var window time.Duration
	if req.Window != "" {
		if window, err = audit.ParseWindow(req.Window); err != nil {
			jsonError(c, http.StatusBadRequest, err.Error())
			return
		}
	}
	snap := s.eng.Snapshot()
	if snap == nil || snap.Analysis == nil {
		jsonError(c, http.StatusServiceUnavailable, "not ready: no audit yet")
		return
	}
	g := snap.Analysis.G
	sel, err := plan.Select(g, sels)
	if err != nil {
		var serr *plan.SelectorError
		if errors.As(err, &serr) {
			jsonError(c, http.StatusUnprocessableEntity, err.Error())
			return
		}
		jsonError(c, http.StatusInternalServerError, "planning failed")
		return
	}
	if msg := s.overBudget(len(sel), req.KeepRedundancy); msg != "" {
		s.pool.outcomes.WithLabelValues("plan", "budget").Inc()
		jsonError(c, http.StatusUnprocessableEntity, msg)
		return
	}
	s.work(c, "plan", func(ctx context.Context) error {
		p, err := plan.MaintenanceContext(ctx, g, snap.Analysis, sels, plan.Options{KeepRedundancy: req.KeepRedundancy, MaxBatch: req.MaxBatch})
		if err != nil {
			return err
		}
		doc := plan.Document{Plan: p}
		if window > 0 {
			if doc.Window, err = snap.Analysis.PlanRisk(ctx, p.BatchComponents(), window); err != nil {
				return err
			}
		}
		c.JSON(http.StatusOK, doc)
		return nil
	})
}

// overBudget says why a plan of n selected components is over the plan
// budget, or "" when it is within it.
func (s *Server) overBudget(n int, keep bool) string {
	budget := s.pool.limits.PlanBudget
	cost, how := n, " (a unit a component)"
	if keep {
		cost = n * KeepRedundancyCost
		how = fmt.Sprintf(" with keep_redundancy (%d units a component)", KeepRedundancyCost)
	}
	if cost <= budget {
		return ""
	}
	msg := fmt.Sprintf("plan too large: the selectors match %d components, %d units of work%s, over the budget of %d (serve --plan-budget): plan a part at a time (e.g. one site or row of racks)", n, cost, how, budget)
	if keep && n <= budget {
		msg += ", or without keep_redundancy"
	}
	return msg
}

// planQuery reads GET /api/v1/plan's query: maintain (repeated or
// comma-separated), keep_redundancy (a boolean), max_batch (a number) and
// window (a duration), the names of the POST body's fields.
func planQuery(c *gin.Context, req *planRequest) bool {
	q, ok := readQuery(c, "maintain", "keep_redundancy", "max_batch", "window")
	if !ok {
		return false
	}
	req.Maintain, req.Window = q["maintain"], q.Get("window")
	if v := q.Get("keep_redundancy"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			jsonError(c, http.StatusBadRequest, "keep_redundancy must be true or false, not "+strconv.Quote(v))
			return false
		}
		req.KeepRedundancy = b
	}
	if v := q.Get("max_batch"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			jsonError(c, http.StatusBadRequest, "max_batch must be a whole number, not "+strconv.Quote(v))
			return false
		}
		req.MaxBatch = n
	}
	return true
}
