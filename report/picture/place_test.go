package picture

import "testing"

func TestSpread(t *testing.T) {
	for _, tc := range []struct {
		name   string
		want   []float64
		gap    int
		lo, hi int
		at     []int // in the order of want
	}{
		{"apart already", []float64{100, 300}, 50, 0, 1000, []int{100, 300}},
		{"two on one spot", []float64{200, 200}, 100, 0, 1000, []int{150, 250}},
		{"pushed off the left edge", []float64{0, 0}, 100, 40, 1000, []int{40, 140}},
		{"pushed off the right edge", []float64{990, 1000}, 100, 0, 1000, []int{900, 1000}},
		{"crossing wishes are sorted", []float64{500, 100}, 100, 0, 1000, []int{500, 100}},
		{"too many for the range", []float64{0, 0, 0}, 100, 0, 100, []int{-50, 50, 150}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items := make([]*item, len(tc.want))
			for i, w := range tc.want {
				items[i] = &item{want: w, order: i}
			}
			orig := append([]*item(nil), items...)
			spread(items, tc.gap, tc.lo, tc.hi)
			for i, it := range orig {
				if it.at != tc.at[i] {
					t.Errorf("item %d (wants %v) at %d, want %d", i, it.want, it.at, tc.at[i])
				}
			}
			for i := 1; i < len(items); i++ {
				if items[i].at-items[i-1].at < tc.gap {
					t.Errorf("items %d and %d are %d apart, less than %d", i-1, i, items[i].at-items[i-1].at, tc.gap)
				}
			}
		})
	}
}
