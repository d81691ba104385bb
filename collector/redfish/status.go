package redfish

import (
	"strings"

	"github.com/faultline/faultline/observation"
	"github.com/stmcginnis/gofish/schemas"
)

// Condition normalizes a Redfish Status (State and Health, as the device
// wrote them) into an observation.Condition. It is the one place that
// decides what a part's state means, and it decides like this:
//
//   - State Absent is absent, whatever Health says: an empty bay is not a
//     failure (DSP0266 makes Health meaningless for absent resources, and
//     HPE iLO reports empty PSU bays with Health Warning).
//   - Health Critical is failed.
//   - State UnavailableOffline (present, cannot be used) and Disabled
//     (unavailable) are failed: the part does not do its job.
//   - Health Warning is degraded, as are the states StandbyOffline (needs
//     an external action to come back), Degraded, Starting, InTest,
//     Updating, Deferring and Quiesced.
//   - Enabled, StandbySpare (a hot spare takes over by itself) and
//     Qualified with Health OK (or no Health) are ok.
//   - Anything else — no State and no Health, or words this function does
//     not know with no Health to go by — is unknown, never ok.
//
// State and Health are compared without regard to case or surrounding
// space (iLO writes "Ok" in places).
func Condition(state, health string) observation.Condition {
	st := strings.ToLower(strings.TrimSpace(state))
	h := strings.ToLower(strings.TrimSpace(health))
	is := func(s string, v schemas.State) bool { return s == strings.ToLower(string(v)) }
	hs := func(s string, v schemas.Health) bool { return s == strings.ToLower(string(v)) }

	if is(st, schemas.AbsentState) {
		return observation.Absent
	}
	if hs(h, schemas.CriticalHealth) {
		return observation.Failed
	}
	switch {
	case is(st, schemas.UnavailableOfflineState), is(st, schemas.DisabledState):
		return observation.Failed
	case is(st, schemas.StandbyOfflineState), is(st, schemas.DegradedState), is(st, schemas.StartingState),
		is(st, schemas.InTestState), is(st, schemas.UpdatingState), is(st, schemas.DeferringState),
		is(st, schemas.QuiescedState):
		return observation.Degraded
	}
	known := st == "" || is(st, schemas.EnabledState) || is(st, schemas.StandbySpareState) || is(st, schemas.QualifiedState)
	switch {
	case hs(h, schemas.WarningHealth):
		return observation.Degraded
	case hs(h, schemas.OKHealth) && known:
		return observation.OK
	case h == "" && st != "" && known:
		return observation.OK
	}
	return observation.Unknown
}

// withPrediction lowers an ok part that predicts its own failure to
// degraded (it works, but will not for long); other conditions stand.
func withPrediction(c observation.Condition, predicted bool) observation.Condition {
	if predicted && c == observation.OK {
		return observation.Degraded
	}
	return c
}

// predictsFailure reports whether a Status's Conditions announce a
// predicted failure (Power.1.0.PowerSupplyPredictiveFailure and kin).
func predictsFailure(st rfStatus) bool {
	for _, c := range st.Conditions {
		id := strings.ToLower(c.MessageID)
		if strings.Contains(id, "predictivefailure") || strings.Contains(id, "predictedfailure") || strings.Contains(id, "failurepredicted") {
			return true
		}
	}
	return false
}
