package redfish

import (
	"math"
	"testing"

	"github.com/faultline/faultline/observation"
)

// FuzzPDU feeds arbitrary bytes, as a PDU might send them, to the power
// distribution decoders and normalizers: none may panic, conditions and
// breaker states stay within their words, and a reading that is a number
// stays one (NaN never comes from summing what decoded).
func FuzzPDU(f *testing.F) {
	f.Add([]byte(`{"Id":"AC1","CircuitType":"Mains","BreakerState":"Tripped","PolyPhasePowerWatts":{"Line1ToNeutral":{"Reading":198.4},"Line1ToLine2":{"Reading":738.9}},"PolyPhaseCurrentAmps":{"Line1":{"Reading":8.02},"Neutral":{"Reading":2.7}}}`))
	f.Add([]byte(`{"Id":"A1","PowerState":"Off","CurrentAmps":{"Reading":1.68},"PowerWatts":{"Reading":197.4},"Links":{"BranchCircuit":{"@odata.id":"/redfish/v1/PowerEquipment/RackPDUs/1/Branches/A"}}}`))
	f.Add([]byte(`{"Id":"A","RatedCurrentAmps":16,"Links":{"Outlets":[{"@odata.id":"/o/A1"},{"@odata.id":""}]},"Voltage":{"Reading":"N/A"}}`))
	f.Add([]byte(`{"RackPDUs":{"@odata.id":"/r"},"TransferSwitches":{"@odata.id":"https://elsewhere/t"}}`))
	f.Add([]byte(`{"Mains":{"@odata.id":"/m","Members":[{"@odata.id":"/m/AC1","Id":"AC1"}]},"Metrics":{"PowerWatts":{"Reading":6438}}}`))
	conds := map[observation.Condition]bool{observation.OK: true, observation.Degraded: true, observation.Failed: true, observation.Absent: true, observation.Unknown: true}
	breakers := map[string]bool{"": true, observation.BreakerNormal: true, observation.BreakerTripped: true, observation.BreakerOff: true}
	f.Fuzz(func(t *testing.T, b []byte) {
		var pe powerEquipmentDoc
		var pd powerDistributionDoc
		var m pduMetricsDoc
		_, _, _ = decodeJSON(b, &pe), decodeJSON(b, &pd), decodeJSON(b, &m)
		var c circuitDoc
		if decodeJSON(b, &c) == nil {
			in, br := inputOf(c), branchOf(c)
			if !conds[in.Condition] || !conds[br.Condition] || !breakers[br.Breaker] {
				t.Fatalf("input %+v, branch %+v: out of their words", in, br)
			}
			for _, v := range []*float64{in.Watts, in.Amps, in.Voltage, br.Watts, br.Amps} {
				if v != nil && math.IsNaN(*v) {
					t.Fatalf("a reading became NaN: %+v %+v", in, br)
				}
			}
		}
		var o outletDoc
		if decodeJSON(b, &o) == nil {
			out := outletOf(o, "seg")
			if out.ID == "" || !conds[out.Condition] || out.Index < 0 {
				t.Fatalf("outlet %+v", out)
			}
		}
	})
}
