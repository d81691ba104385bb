package snmpsim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
)

// ifTable10 is ten rows of five ifTable columns.
func ifTable10(t *testing.T) *Table {
	t.Helper()
	var b strings.Builder
	b.WriteString("1.3.6.1.2.1.1.5.0|4|sw\n")
	for col := 1; col <= 5; col++ {
		for row := 1; row <= 10; row++ {
			fmt.Fprintf(&b, "1.3.6.1.2.1.2.2.1.%d.%d|2|%d\n", col, row, row)
		}
	}
	tab, err := ParseSnmprec(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// client is a gosnmp v2c client of agent a.
func client(t *testing.T, a *Agent) *gosnmp.GoSNMP {
	t.Helper()
	host, port, _ := strings.Cut(a.Addr(), ":")
	var p uint16
	fmt.Sscan(port, &p)
	g := &gosnmp.GoSNMP{Target: host, Port: p, Community: "public", Version: gosnmp.Version2c, Timeout: time.Second, MaxOids: 255}
	if err := g.Connect(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Conn.Close() })
	return g
}

// TestOversize checks how each Oversize policy answers requests that do
// not fit: what the collector's walker must cope with.
func TestOversize(t *testing.T) {
	tab := ifTable10(t)
	cols := []string{"1.3.6.1.2.1.2.2.1.1", "1.3.6.1.2.1.2.2.1.2", "1.3.6.1.2.1.2.2.1.3", "1.3.6.1.2.1.2.2.1.4", "1.3.6.1.2.1.2.2.1.5"}
	scalar := []string{"1.3.6.1.2.1.1.5"}
	cases := []struct {
		name    string
		opts    Options
		get     bool // a Get of ten instances, else the GetBulk below
		nonRep  uint8
		maxRep  uint32
		oids    []string
		status  gosnmp.SNMPError
		answers int
	}{
		{"fits", Options{MaxVarbinds: 20}, false, 0, 4, cols, gosnmp.NoError, 20},
		{"truncated to the cap", Options{MaxVarbinds: 12}, false, 0, 4, cols, gosnmp.NoError, 12},
		// 17 bytes a variable: ten fit in a 200-byte message.
		{"truncated to the bytes", Options{MaxMessageSize: 200}, false, 0, 10, cols, gosnmp.NoError, 10},
		{"tooBig for a GetBulk", Options{MaxVarbinds: 12, Oversize: TooBig}, false, 0, 4, cols, gosnmp.TooBig, 0},
		{"tooBig for a Get", Options{MaxVarbinds: 5}, true, 0, 0, nil, gosnmp.TooBig, 0},
		{"snmpsimd: repetitions cut", Options{MaxVarbinds: 12, Oversize: CutRepetitions}, false, 1, 4, append(scalar, cols...), gosnmp.NoError, 1 + 10},
		{"snmpsimd: only non-repeaters", Options{MaxVarbinds: 4, Oversize: CutRepetitions}, false, 1, 4, append(scalar, cols...), gosnmp.NoError, 1},
		{"snmpsimd: nothing is genErr", Options{MaxVarbinds: 4, Oversize: CutRepetitions}, false, 0, 4, cols, gosnmp.GenErr, 0},
		{"snmpsimd: a Get is not capped", Options{MaxVarbinds: 5, Oversize: CutRepetitions}, true, 0, 0, nil, gosnmp.NoError, 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Community = "public"
			a := New(tab, tc.opts)
			if err := a.Listen("127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			g := client(t, a)
			var (
				pkt *gosnmp.SnmpPacket
				err error
			)
			if tc.get {
				var oids []string
				for row := 1; row <= 10; row++ {
					oids = append(oids, fmt.Sprintf("1.3.6.1.2.1.2.2.1.1.%d", row))
				}
				pkt, err = g.Get(oids)
			} else {
				pkt, err = g.GetBulk(tc.oids, tc.nonRep, tc.maxRep)
			}
			if err != nil {
				t.Fatal(err)
			}
			if pkt.Error != tc.status || len(pkt.Variables) != tc.answers {
				t.Errorf("answered %v with %d variables, want %v with %d", pkt.Error, len(pkt.Variables), tc.status, tc.answers)
			}
		})
	}
}

// TestGenErrFault: requests under the faulty subtree get genErr pointing
// at the variable; others are answered.
func TestGenErrFault(t *testing.T) {
	a := New(ifTable10(t), Options{Community: "public"})
	if err := a.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Inject(Fault{Kind: GenErr, Part: "1.3.6.1.2.1.2.2.1.3"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Inject(Fault{Kind: GenErr, Part: "not an oid"}); err == nil {
		t.Error("gen-err on a part that is not an OID was accepted")
	}
	g := client(t, a)
	pkt, err := g.GetBulk([]string{"1.3.6.1.2.1.2.2.1.2", "1.3.6.1.2.1.2.2.1.3.4"}, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if pkt.Error != gosnmp.GenErr || pkt.ErrorIndex != 2 {
		t.Errorf("answered %v index %d, want genErr index 2", pkt.Error, pkt.ErrorIndex)
	}
	pkt, err = g.GetBulk([]string{"1.3.6.1.2.1.2.2.1.2"}, 0, 20)
	if err != nil {
		t.Fatal(err)
	}
	if pkt.Error != gosnmp.NoError || len(pkt.Variables) != 20 {
		t.Errorf("a walk outside the subtree, running into it: %v with %d variables", pkt.Error, len(pkt.Variables))
	}
}
