package snmp

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gosnmp/gosnmp"

	"github.com/faultline/faultline/lab/snmpsim"
)

// TestSnmpsimd is a differential test of our simulator against a real
// agent: Debian's snmpsimd serves each of the 19 LibreNMS recordings (the
// community is the file's name), and the collector must read the same
// observation through it as through snmpsim serving the same file, and
// the reading TestRecordings states. snmpsimd answers at most 64
// variables a request (genErr, or only the non-repeaters, past that), so
// this also proves the walker adapting to a real agent's limit.
func TestSnmpsimd(t *testing.T) {
	dir := sharedTestdata(t, "snmp/librenms-recordings")
	if _, err := exec.LookPath("snmpsimd"); err != nil {
		t.Skip("snmpsimd is not installed: the differential test against a real agent needs it (apt-get install snmpsim; CI installs it from .ci/apt-packages)")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.snmprec"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recordings in %s: %v", dir, err)
	}
	addr := startSnmpsimd(t, files, recordingCases[0].name)
	p := New(Options{RequestTimeout: 2 * time.Second})
	for _, tc := range recordingCases {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := snmpsim.LoadSnmprec(filepath.Join(dir, tc.name+".snmprec"))
			if err != nil {
				t.Fatal(err)
			}
			ours := startAgent(t, tab, snmpsim.Options{Community: "public"})
			want := pollOnce(t, p, v2cTarget(t, tc.name, "switch", ours.Addr(), "public"), 20*time.Second)
			got := pollOnce(t, p, v2cTarget(t, tc.name, "switch", addr, tc.name), 60*time.Second)
			if got.Error != "" || len(got.PartErrors) > 0 {
				t.Fatalf("through snmpsimd: error %q, part errors %v", got.Error, got.PartErrors)
			}
			if diff := cmp.Diff(want, got, sameReading); diff != "" {
				t.Errorf("snmpsimd and snmpsim serve the recording differently (-snmpsim +snmpsimd):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, summarize(&got)); diff != "" {
				t.Errorf("reading through snmpsimd (-want +got):\n%s\nnote: %s", diff, tc.note)
			}
			t.Logf("%d requests through snmpsimd, %d through snmpsim", got.Requests, want.Requests)
		})
	}
}

// startSnmpsimd serves the recordings with snmpsimd on a free loopback
// port until the test ends, and returns its address once it answers
// (the first start indexes the files, which takes seconds).
func startSnmpsimd(t *testing.T, recordings []string, community string) string {
	t.Helper()
	// Run as root, snmpsimd drops to nobody: its data and cache must not
	// sit inside the test's private (0700) temporary directory. The
	// recordings are copied, so nobody can read them wherever they live.
	data, cache := worldDir(t), worldDir(t)
	for _, f := range recordings {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(data, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	port := freeUDPPort(t)
	args := []string{"--data-dir=" + data, "--cache-dir=" + cache, fmt.Sprintf("--agent-udpv4-endpoint=127.0.0.1:%d", port)}
	if os.Geteuid() == 0 {
		args = append(args, "--process-user=nobody", "--process-group=nogroup")
	}
	proc := startProcess(t, "snmpsimd", args...)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(90 * time.Second)
	for {
		err := probe(port, community)
		if err == nil {
			return addr
		}
		select {
		case <-proc.exited:
			t.Fatalf("snmpsimd exited before answering: %v", proc.err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("snmpsimd did not answer within 90s: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// probe asks the agent for sysDescr once, briefly.
func probe(port int, community string) error {
	c, err := dial(dialConfig{host: "127.0.0.1", port: uint16(port), version: gosnmp.Version2c,
		community: community, requestTimeout: 300 * time.Millisecond})
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = c.GetBulk(ctx, 1, 0, []OID{MustOID("1.3.6.1.2.1.1.1")})
	return err
}

// worldDir makes a directory any user may read and write, removed after.
func worldDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "faultline-snmpsimd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	if err := os.Chmod(d, 0o777); err != nil {
		t.Fatal(err)
	}
	return d
}
