package redfish

import (
	"testing"

	"github.com/faultline/faultline/observation"
)

func TestCondition(t *testing.T) {
	tests := []struct {
		state, health string
		want          observation.Condition
	}{
		// Absent wins over any health: an empty bay is never a failure.
		{"Absent", "", observation.Absent},
		{"Absent", "Warning", observation.Absent},
		{"Absent", "Critical", observation.Absent},
		{"absent", "OK", observation.Absent},
		// Working parts.
		{"Enabled", "OK", observation.OK},
		{"Enabled", "", observation.OK},
		{"", "OK", observation.OK},
		{"StandbySpare", "OK", observation.OK},
		{"StandbySpare", "", observation.OK},
		{"Qualified", "OK", observation.OK},
		{" enabled ", "ok", observation.OK},
		// Degraded: works, but something is wrong or it is not in service.
		{"Enabled", "Warning", observation.Degraded},
		{"", "Warning", observation.Degraded},
		{"StandbyOffline", "OK", observation.Degraded},
		{"StandbyOffline", "", observation.Degraded},
		{"Degraded", "OK", observation.Degraded},
		{"Starting", "", observation.Degraded},
		{"InTest", "OK", observation.Degraded},
		{"Updating", "OK", observation.Degraded},
		{"Deferring", "", observation.Degraded},
		{"Quiesced", "OK", observation.Degraded},
		// Failed.
		{"Enabled", "Critical", observation.Failed},
		{"", "Critical", observation.Failed},
		{"StandbySpare", "Critical", observation.Failed},
		{"UnavailableOffline", "", observation.Failed},
		{"UnavailableOffline", "OK", observation.Failed},
		{"UnavailableOffline", "Critical", observation.Failed},
		{"Disabled", "", observation.Failed},
		{"Disabled", "OK", observation.Failed},
		// Unknown is never ok.
		{"", "", observation.Unknown},
		{"Exploded", "", observation.Unknown},
		{"Exploded", "OK", observation.Unknown},
		{"Enabled", "Sparkly", observation.Unknown},
		{"", "Sparkly", observation.Unknown},
		// A state we do not know with a warning is still degraded.
		{"Exploded", "Warning", observation.Degraded},
	}
	for _, tc := range tests {
		if got := Condition(tc.state, tc.health); got != tc.want {
			t.Errorf("Condition(%q, %q) = %q, want %q", tc.state, tc.health, got, tc.want)
		}
	}
}

func TestWithPrediction(t *testing.T) {
	tests := []struct {
		in        observation.Condition
		predicted bool
		want      observation.Condition
	}{
		{observation.OK, false, observation.OK},
		{observation.OK, true, observation.Degraded},
		{observation.Degraded, true, observation.Degraded},
		{observation.Failed, true, observation.Failed},
		{observation.Unknown, true, observation.Unknown},
	}
	for _, tc := range tests {
		if got := withPrediction(tc.in, tc.predicted); got != tc.want {
			t.Errorf("withPrediction(%q, %v) = %q, want %q", tc.in, tc.predicted, got, tc.want)
		}
	}
}

func TestPredictsFailure(t *testing.T) {
	tests := []struct {
		json string
		want bool
	}{
		{`{"State":"Enabled","Health":"Warning","Conditions":[{"MessageId":"Power.1.0.PowerSupplyPredictiveFailure"}]}`, true},
		{`{"Conditions":[{"MessageId":"Storage.1.2.DriveFailurePredicted"}]}`, true},
		{`{"Conditions":[{"MessageId":"Sensor.1.0.ReadingAboveUpperCautionThreshold"}]}`, false},
		{`{"State":"Enabled","Health":"OK"}`, false},
	}
	for _, tc := range tests {
		var st rfStatus
		if err := decodeJSON([]byte(tc.json), &st); err != nil {
			t.Fatal(err)
		}
		if got := predictsFailure(st); got != tc.want {
			t.Errorf("predictsFailure(%s) = %v, want %v", tc.json, got, tc.want)
		}
	}
}

func FuzzCondition(f *testing.F) {
	for _, s := range []string{"Enabled", "Absent", "Disabled", "UnavailableOffline", "StandbyOffline", "StandbySpare", ""} {
		for _, h := range []string{"OK", "Warning", "Critical", ""} {
			f.Add(s, h)
		}
	}
	valid := map[observation.Condition]bool{
		observation.OK: true, observation.Degraded: true, observation.Failed: true,
		observation.Absent: true, observation.Unknown: true,
	}
	f.Fuzz(func(t *testing.T, state, health string) {
		c := Condition(state, health)
		if !valid[c] {
			t.Fatalf("Condition(%q, %q) = %q, not a condition", state, health, c)
		}
		if (c == observation.Absent) != (Condition(state, "") == observation.Absent) {
			t.Fatalf("Condition(%q, %q) = %q: health changed whether the part is absent", state, health, c)
		}
		if c == observation.OK && Condition(state, "Critical") != observation.Failed {
			t.Fatalf("a part that is ok with %q is not failed with Health Critical", state)
		}
	})
}
