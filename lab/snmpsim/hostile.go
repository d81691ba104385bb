package snmpsim

import (
	"fmt"
	"strconv"
	"strings"
)

// The hostile faults: an agent that means harm, or is broken beyond the
// faults above, in every table at once. Each makes the collector spend a
// limit, or shows it trusts nothing the agent sends.
const (
	// EndlessAll makes every table endless: past a column's last row the
	// agent answers ever-increasing rows (index +1) for ever.
	EndlessAll = "endless-all"
	// Repeat answers every GetNext and GetBulk with the very OID asked:
	// every column repeats itself.
	Repeat = "repeat"
	// TooBigAll answers tooBig to every request, however small.
	TooBigAll = "too-big"
	// HugeStrings serves every OCTET STRING as Value bytes (default
	// 20,000) of text laced with control characters and terminal
	// escapes.
	HugeStrings = "huge-strings"
	// EchoSecret puts the request's secrets (the community; for SNMPv3
	// the user's passwords) into every OCTET STRING it serves, with
	// control characters.
	EchoSecret = "echo-secret"
)

// hostileKinds are the fault kinds of this file, for Inject.
var hostileKinds = []string{EndlessAll, Repeat, TooBigAll, HugeStrings, EchoSecret}

// hostile are the hostile faults in force.
type hostile struct {
	endlessAll, repeat, tooBig, echo bool
	// huge is the size of every OCTET STRING (0: as in the table).
	huge int
	// columns are the table's columns (an entry's OID without its last
	// arc), for endlessAll.
	columns map[string]bool
}

// injectHostile applies a hostile fault; false if f is not one.
func (a *Agent) injectHostile(f Fault) (bool, error) {
	h := &a.behavior.hostile
	switch f.Kind {
	case EndlessAll:
		h.endlessAll = true
		if h.columns == nil {
			h.columns = map[string]bool{}
			for _, e := range a.table.entries {
				if len(e.OID) > 1 {
					h.columns[oidString(e.OID[:len(e.OID)-1])] = true
				}
			}
		}
	case Repeat:
		h.repeat = true
	case TooBigAll:
		h.tooBig = true
	case HugeStrings:
		h.huge = 20000
		if f.Value != "" {
			n, err := strconv.Atoi(f.Value)
			if err != nil || n < 1 || n > 60000 {
				return true, fmt.Errorf("snmpsim: huge-strings: value must be a size from 1 to 60000 bytes, not %q", f.Value)
			}
			h.huge = n
		}
	case EchoSecret:
		h.echo = true
	default:
		return false, nil
	}
	return true, nil
}

// hostileNext is the successor the hostile faults give o, if they change
// it: real is the table's own successor (nil at the end of the MIB).
func (a *Agent) hostileNext(o, real []uint32) ([]uint32, Value, bool) {
	h := &a.behavior.hostile
	switch {
	case h.repeat:
		return o, String("repeat"), true
	case h.endlessAll && len(o) > 1:
		col := o[:len(o)-1]
		if !h.columns[oidString(col)] || real != nil && hasPrefix(real, col) {
			return nil, Value{}, false
		}
		n := o[len(o)-1] + 1
		return appendOID(col, n), String("endless " + strconv.FormatUint(uint64(n), 10)), true
	}
	return nil, Value{}, false
}

// hostileValue is what the hostile faults make of a value served in
// answer to q.
func (a *Agent) hostileValue(q *request, v Value) Value {
	h := &a.behavior.hostile
	if v.Tag != TagOctetString || !h.echo && h.huge == 0 {
		return v
	}
	var b strings.Builder
	b.Write(v.Bytes)
	if h.echo {
		b.WriteString("\x1b[2J\r\nsecret=")
		b.Write(q.secret)
		b.WriteString("\x00\x07")
	}
	if h.huge > 0 {
		const filler = "\x1b[31mX\x00\n\u202e"
		for b.Len() < h.huge {
			b.WriteString(filler)
		}
		return Bytes([]byte(b.String())[:h.huge])
	}
	return String(b.String())
}

// ManyEntities generates a modular chassis with n power supplies and n
// fans in ENTITY-MIB, each with an ENTITY-STATE-MIB state and a sensor
// inside it (ENTITY-SENSOR-MIB), and CISCO-ENVMON-MIB supply rows that
// share no index with the entities but name them in reverse order: the
// collector must tie each row to its entity by name without comparing
// every row with every entity.
func ManyEntities(n int) (*Table, error) {
	g := &gen{}
	g.system("many-entities", "faultline simulated chassis with "+strconv.Itoa(n)+" power supplies")
	const ent = "1.3.6.1.2.1.47.1.1.1.1"
	g.add(ent+".2", []uint32{1}, String("chassis"))
	g.add(ent+".4", []uint32{1}, Integer(0))
	g.add(ent+".5", []uint32{1}, Integer(3))
	g.add(ent+".7", []uint32{1}, String("Chassis"))
	for i := range n {
		psu, fan, sensor := uint32(1000+i), uint32(1000+n+i), uint32(1000+2*n+i)
		for _, e := range []struct {
			idx, parent uint32
			class       int64
			name        string
		}{
			{psu, 1, 6, "Power Supply " + strconv.Itoa(i+1)},
			{fan, 1, 7, "Fan " + strconv.Itoa(i+1)},
			{sensor, psu, 8, "Power Supply " + strconv.Itoa(i+1) + " Temp"},
		} {
			g.add(ent+".2", []uint32{e.idx}, String(e.name))
			g.add(ent+".4", []uint32{e.idx}, Integer(int64(e.parent)))
			g.add(ent+".5", []uint32{e.idx}, Integer(e.class))
			g.add(ent+".7", []uint32{e.idx}, String(e.name))
		}
		g.add("1.3.6.1.2.1.131.1.1.1.3", []uint32{psu}, Integer(3))
		g.add("1.3.6.1.2.1.131.1.1.1.3", []uint32{fan}, Integer(3))
		g.add("1.3.6.1.2.1.99.1.1.1.1", []uint32{sensor}, Integer(8))
		g.add("1.3.6.1.2.1.99.1.1.1.4", []uint32{sensor}, Integer(30))
		g.add("1.3.6.1.2.1.99.1.1.1.5", []uint32{sensor}, Integer(1))
		row := uint32(n - i) // reverse order, no shared index
		g.add("1.3.6.1.4.1.9.9.13.1.5.1.2", []uint32{row}, String("Power Supply "+strconv.Itoa(i+1)))
		g.add("1.3.6.1.4.1.9.9.13.1.5.1.3", []uint32{row}, Integer(1))
	}
	return NewTable(g.entries)
}
