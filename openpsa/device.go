package openpsa

import (
	"strconv"

	"github.com/faultline/faultline/model"
)

// powered: a device with n PSUs needing min_psus is unpowered when at
// least n−min_psus+1 of them are down; with no PSUs in the model its
// power is not modelled and never fails.
func (b *builder) powered(d int32, dr bool) *expr {
	return b.memoized(memoKey{kind: gkPowered, i: d, dr: dr}, func() *expr {
		D := &b.g.Devices[d]
		if len(D.PSUs) == 0 || D.MinPSUs <= 0 {
			return falseExpr
		}
		ins := make([]*expr, len(D.PSUs))
		for j, p := range D.PSUs {
			ins[j] = b.psu(p, dr)
		}
		f := atLeast(len(ins)-D.MinPSUs+1, ins)
		label := "device " + D.ID + " unpowered: " + strconv.Itoa(len(ins)-D.MinPSUs+1) + " of its " + strconv.Itoa(len(ins)) + " PSUs down"
		return b.define("powered", D.ID, label, dr, f)
	})
}

// volume: raid10 is down when both drives of a mirror pair are (and an
// unpaired drive, seen only in observed data, when it is); any other
// level when more drives are down than it can spare.
func (b *builder) volume(v *model.Volume) *expr {
	if v.RAID == "raid10" {
		var ins []*expr
		for i := 0; i+1 < len(v.Drives); i += 2 {
			ins = append(ins, and(b.event(v.Drives[i]), b.event(v.Drives[i+1])))
		}
		if len(v.Drives)%2 == 1 {
			ins = append(ins, b.event(v.Drives[len(v.Drives)-1]))
		}
		return or(ins...)
	}
	ins := make([]*expr, len(v.Drives))
	for i, c := range v.Drives {
		ins[i] = b.event(c)
	}
	return atLeast(len(ins)-v.Needed()+1, ins)
}

// device: a device is down when it, its rack, its power or any volume is.
func (b *builder) device(d int32, dr bool) *expr {
	return b.memoized(memoKey{kind: gkDevice, i: d, dr: dr}, func() *expr {
		D := &b.g.Devices[d]
		ins := []*expr{b.event(D.Comp), b.rack(D.Rack, dr), b.powered(d, dr)}
		for i := range D.Volumes {
			v := &D.Volumes[i]
			ins = append(ins, b.define("volume", v.ID, "volume "+v.ID+" ("+string(v.RAID)+") down", false, b.volume(v)))
		}
		f := or(ins...)
		return b.define("device", D.ID, "device "+D.ID+" down: it, its rack, its power or a volume", dr, f)
	})
}

// avail: a device is unavailable when it is down or cut off from the
// network roots.
func (b *builder) avail(d int32, dr bool) *expr {
	return b.memoized(memoKey{kind: gkAvail, i: d, dr: dr}, func() *expr {
		f := or(b.device(d, dr), b.netDown(d, dr))
		id := b.g.Devices[d].ID
		return b.define("avail", id, "device "+id+" unavailable: down or cut off from the network roots", dr, f)
	})
}

// service: a service with n members needing min_up is down when at least
// n−min_up+1 members are unavailable, or any service it requires is down.
func (b *builder) service(s int32, dr bool) *expr {
	return b.memoized(memoKey{kind: gkService, i: s, dr: dr}, func() *expr {
		S := &b.g.Services[s]
		ms := make([]*expr, len(S.Members))
		for j, m := range S.Members {
			if m.Device >= 0 {
				ms[j] = b.avail(m.Device, dr)
			} else {
				ms[j] = b.service(m.Service, dr)
			}
		}
		ins := []*expr{falseExpr}
		if S.MinUp > 0 {
			ins[0] = atLeast(len(ms)-S.MinUp+1, ms)
		}
		for _, r := range S.Requires {
			ins = append(ins, b.service(r, dr))
		}
		f := or(ins...)
		label := "service " + S.ID + " down: " + strconv.Itoa(len(ms)-S.MinUp+1) + " of its " + strconv.Itoa(len(ms)) + " members unavailable"
		if len(S.Requires) > 0 {
			label += ", or a service it requires down"
		}
		return b.define("service", S.ID, label, dr, f)
	})
}
