package snmp

import (
	"testing"
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
