package main

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/api"
)

// TestWorkFlags: the work pool's flags are checked before serve starts,
// each error naming the flag and what it takes.
func TestWorkFlags(t *testing.T) {
	ok := api.WorkLimits{Workers: 2, Queue: 8, Deadline: 30 * time.Second, PlanBudget: 10_000}
	tests := []struct {
		name string
		edit func(*api.WorkLimits)
		want string
	}{
		{"defaults", func(*api.WorkLimits) {}, ""},
		{"no workers", func(l *api.WorkLimits) { l.Workers = 0 }, "--work-workers 0: at least 1"},
		{"no queue", func(l *api.WorkLimits) { l.Queue = 0 }, "--work-queue 0: at least 1"},
		{"deadline past the write timeout", func(l *api.WorkLimits) { l.Deadline = time.Minute }, "below the server's 1m0s write timeout"},
		{"no budget", func(l *api.WorkLimits) { l.PlanBudget = 0 }, "--plan-budget 0: at least 1"},
	}
	for _, tc := range tests {
		w := workFlags{l: ok}
		tc.edit(&w.l)
		_, err := w.limits()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}
