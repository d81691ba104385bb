package audit

import "fmt"

// powerUnknownFindings: a device with PSUs that declare no source has
// power redundancy the audit cannot judge (power-unknown).
func (a *Analysis) powerUnknownFindings(d int32) []Finding {
	D := &a.G.Devices[d]
	if len(D.UnknownPSUs) == 0 {
		return nil
	}
	f := newFinding(PowerUnknown, D.ID, D.UnknownPSUs)
	f.ID = PowerUnknown.String() + "/" + D.ID
	known := len(D.PSUs)
	switch known {
	case 0:
		f.Message = fmt.Sprintf("%s: no PSU has a known source (%s): its power is not modelled and it counts as powered", D.ID, words(D.UnknownPSUs, "and"))
	default:
		f.Message = fmt.Sprintf("%s: the power redundancy is unknown: %s %s no known source; only %s modelled", D.ID, words(D.UnknownPSUs, "and"), hasHave(len(D.UnknownPSUs)), plural(known, "PSU"))
	}
	for i, id := range D.UnknownPSUs {
		why := "no source declared"
		if i < len(D.UnknownWhy) {
			why = D.UnknownWhy[i]
		}
		f.Evidence = append(f.Evidence, id+" -> "+why)
	}
	f.Remediation = fmt.Sprintf("declare where %s %s plugged in (pdu, outlet), or cable it in NetBox and import again", words(D.UnknownPSUs, "and"), isAre(len(D.UnknownPSUs)))
	return []Finding{f}
}

func hasHave(n int) string {
	if n == 1 {
		return "has"
	}
	return "have"
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}
