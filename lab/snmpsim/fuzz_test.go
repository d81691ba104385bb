package snmpsim

import (
	"bytes"
	"testing"
)

func FuzzParseSnmprec(f *testing.F) {
	f.Add([]byte("1.3.6.1.2.1.1.5.0|4|switch\n1.3.6.1.2.1.2.2.1.6.2|4x|00C0B7E18278\n1.3.6.1.2.1.1.3.0|67|100\n"))
	f.Add([]byte("1.3.6.1.2.1.4.20.1.1.10.0.0.1|64|10.0.0.1\n1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.9\n1.3|70|18446744073709551615\n"))
	f.Add([]byte("1.3.6.1|2|-5\n1.3.6.1|2|7\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ParseSnmprec(bytes.NewReader(data))
		if err != nil {
			return
		}
		for i := 1; i < tab.Len(); i++ {
			if compareOID(tab.entries[i-1].OID, tab.entries[i].OID) >= 0 {
				t.Fatalf("table not strictly ordered at %d", i)
			}
		}
	})
}

// FuzzHandle feeds arbitrary packets to an agent (v2c and v3): it must
// answer or stay silent, never panic.
func FuzzHandle(f *testing.F) {
	tab, err := ParseSnmprec(bytes.NewReader([]byte("1.3.6.1.2.1.1.5.0|4|sw\n1.3.6.1.2.1.2.2.1.2.1|4|Ethernet1\n")))
	if err != nil {
		f.Fatal(err)
	}
	a := New(tab, Options{Community: "public"})
	a.usm, err = newUSM([]byte("engine-1"), []User{{Name: "u", Auth: "SHA", AuthPass: "authpass1", Priv: "AES", PrivPass: "privpass1"}})
	if err != nil {
		f.Fatal(err)
	}
	// A GetBulk from snmpbulkwalk -v2c -c public, and a v3 discovery probe.
	f.Add([]byte{0x30, 0x26, 0x02, 0x01, 0x01, 0x04, 0x06, 'p', 'u', 'b', 'l', 'i', 'c', 0xa5, 0x19, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x0a, 0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x05, 0x00, 0x05, 0x00})
	f.Add([]byte{0x30, 0x3a, 0x02, 0x01, 0x03, 0x30, 0x0f, 0x02, 0x02, 0x4a, 0x69, 0x02, 0x03, 0x00, 0xff, 0xe3, 0x04, 0x01, 0x04, 0x02, 0x01, 0x03, 0x04, 0x10, 0x30, 0x0e, 0x04, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00, 0x04, 0x00, 0x30, 0x12, 0x04, 0x00, 0x04, 0x00, 0xa0, 0x0c, 0x02, 0x02, 0x37, 0xf0, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x00})
	f.Fuzz(func(t *testing.T, pkt []byte) {
		a.handle(pkt)
	})
}

func FuzzDecodeOID(f *testing.F) {
	f.Add(oidBytes(mustOID("1.3.6.1.4.1.9.9.13.1.5.1.3.1006")))
	f.Add([]byte{0x2b, 0xff, 0xff, 0xff, 0xff, 0x7f})
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := decodeOID(b)
		if err != nil || len(o) < 2 || o[0] > 2 || o[0] < 2 && o[1] >= 40 {
			return
		}
		back, err := decodeOID(oidBytes(o))
		if err != nil || compareOID(back, o) != 0 {
			t.Fatalf("%v does not round-trip: %v %v", o, back, err)
		}
	})
}
