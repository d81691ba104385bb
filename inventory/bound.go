package inventory

import (
	"fmt"
	"slices"
)

// psuInput checks a PSU's input: the outlet's bank on a PDU with several
// inputs names one of them.
func (v *validator) psuInput(d *Device, p *PSU) {
	if p.Input == "" {
		if p.InputPos.Line != 0 {
			v.errorf(p.InputPos, "name the PDU input the outlet draws from, or leave input out", "empty input of psu %s/%s", d.ID, p.ID)
		}
		return
	}
	if p.PDU == "" {
		v.errorf(p.InputPos, "add \"pdu: ID\": the PDU whose input it is", "psu %s/%s has an input but no pdu", d.ID, p.ID)
		return
	}
	pdu := v.x.power[p.PDU]
	if pdu == nil || slices.Contains(pdu.Inputs, p.Input) {
		return // an unknown pdu is reported on its own
	}
	hint := fmt.Sprintf("%s has no inputs; leave input out", quote(p.PDU))
	if len(pdu.Inputs) > 0 {
		hint = fmt.Sprintf("name one of %s's inputs: %s", quote(p.PDU), joinQuoted(pdu.Inputs))
	}
	v.errorf(p.InputPos, hint, "input %q of psu %s/%s is not an input of %q", p.Input, d.ID, p.ID, p.PDU)
}

func joinQuoted(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ", "
		}
		out += quote(x)
	}
	return out
}

// cableID checks that a cable's id names no other entry: a cable that
// carries several links is a component of the fault model, named by its id
// in findings like a device or a PDU.
func (v *validator) cableID(l *Link) {
	if k, ok := v.x.kinds[l.Cable]; ok {
		v.errorf(or(l.CablePos, l.Pos), "give the cable an id of its own", "cable id %q is also the id of a %s", l.Cable, k)
	}
}
