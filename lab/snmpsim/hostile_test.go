package snmpsim

import (
	"bytes"
	"testing"

	"github.com/gosnmp/gosnmp"
)

// TestHostileFaults checks what each hostile fault makes the agent
// answer, at the protocol level: the tricks the collector must survive.
func TestHostileFaults(t *testing.T) {
	col := ".1.3.6.1.2.1.2.2.1.2"
	cases := []struct {
		fault Fault
		check func(t *testing.T, pkt *gosnmp.SnmpPacket, err error)
	}{
		{Fault{Kind: EndlessAll}, func(t *testing.T, pkt *gosnmp.SnmpPacket, err error) {
			// Ten real rows, then rows 11, 12, … for ever.
			if err != nil || len(pkt.Variables) != 30 || pkt.Variables[29].Name != col+".30" {
				t.Errorf("err %v, answer %v", err, pkt)
			}
		}},
		{Fault{Kind: Repeat}, func(t *testing.T, pkt *gosnmp.SnmpPacket, err error) {
			if err != nil || len(pkt.Variables) == 0 || pkt.Variables[len(pkt.Variables)-1].Name != col {
				t.Errorf("err %v, answer %v: want the asked OID again", err, pkt)
			}
		}},
		{Fault{Kind: TooBigAll}, func(t *testing.T, pkt *gosnmp.SnmpPacket, err error) {
			if err != nil || pkt.Error != gosnmp.TooBig {
				t.Errorf("err %v, answer %v: want tooBig", err, pkt)
			}
		}},
		{Fault{Kind: HugeStrings, Value: "1000"}, func(t *testing.T, pkt *gosnmp.SnmpPacket, err error) {
			if err != nil || len(pkt.Variables) == 0 {
				t.Fatalf("err %v, answer %v", err, pkt)
			}
			if b, _ := pkt.Variables[0].Value.([]byte); len(b) != 1000 || !bytes.Contains(b, []byte("\x1b[31m")) {
				t.Errorf("value of %d bytes: %.40q", len(b), b)
			}
		}},
		{Fault{Kind: EchoSecret}, func(t *testing.T, pkt *gosnmp.SnmpPacket, err error) {
			if err != nil || len(pkt.Variables) == 0 {
				t.Fatalf("err %v, answer %v", err, pkt)
			}
			if b, _ := pkt.Variables[0].Value.([]byte); !bytes.Contains(b, []byte("secret=public")) {
				t.Errorf("value %q does not echo the community", b)
			}
		}},
	}
	tab := stringTable(t)
	for _, tc := range cases {
		t.Run(tc.fault.Kind, func(t *testing.T) {
			a := New(tab, Options{Community: "public"})
			if err := a.Listen("127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			if err := a.Inject(tc.fault); err != nil {
				t.Fatal(err)
			}
			pkt, err := client(t, a).GetBulk([]string{col}, 0, 30)
			tc.check(t, pkt, err)
		})
	}
	a := New(tab, Options{})
	for _, v := range []string{"abc", "0", "70000"} {
		if err := a.Inject(Fault{Kind: HugeStrings, Value: v}); err == nil {
			t.Errorf("huge-strings of %q accepted", v)
		}
	}
}

// stringTable is ten rows of ifDescr.
func stringTable(t *testing.T) *Table {
	t.Helper()
	var es []Entry
	for i := uint32(1); i <= 10; i++ {
		es = append(es, Entry{OID: []uint32{1, 3, 6, 1, 2, 1, 2, 2, 1, 2, i}, Value: String("Ethernet")})
	}
	tab, err := NewTable(es)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}
