package snmp

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/faultline/faultline/observation"
)

func FuzzParseOID(f *testing.F) {
	for _, s := range []string{".1.3.6.1.2.1.1.5.0", "1.0.8802.1.1.2.1.4.1.1.9.0.3.1", "1..3", "01.3", "4294967296"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseOID(s)
		if err != nil {
			return
		}
		back, err := ParseOID(o.String())
		if err != nil || back.Compare(o) != 0 {
			t.Fatalf("%q: %v does not round-trip (%v)", s, o, err)
		}
	})
}

// FuzzValueDecoders runs every decoder over arbitrary device values: an
// error or a value, never a panic.
func FuzzValueDecoders(f *testing.F) {
	f.Add(uint8(KindOctetString), []byte("Ethernet1"), int64(0), uint64(0))
	f.Add(uint8(KindOctetString), []byte{0x00, 0x1b, 0x21, 0xbb, 0xe6, 0xf0}, int64(4), uint64(0))
	f.Add(uint8(KindInteger), []byte{}, int64(-1), uint64(0))
	f.Add(uint8(KindTimeTicks), []byte{0xff}, int64(0), uint64(1<<40))
	f.Fuzz(func(t *testing.T, kind uint8, b []byte, n int64, u uint64) {
		v := Var{OID: MustOID("1.3.6.1.2.1.1.5.0"), Kind: Kind(kind % 14), Bytes: b, Int: n, Uint: u}
		_, _ = v.Integer()
		_, _ = v.Number()
		_, _ = v.Text()
		_, _ = v.ObjectID()
		_ = v.Kind.String()
		var p problems
		r := &row{index: OID{1}, cells: []Var{Var{Kind: KindInteger, Int: n}, v}, has: []bool{true, true}}
		_ = chassisID(&p, r, 0, 1)
		_ = idText(&p, r, 0, 1)
		_ = ciscoEnvMonState.read(&p, "x", v)
		_ = p.err()
	})
}

// scriptClient answers GetBulks as fuzz data says: each request takes a
// byte that picks a refusal, an answer cut short, or an answer, and a
// byte per variable that picks its OID (the next row, a row out of order,
// a row past the column, an exception). Once the data runs out, every
// column ends.
type scriptClient struct {
	t     *testing.T
	data  []byte
	limit int // the walk's MaxVarbinds
	calls int
}

func (c *scriptClient) byte() (byte, bool) {
	if len(c.data) == 0 {
		return 0, false
	}
	b := c.data[0]
	c.data = c.data[1:]
	return b, true
}

func (c *scriptClient) Get(context.Context, []OID) ([]Var, error) {
	return nil, errors.New("the walker does not Get")
}

func (c *scriptClient) GetBulk(_ context.Context, nonRep, maxRep int, oids []OID) ([]Var, error) {
	c.calls++
	asked := nonRep + (len(oids)-nonRep)*maxRep
	if nonRep < 0 || nonRep > len(oids) || nonRep > maxNonRepeaters || maxRep < 0 || asked > c.limit || asked < 1 {
		c.t.Fatalf("bad request: %d non-repeaters, %d repetitions of %d variables (limit %d)", nonRep, maxRep, len(oids)-nonRep, c.limit)
	}
	mode, ok := c.byte()
	if !ok {
		var out []Var
		for _, o := range oids {
			out = append(out, Var{OID: o, Kind: KindEndOfMibView})
		}
		return out, nil
	}
	switch mode % 8 {
	case 0:
		return nil, &ErrorStatus{Status: statusTooBig}
	case 1:
		return nil, &ErrorStatus{Status: statusGenErr}
	case 2:
		return nil, &ErrorStatus{Status: 2}
	}
	n := asked
	if mode%8 == 3 {
		n = int(mode/8) % (asked + 1) // cut short, perhaps to nothing
	}
	out := make([]Var, 0, n)
	cur := slices.Clone(oids)
	for i := 0; i < n; i++ {
		j := i
		if i >= nonRep {
			j = nonRep + (i-nonRep)%(len(oids)-nonRep)
		}
		b, _ := c.byte()
		var v Var
		switch b % 6 {
		case 0, 1, 2: // the next row
			v = Var{OID: cur[j].Append(uint32(b)), Kind: KindInteger, Int: int64(b)}
		case 3: // backwards
			v = Var{OID: oids[j][:len(oids[j])-1], Kind: KindInteger}
		case 4: // past the column
			v = Var{OID: MustOID("1.3.6.1.6.3.10.2.1.3.0"), Kind: KindInteger}
		case 5:
			v = Var{OID: cur[j], Kind: KindEndOfMibView}
		}
		cur[j] = v.OID
		out = append(out, v)
	}
	return out, nil
}

func (c *scriptClient) Requests() int { return c.calls }
func (c *scriptClient) Close() error  { return nil }

// FuzzWalk drives the walker with arbitrary answers: it must never ask
// more than its limit or a malformed request, must end within its request
// and variable budgets, and when it reports no error, every column must
// be finished.
func FuzzWalk(f *testing.F) {
	f.Add([]byte{}, uint8(250))
	f.Add([]byte{0, 0, 3, 4, 0, 1, 2, 5}, uint8(8))
	f.Add([]byte{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4, 0, 0, 0, 0}, uint8(40))
	f.Add([]byte{11, 0, 0, 0, 3, 3, 3, 7, 0, 1, 2, 3, 4, 5}, uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, limit uint8) {
		lim := Limits{MaxVarbinds: int(limit), MaxRows: 20, MaxRequests: 60, MaxVariables: 400}
		lim = lim.withDefaults()
		c := &scriptClient{t: t, data: data, limit: lim.MaxVarbinds}
		scalars := []OID{sysDescr, sysName, sysUpTime}
		roots := append(cols("1.3.6.1.2.1.2.2.1", 2, 7, 8), cols("1.0.8802.1.1.2.1.4.1.1", 5, 7, 9)...)
		res, err := walk(context.Background(), c, scalars, roots, lim)
		if c.calls > 4*len(data)+64 {
			t.Fatalf("%d requests for %d bytes of answers", c.calls, len(data))
		}
		if c.calls > lim.MaxRequests {
			t.Fatalf("%d requests, over the budget of %d", c.calls, lim.MaxRequests)
		}
		// The answer that crosses the budget is the last one taken.
		if res.vars > lim.MaxVariables+lim.MaxVarbinds {
			t.Fatalf("%d variables taken in, over the budget of %d", res.vars, lim.MaxVariables)
		}
		if res.budget < 1 || res.budget > lim.MaxVarbinds {
			t.Fatalf("budget %d outside 1..%d", res.budget, lim.MaxVarbinds)
		}
		for _, col := range res.cols {
			if !col.done {
				t.Fatalf("column %s unfinished (walk error %v)", col.root, err)
			}
			if len(col.vars) > lim.MaxRows {
				t.Fatalf("column %s: %d rows, more than %d", col.root, len(col.vars), lim.MaxRows)
			}
		}
	})
}

// partsInput turns fuzz data into an ENTITY-MIB tree, ENTITY-STATE and
// ENTITY-SENSOR rows, and CISCO-ENVMON supply rows, as a walk would have
// read them. Each entity takes 4 bytes (class, container, name, state),
// each envmon row 3 (index, name, state). Containers point to earlier
// entities unless cyclic is set, when they may point anywhere.
type partsInput struct {
	res      *walkResult
	classes  map[int64]int64
	parents  map[int64]int64
	envmon   []reading
	acyclic  bool
	entities int
}

var partNames = []string{"", "Power Supply 1", "Power Supply Module 1", "PS Unit 1", "Power Supply 2", "PSU 1", "Fan 1", "Fan Unit 1", "power supply #2", "Fan Tray 1"}

func newPartsInput(data []byte, cyclic bool) *partsInput {
	in := &partsInput{res: &walkResult{scalars: map[string]Var{}, cols: map[string]*column{}, ctx: context.Background()},
		classes: map[int64]int64{}, parents: map[int64]int64{}, acyclic: !cyclic}
	put := func(entry OID, col uint32, idx int64, v Var) {
		root := entry.Append(col)
		c := in.res.cols[root.String()]
		if c == nil {
			c = &column{root: root, done: true}
			in.res.cols[root.String()] = c
		}
		v.OID = root.Append(uint32(idx))
		c.vars = append(c.vars, v)
	}
	text := func(s string) Var { return Var{Kind: KindOctetString, Bytes: []byte(s)} }
	num := func(n int64) Var { return Var{Kind: KindInteger, Int: n} }
	n := min(len(data)/4, 64)
	in.entities = n
	for i := range n {
		b := data[4*i : 4*i+4]
		idx := int64(i + 1)
		class := int64(b[0] % 10)
		var parent int64
		if cyclic {
			parent = int64(b[1]) % int64(n+1)
		} else if i > 0 {
			parent = int64(b[1]) % (idx) // 0 (none) or an earlier entity
		}
		in.classes[idx], in.parents[idx] = class, parent
		put(entPhysicalEntry, 4, idx, num(parent))
		put(entPhysicalEntry, 5, idx, num(class))
		put(entPhysicalEntry, 7, idx, text(partNames[int(b[2])%len(partNames)]))
		if b[3]%4 != 0 {
			put(entStateEntry, 3, idx, num(int64(b[3]%4)))
		}
		if class == 8 {
			put(entPhySensorEntry, 1, idx, num(8))
			put(entPhySensorEntry, 5, idx, num(int64(b[3]%3)+1))
		}
	}
	rest := data[4*n:]
	rowAt := map[int64]bool{}
	for i := 0; i+3 <= len(rest) && i < 3*64; i += 3 {
		idx := int64(rest[i]%(uint8(n)+8)) + 1 // an entity's index, or none's
		if rowAt[idx] {
			continue // one row an index
		}
		rowAt[idx] = true
		state := int64(rest[i+2]%6) + 1
		name := partNames[int(rest[i+1])%len(partNames)]
		put(ciscoEnvMonSupplyEntry, 2, idx, text(name))
		put(ciscoEnvMonSupplyEntry, 3, idx, num(state))
		in.envmon = append(in.envmon, ciscoEnvMonState.read(&problems{}, "ciscoEnvMonSupplyState", num(state)))
	}
	for _, c := range in.res.cols {
		slices.SortStableFunc(c.vars, func(a, b Var) int { return a.OID.Compare(b.OID) })
	}
	return in
}

// FuzzParts feeds arbitrary entity trees and vendor rows to the part
// matching: it must end without panicking, list every part once, make a
// power supply nested in another one unit with it, give every vendor row's
// word to some part, and number the slots in order.
func FuzzParts(f *testing.F) {
	f.Add([]byte{3, 0, 0, 0, 5, 0, 0, 0, 6, 1, 2, 3, 6, 2, 1, 1, 8, 3, 0, 1, 3, 1, 1, 4, 2, 4}, false)
	f.Add([]byte{6, 0, 3, 0, 6, 0, 3, 0, 7, 0, 7, 0, 9, 0, 5, 1, 1, 1, 1, 0, 2, 1}, false)
	f.Add([]byte{6, 2, 1, 3, 6, 1, 2, 3, 6, 0, 1, 1, 2, 2, 2}, true)
	f.Add([]byte{}, false)
	f.Fuzz(func(t *testing.T, data []byte, cyclic bool) {
		in := newPartsInput(data, cyclic)
		dev := &observation.Device{}
		b := &builder{dev: dev, portAt: map[int64]int{}, ent: map[int64]*entity{}}
		b.psus.ctx, b.fans.ctx = context.Background(), context.Background()
		for _, m := range []*module{entityMIB, entityStateMIB, entitySensorMIB, ciscoEnvMonMIB} {
			_ = m.decode(b, in.res)
		}
		b.psus.settle()
		b.fans.settle()
		psus := b.psus.psus()
		seen := map[*part]bool{}
		for _, p := range b.psus.list {
			if seen[p] {
				t.Fatalf("part %q listed twice", p.name)
			}
			seen[p] = true
			if in.acyclic && p.entIndex != 0 {
				for anc := in.parents[p.entIndex]; anc != 0; anc = in.parents[anc] {
					if in.classes[anc] == entClassPowerSupply {
						t.Fatalf("power supply %d is inside power supply %d, yet a part of its own", p.entIndex, anc)
					}
				}
			}
		}
		for i, p := range psus {
			if p.Slot != i {
				t.Fatalf("PSU %d has slot %d", i, p.Slot)
			}
		}
		for _, r := range in.envmon {
			found := false
			for _, p := range b.psus.list {
				if slices.Contains(p.readings, r) {
					found = true
					break
				}
			}
			if !found {
				t.Fatalf("envmon reading %+v reached no PSU", r)
			}
		}
		if n := len(psus); n > in.entities+len(in.envmon) {
			t.Fatalf("%d PSUs from %d entities and %d vendor rows", n, in.entities, len(in.envmon))
		}
	})
}
