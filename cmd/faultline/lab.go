package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab"
	"github.com/faultline/faultline/lab/redfishsim"
)

func init() {
	register("lab", "run simulated devices for an inventory (lab fault … injects faults)", runLab)
}

func runLab(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "fault" || args[0] == "clear") {
		return runLabFault(ctx, args, stdout, stderr)
	}
	fs := newCmd("lab", "[--admin ADDR] [--ca-dir DIR] [--mockup DEVICE=DIR] [-i] FILE\n       faultline lab fault [--admin ADDR] DEVICE FAULT [PART [VALUE]]\n       faultline lab clear [--admin ADDR] DEVICE", []string{
		"faultline lab inventory.yaml",
		"faultline lab fault db-1 drive-fail data/1",
		"faultline lab clear db-1",
	}, stdout, stderr)
	var invf inventoryFlag
	invf.add(fs)
	admin := fs.String("admin", "127.0.0.1:8079", "admin API `ADDR` for fault injection (loopback)")
	latency := fs.Duration("latency", 0, "latency added to every answer")
	jitter := fs.Duration("jitter", 0, "spread the BMCs' latency by up to ± this")
	legacy := fs.Bool("redfish-legacy", false, "serve the BMCs' trees in the legacy schema (Power, Thermal)")
	mockups := mockupFlag{}
	fs.Var(mockups, "mockup", "serve a Redfish mockup tree for a device: `DEVICE=DIR` (repeatable)")
	caDir := fs.String("ca-dir", ".", "keep the lab CA (lab-ca.pem, and its key lab-ca-key.pem, 0600; made on the first run, limited to .lab, localhost and loopback names) in `DIR`; collectors trust it with --ca DIR/lab-ca.pem")
	var sf sitesFlags
	sf.add(fs.FlagSet)
	if code, ok := fs.parse(args); !ok {
		return code
	}
	var file invSource
	if sf.sites > 0 {
		written, err := sf.writeInventory(*caDir)
		if err != nil {
			fmt.Fprintf(stderr, "faultline: %v\n", err)
			return exitBadInput
		}
		file = invSource{written}
	} else {
		f, code, ok := invf.resolve(fs)
		if !ok {
			return code
		}
		file = f
	}
	inv, ok := loadInventory(file, inventory.Options{}, stderr)
	if !ok {
		return exitBadInput
	}
	ca, err := redfishsim.LoadOrCreateCA(*caDir)
	if err != nil {
		fmt.Fprintf(stderr, "faultline: lab CA: %v\n", err)
		return exitBadInput
	}
	l, err := lab.Start(inv, lab.Options{Latency: *latency, Jitter: *jitter, Legacy: *legacy, Mockups: mockups, CA: ca})
	if err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	defer l.Close()
	ln, err := net.Listen("tcp", *admin)
	if err != nil {
		fmt.Fprintf(stderr, "faultline: lab admin API: %v\n", err)
		return exitBadInput
	}
	srv := &http.Server{Handler: l.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	for _, d := range l.Devices() {
		fmt.Fprintf(stdout, "%-16s %-8s %s\n", d.ID, d.Protocol, d.Address)
	}
	fmt.Fprintf(stdout, "%d simulated devices; admin API on http://%s (faultline lab fault DEVICE FAULT [PART]); Ctrl-C stops\n", len(l.Devices()), ln.Addr())
	fmt.Fprintf(stdout, "the BMCs' certificates come from %s: faultline collect --ca %s\n", filepath.Join(*caDir, "lab-ca.pem"), filepath.Join(*caDir, "lab-ca.pem"))
	if sf.sites > 0 {
		stopNATS, err := sf.start(stdout, file.String(), *caDir)
		if err != nil {
			fmt.Fprintf(stderr, "faultline: %v\n", err)
			return exitBadInput
		}
		defer stopNATS()
	}
	<-ctx.Done()
	return exitOK
}

// runLabFault injects or clears a fault through a running lab's admin API:
//
//	faultline lab fault [--admin ADDR] DEVICE FAULT [PART [VALUE]]
//	faultline lab clear [--admin ADDR] DEVICE
func runLabFault(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	verb := args[0]
	synopsis, examples := "[--admin ADDR] DEVICE FAULT [PART [VALUE]]", []string{"faultline lab fault db-1 drive-fail data/1", "faultline lab fault tor-3b psu-fail PSU2"}
	if verb == "clear" {
		synopsis, examples = "[--admin ADDR] DEVICE", []string{"faultline lab clear db-1"}
	}
	fs := newCmd("lab "+verb, synopsis, examples, stdout, stderr)
	admin := fs.String("admin", "127.0.0.1:8079", "the lab's admin API `ADDR`")
	if code, ok := fs.parse(args[1:]); !ok {
		return code
	}
	rest := fs.args
	if (verb == "fault" && (len(rest) < 2 || len(rest) > 4)) || (verb == "clear" && len(rest) != 1) {
		return fs.usageError("want %s, got %d argument(s)", strings.TrimPrefix(synopsis, "[--admin ADDR] "), len(rest))
	}
	url := fmt.Sprintf("http://%s/devices/%s/faults", *admin, rest[0])
	method, body := http.MethodDelete, []byte(nil)
	if verb == "fault" {
		f := lab.Fault{Kind: rest[1]}
		if len(rest) > 2 {
			f.Part = rest[2]
		}
		if len(rest) > 3 {
			f.Value = rest[3]
		}
		method = http.MethodPost
		body, _ = json.Marshal(f)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "faultline: is the lab running? %v\n", errors.Unwrap(err))
		return exitBadInput
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode >= 300 {
		fmt.Fprintf(stderr, "faultline: %s: %s", resp.Status, msg)
		return exitBadInput
	}
	fmt.Fprintf(stdout, "%s %s: done\n", verb, rest[0])
	return exitOK
}

// mockupFlag collects --mockup DEVICE=DIR.
type mockupFlag map[string]string

func (m mockupFlag) String() string { return "" }

func (m mockupFlag) Set(v string) error {
	id, dir, ok := strings.Cut(v, "=")
	if !ok || id == "" || dir == "" {
		return fmt.Errorf("want DEVICE=DIR, not %q", v)
	}
	m[id] = dir
	return nil
}
