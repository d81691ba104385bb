package main

import (
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	tests := []struct {
		name string
		env  map[string]string
		set  int // the percent in force before
		want int
	}{
		{"no GOGC: faultline's target", nil, 100, gcPercent},
		{"GOGC set: left alone", map[string]string{"GOGC": "200"}, 200, 200},
		{"GOGC=off: left alone", map[string]string{"GOGC": "off"}, -1, -1},
		{"GOMEMLIMIT alone: faultline's target", map[string]string{"GOMEMLIMIT": "1GiB"}, 100, gcPercent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			debug.SetGCPercent(tt.set)
			got := tuneGC(func(k string) string { return tt.env[k] })
			if now := debug.SetGCPercent(tt.set); got != tt.want || now != tt.want {
				t.Fatalf("tuneGC = %d, in force %d; want %d", got, now, tt.want)
			}
		})
	}
}
