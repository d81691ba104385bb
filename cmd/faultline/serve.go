package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/faultline/faultline/api"
	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/engine"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab"
	"github.com/faultline/faultline/report"
)

func init() {
	register("serve", "run the API, periodic collection, history and the report page (--demo: with simulated devices)", runServe)
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newCmd("serve", "[--listen ADDR] [--interval D] [--data DIR] [--demo] [-i] FILE", []string{
		"faultline serve inventory.yaml --data /var/lib/faultline",
		"faultline serve --demo -i inventory.yaml   # simulated devices on loopback",
	}, stdout, stderr)
	var invf inventoryFlag
	invf.add(fs)
	listen := fs.String("listen", "127.0.0.1:8080", "HTTP listen `ADDR`")
	interval := fs.Duration("interval", 5*time.Minute, "time between collections (0: only on request)")
	dataDir := fs.String("data", "", "keep history (observations, findings' first-seen) in `DIR`")
	retention := fs.Duration("retention", 7*24*time.Hour, "with --data: keep observations this long")
	staleAfter := fs.Duration("stale-after", 0, "a device whose last good data is older is unverified (default three intervals)")
	demo := fs.Bool("demo", false, "start simulated devices for the inventory on loopback and collect from them")
	demoFaults := fs.Bool("demo-faults", true, "with --demo: start with a few injected faults (a failed drive, a cable down, a hot inlet) so the live rules have something to say")
	tokenFile := fs.String("token-file", "", "bearer token `FILE` for POST endpoints (or FAULTLINE_TOKEN); without one they are disabled")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	var cf collectFlags
	cf.add(fs)
	var nf natsFlags
	nf.add(fs.FlagSet)
	var wf webFlags
	wf.add(fs.FlagSet)
	if code, ok := fs.parse(args); !ok {
		return code
	}
	file, code, ok := invf.resolve(fs)
	if !ok {
		return code
	}
	intervalSet := false
	fs.Visit(func(f *flag.Flag) { intervalSet = intervalSet || f.Name == "interval" })
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stderr, "faultline: --log-level %q: use debug, info, warn or error\n", *logLevel)
		return exitBadInput
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	token, err := readToken(*tokenFile)
	if err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	if *demo && !intervalSet {
		*interval = 30 * time.Second
	}
	demoToken := false
	if *demo && token == "" {
		// The demo enables the POST endpoints with a one-off random token.
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			fmt.Fprintf(stderr, "faultline: %v\n", err)
			return exitBadInput
		}
		token, demoToken = hex.EncodeToString(b), true
	}
	guard, err := wf.guard(token, log.With("component", "api"))
	if err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}

	var labRun *lab.Lab
	if *demo {
		inv, ok := loadInventory(file, inventory.Options{}, stderr)
		if !ok {
			return exitBadInput
		}
		if labRun, err = lab.Start(inv, lab.Options{Logger: log.With("component", "lab")}); err != nil {
			fmt.Fprintf(stderr, "faultline: demo: %v\n", err)
			return exitBadInput
		}
		defer labRun.Close()
		log.Info("demo: simulated devices started", "devices", len(labRun.Devices()))
		if *demoFaults {
			for _, f := range injectDemoFaults(labRun) {
				fmt.Fprintf(stdout, "demo fault: %s\n", f)
			}
		}
	}
	var labRoots *x509.CertPool
	if labRun != nil {
		labRoots = labRun.RootCAs()
	}
	pollers, err := newPollers(cf, log.With("component", "collector"), labRoots)
	if err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	remote, err := nf.setup(ctx, log)
	if err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	var srv *api.Server
	cfg := engine.Config{
		InventoryFile: file.String(), InventoryFiles: file, Interval: *interval, DataDir: *dataDir, Pollers: pollers, Retention: *retention, StaleAfter: *staleAfter,
		Collect: collector.Options{Concurrency: cf.concurrency, Timeout: cf.timeout},
		Logger:  log.With("component", "engine"),
		OnSnapshot: func(s *engine.Snapshot) {
			if srv != nil {
				srv.Prerender(s)
			}
		},
	}
	if remote != nil {
		defer remote.Close()
		remote.configure(ctx, &cfg)
	}
	eng, err := engine.New(ctx, cfg)
	if err != nil {
		var ierr *inventory.Error
		if errors.As(err, &ierr) {
			for _, d := range ierr.Diagnostics {
				fmt.Fprintln(stderr, d)
			}
			return exitBadInput
		}
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	defer eng.Close()
	if remote != nil {
		if err := remote.check(eng.Snapshot().Inventory, file.String()); err != nil {
			fmt.Fprintf(stderr, "faultline: %v\n", err)
			return exitBadInput
		}
	}
	collectOnly := remote != nil && nf.collectOnly
	if !collectOnly { // a collector audits nothing and serves no API
		srv = api.New(eng, api.Options{Token: token, Logger: log.With("component", "api"), ReportHTML: reportPage, Metrics: append(remote.metrics(), guard.Collectors()...)})
		srv.Prerender(eng.Snapshot())
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	var handler http.Handler = srv
	if collectOnly {
		handler = remote.handler(eng)
	}
	handler = guard.Wrap(handler)
	httpSrv := &http.Server{Handler: handler, MaxHeaderBytes: api.MaxHeaderBytes, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.With("component", "http").Handler(), slog.LevelDebug)} // TLS handshake failures: every port scanner makes them
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- guard.Serve(httpSrv, ln) }() // TLS per --web.config.file; net/http's own errors as JSON
	runDone := make(chan struct{})
	go func() {
		defer close(runDone)
		_ = eng.Run(ctx)
	}()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	if collectOnly {
		fmt.Fprintf(stdout, "faultline collector for %s: %d devices, to NATS; status on %s://%s/healthz and /metrics\n", file, len(remote.targets(eng)), wf.scheme(guard), ln.Addr())
	} else {
		fmt.Fprintf(stdout, "faultline serving %s on %s://%s (report: %s://%s/report)\n", file, wf.scheme(guard), ln.Addr(), wf.scheme(guard), ln.Addr())
	}
	fmt.Fprintf(stdout, "access: %s\n", guard.Describe())
	if *demo {
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		waitForCollection(wctx, eng)
		cancel()
	}
	if !collectOnly {
		printSnapshotSummary(stdout, eng.Snapshot())
	}
	if demoToken {
		fmt.Fprintf(stdout, "demo token for POST endpoints: %s\n  curl -H 'Authorization: Bearer %s' -d '{\"fail\":[\"feed-a\"]}' %s://%s/api/v1/whatif\n", token, token, wf.scheme(guard), ln.Addr())
	}

	for {
		select {
		case <-hup:
			if err := eng.Reload(ctx); err != nil {
				log.Warn("SIGHUP: inventory rejected, keeping the old one", "error", err)
			}
			if err := guard.Reload(); err != nil {
				log.Warn("SIGHUP: web configuration rejected, keeping the old one", "error", err)
			}
		case err := <-errc:
			if !errors.Is(err, http.ErrServerClosed) {
				fmt.Fprintf(stderr, "faultline: %v\n", err)
				stop()
				<-runDone
				return exitBadInput
			}
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_ = httpSrv.Shutdown(sctx)
			cancel()
			<-runDone
			log.Info("stopped")
			return exitOK
		}
	}
}

func readToken(file string) (string, error) {
	if file == "" {
		return strings.TrimSpace(os.Getenv("FAULTLINE_TOKEN")), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	t := strings.TrimSpace(string(b))
	if t == "" {
		return "", fmt.Errorf("token file %s is empty", file)
	}
	return t, nil
}

func waitForCollection(ctx context.Context, eng *engine.Engine) {
	for ctx.Err() == nil {
		if s := eng.Snapshot(); s.Collection != nil {
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// printSnapshotSummary prints the audit's counts by rule and up to two
// critical findings of each rule, so the variety shows at a glance.
func printSnapshotSummary(w io.Writer, s *engine.Snapshot) {
	fmt.Fprintf(w, "audit: %d critical, %d warnings", s.Report.Summary.Critical, s.Report.Summary.Warning)
	if j := s.Collection; j != nil {
		fmt.Fprintf(w, "; collected %d of %d managed devices in %s", j.Devices-j.Failed, s.Observed.Managed, j.Duration.Round(time.Millisecond))
	}
	fmt.Fprintln(w)
	byRule := map[string][]audit.Finding{}
	for _, f := range s.Report.Findings {
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}
	for _, sev := range []audit.Severity{audit.Critical, audit.Warning} {
		var counts []string
		for _, r := range audit.Rules {
			if n := len(byRule[r.ID]); n > 0 && r.Severity == sev {
				counts = append(counts, fmt.Sprintf("%s %d", r.ID, n))
			}
		}
		if len(counts) > 0 {
			fmt.Fprintf(w, "  %s: %s\n", sev, strings.Join(counts, ", "))
		}
	}
	for _, r := range audit.Rules {
		if r.Severity != audit.Critical {
			continue
		}
		for i, f := range byRule[r.ID] {
			if i == 2 {
				fmt.Fprintf(w, "    … %d more %s\n", len(byRule[r.ID])-2, r.ID)
				break
			}
			fmt.Fprintf(w, "  - %s\n", f.Message)
		}
	}
}

// reportPage renders /report for a snapshot: the same page as
// faultline audit -o html, with the live state drawn in.
func reportPage(s *engine.Snapshot) ([]byte, error) {
	var buf bytes.Buffer
	note := fmt.Sprintf("live: %d of %d managed devices collected", s.Observed.Seen, s.Observed.Managed)
	if !s.Reload.OK {
		note += "; the inventory file was changed and rejected: this is the last valid one"
	}
	err := report.HTML(&buf, s.Analysis.G, s.Report, report.HTMLOptions{Inventory: s.InventoryFile, GeneratedAt: s.AuditedAt, Note: note})
	return buf.Bytes(), err
}

// demoFaults are the live problems the demo starts with, where the
// bundled inventory has the devices they need.
var demoFaults = []struct {
	device string
	fault  lab.Fault
	what   string
}{
	{"db-1", lab.Fault{Kind: "drive-fail", Part: "data/1"}, "db-1: drive 1 of the raid10 data volume failed"},
	{"app-1", lab.Fault{Kind: "link-down", Part: "eno2"}, "app-1: eno2 link down (its cable to tor-3b)"},
	{"mail-1", lab.Fault{Kind: "hot-inlet", Value: "34"}, "mail-1: inlet at 34 °C (new equipment in r03 cooks it)"},
}

func injectDemoFaults(l *lab.Lab) []string {
	var done []string
	for _, f := range demoFaults {
		if err := l.Inject(f.device, f.fault); err == nil {
			done = append(done, f.what)
		}
	}
	return done
}
