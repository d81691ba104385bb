package snmpsim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
)

// v3Client is a gosnmp SNMPv3 (SHA/AES) client of agent a that keeps its
// engine boots and time between requests, as a long-lived manager does.
func v3Client(t *testing.T, a *Agent, authPass string) *gosnmp.GoSNMP {
	t.Helper()
	host, port, _ := strings.Cut(a.Addr(), ":")
	var p uint16
	fmt.Sscan(port, &p)
	g := &gosnmp.GoSNMP{Target: host, Port: p, Version: gosnmp.Version3, Timeout: time.Second, MaxOids: 255,
		SecurityModel: gosnmp.UserSecurityModel, MsgFlags: gosnmp.AuthPriv,
		SecurityParameters: &gosnmp.UsmSecurityParameters{UserName: "audit",
			AuthenticationProtocol: gosnmp.SHA, AuthenticationPassphrase: authPass,
			PrivacyProtocol: gosnmp.AES, PrivacyPassphrase: "privpassword1"}}
	if err := g.Connect(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Conn.Close() })
	return g
}

// TestTimeWindow: an authenticated request whose engine boots or time
// are off (a replay, or a manager that missed a reboot) gets an
// authenticated notInTimeWindow report with the engine's clock, and a
// manager that resynchronizes is then answered (RFC 3414 3.2 step 7).
func TestTimeWindow(t *testing.T) {
	cases := []struct {
		name   string
		change func(a *Agent)
		report bool // a notInTimeWindow report comes first
	}{
		{"nothing changed", func(*Agent) {}, false},
		{"rebooted", func(a *Agent) {
			if err := a.Inject(Fault{Kind: Reboot}); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"clock 100s ahead, within the window", func(a *Agent) { shiftClock(a, 100*time.Second) }, false},
		{"clock 200s ahead", func(a *Agent) { shiftClock(a, 200*time.Second) }, true},
		{"clock 200s behind", func(a *Agent) { shiftClock(a, -200*time.Second) }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := New(ifTable10(t), Options{Users: []User{{Name: "audit", Auth: "SHA", AuthPass: "authpassword1", Priv: "AES", PrivPass: "privpassword1"}}})
			if err := a.Listen("127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			shiftClock(a, 300*time.Second) // up five minutes, so that the clock can go back
			g := v3Client(t, a, "authpassword1")
			if _, err := g.Get([]string{"1.3.6.1.2.1.1.5.0"}); err != nil {
				t.Fatal(err)
			}
			tc.change(a)
			before, untimely := a.Requests(), a.usm.untimely.Load()
			pkt, err := g.Get([]string{"1.3.6.1.2.1.1.5.0"})
			if err != nil || len(pkt.Variables) != 1 || string(pkt.Variables[0].Value.([]byte)) != "sw" {
				t.Fatalf("after the change: %v %+v", err, pkt)
			}
			want := int64(1)
			if tc.report {
				want = 2
			}
			if got := a.Requests() - before; got != want || (a.usm.untimely.Load() > untimely) != tc.report {
				t.Errorf("%d requests (%d reports), want %d", got, a.usm.untimely.Load()-untimely, want)
			}
		})
	}
}

// shiftClock moves the engine's notion of snmpEngineTime by d.
func shiftClock(a *Agent, d time.Duration) {
	c := a.usm.clock.Load()
	a.usm.clock.Store(&engineClock{boots: c.boots, started: c.started.Add(-d)})
}

// TestTimeWindowNeedsAuth: a message with a wrong digest is refused as
// such, not told the engine's clock.
func TestTimeWindowNeedsAuth(t *testing.T) {
	a := New(ifTable10(t), Options{Users: []User{{Name: "audit", Auth: "SHA", AuthPass: "authpassword1", Priv: "AES", PrivPass: "privpassword1"}}})
	if err := a.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	shiftClock(a, 300*time.Second)
	g := v3Client(t, a, "not-the-password")
	if _, err := g.Get([]string{"1.3.6.1.2.1.1.5.0"}); err == nil {
		t.Fatal("a wrong password was answered")
	}
	if n := a.usm.untimely.Load(); n != 0 {
		t.Errorf("%d notInTimeWindow reports to an unauthenticated manager", n)
	}
}
