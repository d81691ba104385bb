package snmpsim

import (
	"fmt"
	"strconv"
)

// PDU faults, on tables generated from an inventory PDU (PDU2-MIB).
const (
	OutletOff = "outlet-off" // outlet Part (its number) switched off: onOff sensor off, no current, no power
	InletLost = "inlet-lost" // the inlet reads 0 V, 0 A, 0 W: the PDU has no supply
)

var (
	oidRaritanOutletState = mustOID("1.3.6.1.4.1.13742.6.5.4.3.1.3")
	oidRaritanOutletValue = mustOID("1.3.6.1.4.1.13742.6.5.4.3.1.4")
	oidRaritanInletValue  = mustOID("1.3.6.1.4.1.13742.6.5.2.3.1.4")
)

// Raritan sensor types the PDU faults change.
const (
	raritanCurrent, raritanVoltage, raritanPower, raritanOnOff = 1, 4, 5, 14
)

// outletOff switches outlet part (a number) off.
func (a *Agent) outletOff(part string) error {
	n, err := strconv.ParseUint(part, 10, 32)
	if err != nil {
		return fmt.Errorf("snmpsim: outlet-off: part must be an outlet number, not %q", part)
	}
	state := appendOID(oidRaritanOutletState, 1, uint32(n), raritanOnOff)
	if _, ok := a.table.get(state); !ok {
		return fmt.Errorf("snmpsim: outlet-off: no outlet %d", n)
	}
	a.overlay[oidString(state)] = Integer(8)
	for _, typ := range []uint32{raritanCurrent, raritanPower} {
		if o := appendOID(oidRaritanOutletValue, 1, uint32(n), typ); a.has(o) {
			a.overlay[oidString(o)] = Gauge(0)
		}
	}
	return nil
}

// inletLost takes the PDU's supply away.
func (a *Agent) inletLost() error {
	set := 0
	for _, typ := range []uint32{raritanCurrent, raritanVoltage, raritanPower} {
		if o := appendOID(oidRaritanInletValue, 1, 1, typ); a.has(o) {
			a.overlay[oidString(o)] = Gauge(0)
			set++
		}
	}
	if set == 0 {
		return fmt.Errorf("snmpsim: inlet-lost: the device has no PDU inlet")
	}
	return nil
}

func (a *Agent) has(o []uint32) bool {
	_, ok := a.table.get(o)
	return ok
}
