package plan

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCheckPlanRequest(t *testing.T) {
	many := strings.Repeat("x,", MaxSelectors+1)
	cases := []struct {
		name     string
		maintain []string
		maxBatch int
		want     []string
		err      error
	}{
		{"split and trimmed", []string{"tor-*, kind=pdu", " feed-a "}, 2, []string{"tor-*", "kind=pdu", "feed-a"}, nil},
		{"none", []string{" , "}, 0, nil, ErrNoSelectors},
		{"too many", []string{many}, 0, nil, ErrTooManySelectors},
		{"negative cap", []string{"tor-*"}, -1, nil, ErrNegativeMaxBatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CheckRequest(tc.maintain, tc.maxBatch)
			if !errors.Is(err, tc.err) || !slices.Equal(got, tc.want) {
				t.Errorf("CheckRequest = %q, %v; want %q, %v", got, err, tc.want, tc.err)
			}
		})
	}
}
