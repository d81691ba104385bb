package main

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"strings"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/collector/redfish"
	"github.com/faultline/faultline/collector/snmp"
	"github.com/faultline/faultline/escape"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/observation"
)

func init() {
	register("collect", "poll every managed device once; --out writes the observations", runCollect)
}

// collectFlags are the collection settings shared by collect and serve.
type collectFlags struct {
	timeout     time.Duration
	concurrency int
	caFile      string
	// Budgets per device and poll (0: the collectors' defaults).
	maxRequests, maxMembers int
	maxBytes                int64
}

func (c *collectFlags) add(fs interface {
	DurationVar(*time.Duration, string, time.Duration, string)
	IntVar(*int, string, int, string)
	Int64Var(*int64, string, int64, string)
	StringVar(*string, string, string, string)
}) {
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "deadline per device")
	fs.IntVar(&c.concurrency, "concurrency", 64, "devices polled at once")
	fs.StringVar(&c.caFile, "ca", "", "extra CA `FILE` (PEM) to trust only for Redfish BMCs, e.g. the lab's lab-ca.pem")
	fs.IntVar(&c.maxRequests, "max-requests", 2000, "budget: requests one device may take in one poll (SNMP and Redfish; retries included)")
	fs.IntVar(&c.maxMembers, "max-members", 4096, "budget: members of one Redfish collection read")
	fs.Int64Var(&c.maxBytes, "max-bytes", 32<<20, "budget: `BYTES` of answers read from one device in one poll")
}

// limits checks the budgets (0 stands for the collectors' default).
func (c *collectFlags) limits() error {
	switch {
	case c.maxRequests < 0:
		return fmt.Errorf("--max-requests %d: give a positive number of requests", c.maxRequests)
	case c.maxMembers < 0:
		return fmt.Errorf("--max-members %d: give a positive number of members", c.maxMembers)
	case c.maxBytes < 0 || c.maxBytes > math.MaxInt32:
		return fmt.Errorf("--max-bytes %d: give a positive number of bytes, at most 2 GiB", c.maxBytes)
	}
	return nil
}

func runCollect(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCmd("collect", "[--out FILE] [--timeout D] [--concurrency N] [--ca FILE] [-i] FILE", []string{
		"faultline collect inventory.yaml --out obs.json",
		"faultline audit inventory.yaml --observations obs.json",
	}, stdout, stderr)
	var invf inventoryFlag
	invf.add(c)
	out := c.String("out", "", "write the observations (JSON) to `FILE`")
	var cf collectFlags
	cf.add(c)
	if code, ok := c.parse(args); !ok {
		return code
	}
	file, code, ok := invf.resolve(c)
	if !ok {
		return code
	}
	inv, ok := loadInventory(file, inventory.Options{}, stderr)
	if !ok {
		return exitBadInput
	}
	pollers, err := newPollers(cf, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	targets := collector.Targets(inv)
	if len(targets) == 0 {
		fmt.Fprintf(stderr, "faultline: %s: no device has management: nothing to collect\n", file)
		return exitBadInput
	}
	opts := collector.Options{Concurrency: cf.concurrency, Timeout: cf.timeout}
	progress := isTerminal(stderr)
	if progress {
		opts.Progress = func(done, total int, _ *observation.Device) { drawProgress(stderr, done, total) }
	}
	start := time.Now()
	obs := collector.Run(ctx, targets, pollers, opts)
	if progress {
		fmt.Fprint(stderr, "\r\033[K")
	}
	failed := printCollectSummary(stdout, obs, time.Since(start))
	if *out != "" {
		if err := writeObservations(*out, obs); err != nil {
			fmt.Fprintf(stderr, "faultline: %v\n", err)
			return exitBadInput
		}
		fmt.Fprintf(stdout, "wrote %s\n", *out)
	}
	if failed > 0 {
		return exitFindings
	}
	return exitOK
}

func drawProgress(w io.Writer, done, total int) {
	const width = 30
	n := done * width / max(total, 1)
	fmt.Fprintf(w, "\r[%s%s] %d/%d devices", strings.Repeat("#", n), strings.Repeat(" ", width-n), done, total)
}

func printCollectSummary(w io.Writer, obs []observation.Device, took time.Duration) int {
	failed := 0
	for _, o := range obs {
		status := "ok"
		if o.Error != "" {
			failed++
			status = "failed: " + o.Error
		} else if len(o.PartErrors) > 0 {
			status = fmt.Sprintf("ok, %d part(s) unreadable", len(o.PartErrors))
		}
		// The error may quote what the device answered: one line, no
		// escape sequences.
		fmt.Fprintln(w, escape.Line(fmt.Sprintf("%-16s %-8s %8s %4d req  %s", o.ID, o.Source, time.Duration(o.Duration).Round(time.Millisecond), o.Requests, status)))
	}
	fmt.Fprintf(w, "%d devices polled in %s: %d ok, %d failed\n", len(obs), took.Round(time.Millisecond), len(obs)-failed, failed)
	return failed
}

func writeObservations(path string, obs []observation.Device) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := observation.Write(f, &observation.File{GeneratedAt: time.Now().UTC(), Devices: obs}); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// newPollers builds the protocol pollers. The Redfish poller trusts the
// system roots plus --ca and extra (the in-process lab's CA); an
// inventory entry's own `ca` file overrides both for that BMC.
func newPollers(cf collectFlags, log *slog.Logger, extra *x509.CertPool) ([]collector.Poller, error) {
	var roots *x509.CertPool
	if cf.caFile != "" || extra != nil {
		var err error
		if roots, err = x509.SystemCertPool(); err != nil || roots == nil {
			roots = x509.NewCertPool()
		}
		if cf.caFile != "" {
			pem, err := os.ReadFile(cf.caFile)
			if err != nil {
				return nil, fmt.Errorf("--ca: %w", err)
			}
			if !roots.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("--ca %s: no PEM certificate in it", cf.caFile)
			}
		}
		if extra != nil {
			roots = extra
			if cf.caFile != "" {
				pem, _ := os.ReadFile(cf.caFile)
				roots.AppendCertsFromPEM(pem)
			}
		}
	}
	if err := cf.limits(); err != nil {
		return nil, err
	}
	return []collector.Poller{
		snmp.New(snmp.Options{Logger: log, Limits: snmp.Limits{MaxRequests: cf.maxRequests, MaxBytes: int(cf.maxBytes)}}),
		redfish.New(redfish.Options{Logger: log, RootCAs: roots,
			MaxRequests: cf.maxRequests, MaxMembers: cf.maxMembers, MaxBytes: cf.maxBytes}),
	}, nil
}
