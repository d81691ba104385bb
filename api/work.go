package api

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

// WorkLimits bound the expensive endpoints (POST plan, whatif, collect and
// inventory/reload): at most Workers run at once, at most Queue more wait
// for a worker, and each has Deadline from its arrival — the wait in the
// queue included — to answer. Zero fields take the defaults
// (DefaultWorkLimits).
type WorkLimits struct {
	Workers int
	Queue   int
	// Deadline ends a request's work (the planner and the audit check
	// their context); keep it below the HTTP server's write timeout, or
	// the answer is lost.
	Deadline time.Duration
	// PlanBudget caps a plan's cost, refused up front when over it: a
	// plan costs one unit per selected component, KeepRedundancyCost
	// units each with keep_redundancy.
	PlanBudget int
}

// KeepRedundancyCost is what one selected component costs a plan with
// keep_redundancy, in units of a plain plan's component: measured at
// 1.4× (10,000-component fleet) to 2.3× (30,000) the CPU time of a plain
// plan of the same selection, and growing with the fleet.
const KeepRedundancyCost = 3

// DefaultWorkLimits: half the cores (at least one) for expensive work, so
// that the GETs, the metrics and the collection keep a core; 8 waiting; a
// 30 s deadline, under faultline serve's 60 s write timeout; and a plan
// budget of 10,000 units (a plain plan of 10,000 selected components is
// 10–20 s of CPU on a 30,000-component fleet on the 2-core machine the
// figures in docs/api.md come from).
func DefaultWorkLimits() WorkLimits {
	return WorkLimits{Workers: max(1, runtime.NumCPU()/2), Queue: 8, Deadline: 30 * time.Second, PlanBudget: 10_000}
}

func (l WorkLimits) withDefaults() WorkLimits {
	d := DefaultWorkLimits()
	if l.Workers <= 0 {
		l.Workers = d.Workers
	}
	if l.Queue <= 0 {
		l.Queue = d.Queue
	}
	if l.Deadline <= 0 {
		l.Deadline = d.Deadline
	}
	if l.PlanBudget <= 0 {
		l.PlanBudget = d.PlanBudget
	}
	return l
}

// pool admits expensive work: a slot per worker, a bounded wait for one.
type pool struct {
	limits  WorkLimits
	slots   chan struct{}
	queued  atomic.Int64
	running atomic.Int64
	// outcomes counts requests by endpoint and outcome: done, busy,
	// deadline, gone (the client went away) or budget.
	outcomes *prometheus.CounterVec
}

var errBusy = errors.New("busy")

func newPool(l WorkLimits, reg *prometheus.Registry) *pool {
	l = l.withDefaults()
	p := &pool{limits: l, slots: make(chan struct{}, l.Workers),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "faultline_api_work_requests_total",
			Help: "Expensive API requests (plan, whatif, collect, reload) by outcome: done, busy (refused: every worker busy and the queue full), deadline (stopped at the deadline), gone (stopped: the client went away), budget (refused up front: over the plan budget).",
		}, []string{"endpoint", "outcome"})}
	reg.MustRegister(p.outcomes,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "faultline_api_work_running", Help: "Expensive API requests running now."},
			func() float64 { return float64(p.running.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "faultline_api_work_queued", Help: "Expensive API requests waiting for a worker."},
			func() float64 { return float64(p.queued.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "faultline_api_work_workers", Help: "Expensive API requests allowed to run at once (serve --work-workers)."},
			func() float64 { return float64(l.Workers) }))
	return p
}

// acquire takes a worker slot, waiting in the queue while there is room
// in it; errBusy when there is none, ctx's error when it ends first.
func (p *pool) acquire(ctx context.Context) error {
	select {
	case p.slots <- struct{}{}:
		return nil
	default:
	}
	if p.queued.Add(1) > int64(p.limits.Queue) {
		p.queued.Add(-1)
		return errBusy
	}
	defer p.queued.Add(-1)
	select {
	case p.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *pool) release() { <-p.slots }

// retryAfter is the Retry-After of a busy answer: by then every request
// running now has answered or been stopped.
func (p *pool) retryAfter() string {
	return strconv.Itoa(int(math.Ceil(p.limits.Deadline.Seconds())))
}

// work runs fn for an expensive endpoint under the pool: refused at once
// with 503 and Retry-After when every worker is busy and the queue is
// full; stopped at the deadline (503, saying so) or when the client goes
// away (nothing is written: nobody is there to read it). fn's context is
// the request's with the deadline; fn answers c itself, and returns its
// context's error when it stopped because of it.
func (s *Server) work(c *gin.Context, endpoint string, fn func(ctx context.Context) error) {
	p := s.pool
	ctx, cancel := context.WithTimeout(c.Request.Context(), p.limits.Deadline)
	defer cancel()
	outcome := "done"
	defer func() { p.outcomes.WithLabelValues(endpoint, outcome).Inc() }()
	if err := p.acquire(ctx); err != nil {
		outcome = s.stopped(c, endpoint, ctx, err, "waiting for a worker")
		return
	}
	p.running.Add(1)
	defer func() {
		p.running.Add(-1)
		p.release()
	}()
	if err := fn(ctx); err != nil {
		outcome = s.stopped(c, endpoint, ctx, err, "working")
	}
}

// stopped answers a request that could not run or finish, and names the
// outcome.
func (s *Server) stopped(c *gin.Context, endpoint string, ctx context.Context, err error, while string) string {
	p := s.pool
	switch {
	case errors.Is(err, errBusy):
		c.Header("Retry-After", p.retryAfter())
		jsonError(c, http.StatusServiceUnavailable, fmt.Sprintf("busy: %d expensive requests running and %d waiting (serve --work-workers %d --work-queue %d); retry after %s s",
			p.limits.Workers, p.limits.Queue, p.limits.Workers, p.limits.Queue, p.retryAfter()))
		return "busy"
	case errors.Is(err, context.DeadlineExceeded) && errors.Is(ctx.Err(), context.DeadlineExceeded):
		jsonError(c, http.StatusServiceUnavailable, fmt.Sprintf("%s stopped at the %s deadline while %s (serve --work-deadline): ask for less (fewer selectors, no keep_redundancy) or retry when the server is less busy",
			endpoint, p.limits.Deadline, while))
		return "deadline"
	case c.Request.Context().Err() != nil:
		s.log.Debug("client went away: work stopped", "endpoint", endpoint, "while", while)
		c.Abort()
		return "gone"
	}
	s.log.Error("expensive request failed", "endpoint", endpoint, "error", err)
	if !c.Writer.Written() {
		jsonError(c, http.StatusInternalServerError, endpoint+" failed")
	}
	return "failed"
}
