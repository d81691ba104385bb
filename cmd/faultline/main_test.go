package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab"
)

// cli runs the command in-process.
func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func TestExitCodes(t *testing.T) {
	bad := filepath.Join("..", "..", "inventory", "testdata", "invalid", "dangling-pdu.yaml")
	cases := []struct {
		name string
		args []string
		code int
		out  string // substring of stdout+stderr
	}{
		{"validate ok", []string{"validate", "-i", "../../inventory.yaml"}, 0, "ok: 2 sites"},
		{"validate errors", []string{"validate", "-i", bad}, 2, `unknown pdu "pdu-r1-b"; did you mean "pdu-r01-b"?`},
		{"validate missing file", []string{"validate", "-i", "nope.yaml"}, 2, "no such file"},
		{"audit critical", []string{"audit", "-i", "../../inventory.yaml", "-o", "json"}, 1, `"rule": "spof"`},
		{"audit html", []string{"audit", "-i", "../../inventory.yaml", "-o", "html"}, 1, "<svg"},
		{"whatif html refused", []string{"whatif", "-i", "../../inventory.yaml", "--fail", "feed-a", "-o", "html"}, 2, "report page"},
		{"audit bad format", []string{"audit", "-i", "../../inventory.yaml", "-o", "yaml"}, 2, "unknown output format"},
		{"audit bad threshold", []string{"audit", "-i", "../../inventory.yaml", "--fail-on", "info"}, 2, "--fail-on"},
		{"audit clean", []string{"audit", "-i", "../../report/testdata/diff/nfs-fixed.yaml", "-o", "table"}, 1, "grid"},
		{"whatif down", []string{"whatif", "-i", "../../inventory.yaml", "--fail", "feed-a", "-o", "table"}, 1, "GOES DOWN"},
		{"whatif survives", []string{"whatif", "-i", "../../inventory.yaml", "--fail", "pdu-r02-a", "-o", "table"}, 0, "what if pdu-r02-a fails"},
		{"whatif unknown", []string{"whatif", "-i", "../../inventory.yaml", "--fail", "pdu-r3-a"}, 2, `did you mean "pdu-r03-a"?`},
		{"whatif link end", []string{"whatif", "-i", "../../inventory.yaml", "--fail", "app-1:eno1", "-o", "json"}, 0, `"app-1:eno1~tor-3a:Ethernet3"`},
		{"whatif nothing", []string{"whatif", "-i", "../../inventory.yaml"}, 2, "needs --fail"},
		{"diff shrinks causes", []string{"diff", "-o", "table", "../../report/testdata/cases/nfs.yaml", "../../report/testdata/diff/nfs-fixed.yaml"}, 0, "0 introduced, 2 changed, 0 resolved"},
		{"diff grows causes", []string{"diff", "-o", "json", "../../report/testdata/diff/nfs-fixed.yaml", "../../report/testdata/cases/nfs.yaml"}, 1, `"causes_added": [`},
		{"diff usage", []string{"diff", "one.yaml"}, 2, "usage"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := cli(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			if !strings.Contains(out+errOut, tc.out) {
				t.Errorf("output lacks %q\nstdout: %s\nstderr: %s", tc.out, out, errOut)
			}
		})
	}
}

func TestGenValidates(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "fleet.yaml")
	if code, _, errOut := cli(t, "gen", "--racks", "3", "--servers-per-rack", "5", "--seed", "7", "--out", path); code != 0 {
		t.Fatalf("gen: %d %s", code, errOut)
	}
	first, _ := os.ReadFile(path)
	if code, out, errOut := cli(t, "validate", "-i", path); code != 0 {
		t.Fatalf("validate generated fleet: %d %s %s", code, out, errOut)
	}
	_, again, _ := cli(t, "gen", "--racks", "3", "--servers-per-rack", "5", "--seed", "7")
	if again != string(first) {
		t.Error("gen is not deterministic for a seed")
	}
}

// freePort returns a free UDP port on 127.0.0.1.
func freePort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// TestCollectAuditThroughTheLab: simulated SNMP devices, the real
// collector, the observations file, and the live audit: a failed PSU and a
// downed port become findings.
func TestCollectAuditThroughTheLab(t *testing.T) {
	t.Setenv("FAULTLINE_TEST_COMMUNITY", "lab-secret")
	dir := t.TempDir()
	src := fmt.Sprintf(`version: 1
sites: [{id: s1}]
racks: [{id: r1, site: s1}, {id: r2, site: s1}]
power:
  - {id: grid, kind: utility, site: s1}
  - {id: pdu-a, kind: pdu, rack: r1, inputs: [grid], outlets: 8}
  - {id: pdu-b, kind: pdu, rack: r2, inputs: [grid], outlets: 8}
devices:
  - id: sw-1
    kind: switch
    rack: r1
    psus: [{id: PSU1, pdu: pdu-a, outlet: 1}, {id: PSU2, pdu: pdu-b, outlet: 1}]
    management: {snmp: {address: "127.0.0.1:%d", community: "${env:FAULTLINE_TEST_COMMUNITY}"}}
  - id: sw-2
    kind: switch
    rack: r2
    psus: [{id: PSU1, pdu: pdu-a, outlet: 2}, {id: PSU2, pdu: pdu-b, outlet: 2}]
    management: {snmp: {address: "127.0.0.1:%d", community: "${env:FAULTLINE_TEST_COMMUNITY}"}}
  - id: app-1
    kind: server
    rack: r1
    psus: [{id: PSU1, pdu: pdu-a, outlet: 3}, {id: PSU2, pdu: pdu-b, outlet: 3}]
links:
  - {a: "sw-1:Ethernet48", b: "sw-2:Ethernet48"}
  - {a: "app-1:eno1", b: "sw-1:Ethernet1"}
  - {a: "app-1:eno2", b: "sw-2:Ethernet1"}
network:
  roots: [sw-1, sw-2]
services:
  - {id: app, members: [app-1]}
`, freePort(t), freePort(t))
	invPath := filepath.Join(dir, "inventory.yaml")
	if err := os.WriteFile(invPath, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Load(invPath, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := lab.Start(inv, lab.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Inject("sw-1", lab.Fault{Kind: "psu-fail", Part: "PSU2"}); err != nil {
		t.Fatal(err)
	}
	if err := l.Inject("sw-2", lab.Fault{Kind: "port-down", Part: "Ethernet1"}); err != nil {
		t.Fatal(err)
	}
	obsPath := filepath.Join(dir, "obs.json")
	code, out, errOut := cli(t, "collect", "-i", invPath, "--out", obsPath, "--timeout", "5s")
	if code != 0 || !strings.Contains(out, "2 devices polled") {
		t.Fatalf("collect: %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, "lab-secret") {
		t.Error("collect printed the community")
	}
	code, out, errOut = cli(t, "audit", "-i", invPath, "--observations", obsPath, "-o", "json")
	if code != 1 {
		t.Fatalf("audit: exit %d, want 1 (critical findings)\n%s\n%s", code, out, errOut)
	}
	var r audit.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, f := range r.Findings {
		ids[f.ID] = true
	}
	for _, want := range []string{
		"component-failed/sw-1/PSU2",
		"component-failed/app-1:eno2~sw-2:Ethernet1",
		// app has one member (a spof by design); with its second uplink
		// down, its first cable, sw-1 and what powers sw-1 are new single
		// points of failure, nearest first.
		"redundancy-lost/app/app-1:eno1~sw-1:Ethernet1",
	} {
		if !ids[want] {
			t.Errorf("missing finding %s; have %v", want, ids)
		}
	}
	for _, f := range r.Findings {
		if f.Rule == "redundancy-lost" && f.Subject == "app" {
			want := []string{"app-1:eno1~sw-1:Ethernet1", "sw-1", "sw-1/PSU1", "pdu-a"}
			if strings.Join(f.Causes, ",") != strings.Join(want, ",") {
				t.Errorf("redundancy-lost causes %v, want %v", f.Causes, want)
			}
			if !strings.Contains(f.Message, "sw-1/PSU2") || !strings.Contains(f.Message, "app-1:eno2~sw-2:Ethernet1") {
				t.Errorf("redundancy-lost does not name what spent the redundancy: %s", f.Message)
			}
		}
	}
}

// TestLabAndCollect: `faultline lab` serves SNMP agents and BMCs (legacy
// schema, TLS from a CA it writes to disk); `faultline collect --ca` reads
// them all; `faultline lab fault` injects a failure the next collection sees.
func TestLabAndCollect(t *testing.T) {
	t.Setenv("LAB_TEST_C", "c0mmunity")
	t.Setenv("LAB_TEST_P", "passw0rd")
	dir := t.TempDir()
	src := fmt.Sprintf(`version: 1
sites: [{id: s1}]
racks: [{id: r1, site: s1}]
power: [{id: pdu-a, kind: pdu, rack: r1}, {id: pdu-b, kind: pdu, rack: r1}]
devices:
  - id: sw-1
    kind: switch
    rack: r1
    psus: [{id: PSU1, pdu: pdu-a}, {id: PSU2, pdu: pdu-b}]
    management: {snmp: {address: "127.0.0.1:%d", community: "${env:LAB_TEST_C}"}}
  - id: srv-1
    kind: server
    rack: r1
    psus: [{id: PSU1, pdu: pdu-a}, {id: PSU2, pdu: pdu-b}]
    storage: [{id: os, raid: raid1, drives: 2}]
    management: {redfish: {endpoint: "https://127.0.0.1:%d", username: audit, password: "${env:LAB_TEST_P}"}}
links:
  - {a: "srv-1:eno1", b: "sw-1:Ethernet1"}
`, freePort(t), freeTCPPort(t))
	invPath := filepath.Join(dir, "inventory.yaml")
	if err := os.WriteFile(invPath, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	admin := fmt.Sprintf("127.0.0.1:%d", freeTCPPort(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	labDone := make(chan string)
	go func() {
		var o, e bytes.Buffer
		run(ctx, []string{"lab", "-i", invPath, "--admin", admin, "--ca-dir", dir, "--redfish-legacy"}, &o, &e)
		labDone <- o.String() + e.String()
	}()
	caFile := filepath.Join(dir, "lab-ca.pem")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(caFile); err == nil {
			if c, err := net.Dial("tcp", admin); err == nil {
				c.Close()
				break
			}
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("lab did not start: %s", <-labDone)
		}
		time.Sleep(20 * time.Millisecond)
	}
	obsPath := filepath.Join(dir, "obs.json")
	if code, out, errOut := cli(t, "collect", "-i", invPath, "--ca", caFile, "--out", obsPath); code != 0 || !strings.Contains(out, "2 ok, 0 failed") {
		t.Fatalf("collect: %d\n%s%s", code, out, errOut)
	}
	// A budget of 2 requests a poll is too small for either device: both
	// fail, saying which budget stopped them.
	if code, out, errOut := cli(t, "collect", "-i", invPath, "--ca", caFile, "--out", filepath.Join(dir, "budget.json"), "--max-requests", "2"); code != 1 || !strings.Contains(out, "0 ok, 2 failed") {
		t.Errorf("collect --max-requests 2: %d\n%s%s", code, out, errOut)
	} else if b, err := os.ReadFile(filepath.Join(dir, "budget.json")); err != nil || strings.Count(string(b), "requests") < 2 {
		t.Errorf("the budget errors do not name the request budget: %s %v", b, err)
	}
	if code, out, errOut := cli(t, "lab", "fault", "--admin", admin, "srv-1", "drive-fail", "os/1"); code != 0 {
		t.Fatalf("lab fault: %d %s%s", code, out, errOut)
	}
	if code, out, errOut := cli(t, "collect", "-i", invPath, "--out", obsPath); code != 1 || !strings.Contains(out, "certificate") {
		t.Errorf("collect without the lab CA must fail TLS verification: %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := cli(t, "collect", "-i", invPath, "--ca", caFile, "--out", obsPath); code != 0 {
		t.Fatalf("collect: %d %s", code, errOut)
	}
	_, out, _ := cli(t, "audit", "-i", invPath, "--observations", obsPath, "-o", "json")
	for _, want := range []string{`"raid-degraded/srv-1/os"`, `"component-failed/srv-1/os/1"`} {
		if !strings.Contains(out, want) {
			t.Errorf("audit lacks %s", want)
		}
	}
	if code, _, _ := cli(t, "lab", "fault", "--admin", admin, "ghost", "psu-fail"); code != 2 {
		t.Errorf("a fault for an unknown device: exit %d, want 2", code)
	}
	cancel()
	<-labDone
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
