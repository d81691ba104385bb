package snmp

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// freeUDPPort returns a loopback UDP port nobody is using now.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// process is a real agent started for a test.
type process struct {
	name string
	out  *syncBuffer
	// exited is closed when the process ends; err is then its exit error.
	exited chan struct{}
	err    error
}

// startProcess runs a real agent for the test and stops it after; its
// output is logged if the test fails.
func startProcess(t *testing.T, name string, args ...string) *process {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (apt-get install snmpsim snmpd snmp; CI installs them from .ci/apt-packages)", name)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append(os.Environ(), "MIBS=", "MIBDIRS=/nonexistent")
	p := &process{name: name, out: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("%s: %v", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		cancel()
		<-p.exited
		if t.Failed() {
			t.Logf("%s output:\n%s", name, p.out)
		}
	})
	return p
}

// syncBuffer is an output buffer a process writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSnmpdV3 reads net-snmp's snmpd over SNMPv3 authPriv (SHA/AES), and
// checks a wrong password fails clearly.
func TestSnmpdV3(t *testing.T) {
	if testing.Short() {
		t.Skip("starts snmpd")
	}
	if _, err := exec.LookPath("snmpd"); err != nil {
		t.Skip("snmpd is not installed (apt-get install snmpd; CI installs it from .ci/apt-packages)")
	}
	dir := t.TempDir()
	port := freeUDPPort(t)
	conf := filepath.Join(dir, "snmpd.conf")
	cfg := fmt.Sprintf("agentAddress udp:127.0.0.1:%d\ncreateUser audit SHA \"authpassword1\" AES \"privpassword1\"\nrouser audit priv\nsysName faultline-snmpd\n", port)
	if err := os.WriteFile(conf, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SNMP_PERSISTENT_DIR", dir)
	startProcess(t, "snmpd", "-f", "-Lo", "-C", "-c", conf, "--persistentDir="+dir, "-p", filepath.Join(dir, "pid"))
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	p := New(Options{RequestTimeout: time.Second})
	deadline := time.Now().Add(15 * time.Second)
	for {
		d := pollOnce(t, p, v3Target(t, addr, "SHA", "authpassword1", "AES", "privpassword1"), 10*time.Second)
		if d.Error == "" {
			if d.Identity == nil || d.Identity.SysName != "faultline-snmpd" || len(d.Ports) == 0 {
				t.Errorf("read %+v with %d ports", d.Identity, len(d.Ports))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(d.Error)
		}
		time.Sleep(300 * time.Millisecond)
	}
	d := pollOnce(t, p, v3Target(t, addr, "SHA", "wrong-password", "AES", "privpassword1"), 3*time.Second)
	if !strings.Contains(d.Error, "authentication failed") || strings.Contains(d.Error, "wrong-password") {
		t.Errorf("wrong password: %q", d.Error)
	}
}
