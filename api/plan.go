package api

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/faultline/faultline/audit"
)

// planRequest has the fields of `faultline plan`'s flags.
type planRequest struct {
	// Maintain are selectors (each may itself be comma-separated).
	Maintain       []string `json:"maintain"`
	KeepRedundancy bool     `json:"keep_redundancy"`
	MaxBatch       int      `json:"max_batch"`
}

// plan is POST /api/v1/plan: a maintenance plan on the live state (the
// observed failures of the current snapshot are down in every batch).
func (s *Server) plan(c *gin.Context) {
	var req planRequest
	if !s.readBody(c, &req) {
		return
	}
	sels, err := audit.CheckPlanRequest(req.Maintain, req.MaxBatch)
	switch {
	case errors.Is(err, audit.ErrNoSelectors):
		jsonError(c, http.StatusBadRequest, `name what to maintain: {"maintain": ["tor-*"]}`)
		return
	case errors.Is(err, audit.ErrNegativeMaxBatch):
		jsonError(c, http.StatusBadRequest, "max_batch must be positive, or 0 for no limit")
		return
	case err != nil:
		jsonError(c, http.StatusBadRequest, err.Error())
		return
	}
	snap := s.eng.Snapshot()
	if snap == nil || snap.Analysis == nil {
		jsonError(c, http.StatusServiceUnavailable, "not ready: no audit yet")
		return
	}
	p, err := audit.PlanMaintenance(snap.Analysis.G, snap.Analysis, sels, audit.PlanOptions{KeepRedundancy: req.KeepRedundancy, MaxBatch: req.MaxBatch})
	if err != nil {
		var serr *audit.SelectorError
		if errors.As(err, &serr) {
			jsonError(c, http.StatusUnprocessableEntity, err.Error())
			return
		}
		jsonError(c, http.StatusInternalServerError, "planning failed")
		return
	}
	c.JSON(http.StatusOK, p)
}
