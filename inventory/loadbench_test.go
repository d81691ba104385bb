package inventory_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/fleet"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
)

// BenchmarkCommands measures what a person waits for and how much memory
// the machine needs: validate, audit and diff (of two files) on generated
// fleets of 100k and 1M components, the chunked load ("new") against the
// serial one ("old"), each run in a fresh child process so that its peak
// resident memory (VmHWM) is its own. Each iteration runs old then new, so
// the two see the same machine; the metrics are the last iteration's.
// "New" runs with the garbage collector's target the faultline command
// sets (GOGC=50 unless GOGC is set); "old" with Go's default, as the
// command ran before. Set GOGC to run both alike.
//
//	go test ./inventory -run '^$' -bench BenchmarkCommands -benchtime 1x
func BenchmarkCommands(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		dir := b.TempDir()
		files := [2]string{filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")}
		for i, f := range files {
			if err := writeFleet(f, n, uint64(i+1)); err != nil {
				b.Fatal(err)
			}
		}
		for _, cmd := range []string{"validate", "audit", "diff"} {
			b.Run(fmt.Sprintf("%s/%dk", cmd, n/1000), func(b *testing.B) {
				var old, new childResult
				for range b.N {
					old = runChild(b, "old", cmd, files)
					new = runChild(b, "new", cmd, files)
				}
				b.ReportMetric(old.wall.Seconds(), "old-s")
				b.ReportMetric(new.wall.Seconds(), "new-s")
				b.ReportMetric(new.wall.Seconds()/old.wall.Seconds(), "new/old-time")
				b.ReportMetric(float64(old.hwmKiB)/1024, "old-peak-MiB")
				b.ReportMetric(float64(new.hwmKiB)/1024, "new-peak-MiB")
				b.ReportMetric(float64(new.hwmKiB)/float64(old.hwmKiB), "new/old-peak")
				b.ReportMetric(old.cpu.Seconds(), "old-cpu-s")
				b.ReportMetric(new.cpu.Seconds(), "new-cpu-s")
			})
		}
	}
}

func writeFleet(path string, components int, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fleet.Write(f, fleet.ForComponents(components, seed)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

type childResult struct {
	wall   time.Duration
	cpu    time.Duration // user and system, every thread
	hwmKiB int64
}

const childEnv = "FAULTLINE_LOAD_BENCH_CHILD"

// runChild runs one command in a child process (this test binary, running
// TestLoadBenchChild) and reads back its wall time and peak memory.
func runChild(b *testing.B, mode, cmd string, files [2]string) childResult {
	b.Helper()
	c := exec.Command(os.Args[0], "-test.run=^TestLoadBenchChild$", "-test.count=1")
	c.Env = append(os.Environ(), childEnv+"="+strings.Join([]string{mode, cmd, files[0], files[1]}, "|"))
	out, err := c.CombinedOutput()
	if err != nil {
		b.Fatalf("child %s %s: %v\n%s", mode, cmd, err, out)
	}
	for line := range strings.Lines(string(out)) {
		var r childResult
		var ns, cpu int64
		if _, err := fmt.Sscanf(line, "RESULT %d %d %d", &ns, &cpu, &r.hwmKiB); err == nil {
			r.wall, r.cpu = time.Duration(ns), time.Duration(cpu)
			return r
		}
	}
	b.Fatalf("child %s %s said no result:\n%s", mode, cmd, out)
	return childResult{}
}

// TestLoadBenchChild is BenchmarkCommands's child process; run otherwise,
// it has nothing to do.
func TestLoadBenchChild(t *testing.T) {
	spec := os.Getenv(childEnv)
	if spec == "" {
		t.Skip("the child process of BenchmarkCommands")
	}
	args := strings.Split(spec, "|")
	mode, cmd, files := args[0], args[1], args[2:]
	load := func(path string) (*inventory.Inventory, error) { return inventory.Load(path, inventory.Options{}) }
	if mode == "new" && os.Getenv("GOGC") == "" {
		// As the faultline command runs (cmd/faultline/memory.go).
		debug.SetGCPercent(50)
	}
	if mode == "old" {
		load = func(path string) (*inventory.Inventory, error) {
			data, err := os.ReadFile(path)
			if err != nil {
				return nil, err
			}
			return inventory.ParseSerial(path, data, inventory.Options{})
		}
	}
	start := time.Now()
	var err error
	switch cmd {
	case "validate":
		_, err = ignoreInvalid(load(files[0]))
	case "audit":
		var inv *inventory.Inventory
		if inv, err = ignoreInvalid(load(files[0])); err == nil {
			_, err = auditOf(inv)
		}
	case "diff":
		err = diff(mode, load, files)
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	wall := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	fmt.Printf("RESULT %d %d %d\n", wall.Nanoseconds(), cpu.Nanoseconds(), vmHWM(t))
}

// ignoreInvalid keeps the inventory of a load whose only errors are in the
// file: the generated fleets have deliberate flaws.
func ignoreInvalid(inv *inventory.Inventory, err error) (*inventory.Inventory, error) {
	var ierr *inventory.Error
	if errors.As(err, &ierr) {
		return nil, fmt.Errorf("the generated fleet is invalid: %v", ierr.Diagnostics[0])
	}
	return inv, err
}

func auditOf(inv *inventory.Inventory) ([]audit.Finding, error) {
	g, err := model.Build(inv, nil)
	if err != nil {
		return nil, err
	}
	_, f := audit.Audit(g, audit.Options{})
	return f, nil
}

// diff is faultline diff's work: as it was (old: one load after the
// other, then the audits), and as it is (new: the loads at once, sharing
// a string table, then the audits one after the other, the old inventory
// dropped after its).
func diff(mode string, load func(string) (*inventory.Inventory, error), files []string) error {
	var invs [2]*inventory.Inventory
	var errs [2]error
	if mode == "old" {
		for i := range invs {
			invs[i], errs[i] = ignoreInvalid(load(files[i]))
		}
	} else {
		opts := inventory.Options{Strings: inventory.NewStrings()}
		var wg sync.WaitGroup
		for i := range invs {
			wg.Go(func() { invs[i], errs[i] = ignoreInvalid(inventory.Load(files[i], opts)) })
		}
		wg.Wait()
	}
	if err := errors.Join(errs[:]...); err != nil {
		return err
	}
	var sets [2][]audit.Finding
	for i := range invs {
		f, err := auditOf(invs[i])
		if err != nil {
			return err
		}
		sets[i] = f
		if mode == "new" {
			invs[i] = nil
		}
	}
	audit.DiffFindings(sets[0], sets[1])
	return nil
}

// vmHWM is the process's peak resident memory, in KiB.
func vmHWM(t *testing.T) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}
