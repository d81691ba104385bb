package main

import (
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
)

func init() {
	register("serve", "run the API, periodic collection, history and the report page (--demo: with simulated devices)", runServe)
}

// runServe is serve: its flags become a serveConfig, the config a
// serveApp (the simulated lab, the pollers, NATS, the engine, the API and
// the listener), and the app runs until its context ends. Bad input exits
// 2; a failure at run time (the listen address taken, the server failing,
// the lab not starting) exits 3, so that a supervisor restarts on the one
// and not on the other.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, code, ok := parseServe(args, stdout, stderr)
	if !ok {
		return code
	}
	app, code, ok := newServeApp(ctx, c, stdout, stderr)
	if !ok {
		return code
	}
	defer app.Close()
	return app.Run(ctx, stdout, stderr)
}

// serveConfig is serve's command line, checked.
type serveConfig struct {
	file                        invSource
	listen                      string
	interval, retention, stale  time.Duration
	dataDir                     string
	demo, demoFaults, demoToken bool
	reliability                 bool
	token                       string
	log                         *slog.Logger
	collect                     collectFlags
	nats                        natsFlags
	web                         webFlags
	pprof                       pprofFlags
	work                        api.WorkLimits
	guard                       *api.Guard
}

func parseServe(args []string, stdout, stderr io.Writer) (*serveConfig, int, bool) {
	fs := newCmd("serve", "[--listen ADDR] [--interval D] [--data DIR] [--demo] [-i] FILE", []string{
		"faultline serve inventory.yaml --data /var/lib/faultline",
		"faultline serve --demo -i inventory.yaml   # simulated devices on loopback",
	}, stdout, stderr)
	c := &serveConfig{}
	var invf inventoryFlag
	invf.add(fs)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8080", "HTTP listen `ADDR`")
	fs.DurationVar(&c.interval, "interval", 5*time.Minute, "time between collections (0: only on request)")
	fs.StringVar(&c.dataDir, "data", "", "keep history (observations, findings' first-seen) in `DIR`")
	fs.DurationVar(&c.retention, "retention", 7*24*time.Hour, "with --data: keep observations this long")
	fs.DurationVar(&c.stale, "stale-after", 0, "a device whose last good data is older is unverified (default three intervals)")
	fs.BoolVar(&c.reliability, "reliability", true, "compute each service's expected downtime in every audit (the report's reliability object, findings' downtime, the downtime metrics); false saves the cost on a large fleet")
	fs.BoolVar(&c.demo, "demo", false, "start simulated devices for the inventory on loopback and collect from them")
	fs.BoolVar(&c.demoFaults, "demo-faults", true, "with --demo: start with a few injected faults (a failed drive, a cable down, a hot inlet) so the live rules have something to say")
	tokenFile := fs.String("token-file", "", "bearer token `FILE` for POST endpoints (or FAULTLINE_TOKEN); without one they are disabled")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	c.collect.add(fs)
	c.nats.add(fs.FlagSet)
	c.web.add(fs.FlagSet)
	c.pprof.add(fs.FlagSet)
	var kf workFlags
	kf.add(fs.FlagSet)
	if code, ok := fs.parse(args); !ok {
		return nil, code, false
	}
	bad := func(err error) (*serveConfig, int, bool) {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return nil, exitBadInput, false
	}
	var err error
	if c.work, err = kf.limits(); err != nil {
		return bad(err)
	}
	if err := c.pprof.check(); err != nil {
		return bad(err)
	}
	file, code, ok := invf.resolve(fs)
	if !ok {
		return nil, code, false
	}
	c.file = file
	intervalSet := false
	fs.Visit(func(f *flag.Flag) { intervalSet = intervalSet || f.Name == "interval" })
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return bad(fmt.Errorf("--log-level %q: use debug, info, warn or error", *logLevel))
	}
	c.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if c.token, err = readToken(*tokenFile); err != nil {
		return bad(err)
	}
	if c.demo && !intervalSet {
		c.interval = 30 * time.Second
	}
	if c.demo && c.token == "" {
		// The demo enables the POST endpoints with a one-off random token.
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			fmt.Fprintf(stderr, "faultline: %v\n", err)
			return nil, exitRuntime, false
		}
		c.token, c.demoToken = hex.EncodeToString(b), true
	}
	if c.guard, err = c.web.guard(c.token, c.log.With("component", "api")); err != nil {
		return bad(err)
	}
	return c, 0, true
}

// serveApp is a running serve's parts: the engine in its role — an
// auditor (the engine audits and the API serves it) or, with --nats
// --collect-only, a site collector (the engine collects and publishes;
// only its status endpoints are served); exactly one of the two is set.
type serveApp struct {
	c         *serveConfig
	lab       *lab.Lab
	remote    *natsSetup
	eng       *engine.Engine
	auditor   *auditor
	collector *siteCollector
	ln        net.Listener
}

func newServeApp(ctx context.Context, c *serveConfig, stdout, stderr io.Writer) (app *serveApp, code int, ok bool) {
	a := &serveApp{c: c}
	defer func() {
		if !ok {
			a.Close()
		}
	}()
	fail := func(code int, err error) (*serveApp, int, bool) {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return nil, code, false
	}
	log := c.log
	if c.demo {
		inv, ok := loadInventory(c.file, inventory.Options{}, stderr)
		if !ok {
			return nil, exitBadInput, false
		}
		l, err := lab.Start(inv, lab.Options{Logger: log.With("component", "lab")})
		if err != nil {
			return fail(exitRuntime, fmt.Errorf("demo: %w", err))
		}
		a.lab = l
		log.Info("demo: simulated devices started", "devices", len(l.Devices()))
		if c.demoFaults {
			for _, f := range injectDemoFaults(l) {
				fmt.Fprintf(stdout, "demo fault: %s\n", f)
			}
		}
	}
	var labRoots *x509.CertPool
	if a.lab != nil {
		labRoots = a.lab.RootCAs()
	}
	pollers, err := newPollers(c.collect, log.With("component", "collector"), labRoots)
	if err != nil {
		return fail(exitBadInput, err)
	}
	if a.remote, err = c.nats.setup(ctx, log); err != nil {
		return fail(exitBadInput, err)
	}
	cfg := engine.Config{
		InventoryFile: c.file.String(), InventoryFiles: c.file, Interval: c.interval, DataDir: c.dataDir, Pollers: pollers, Retention: c.retention, StaleAfter: c.stale, NoReliability: !c.reliability,
		Collect: collector.Options{Concurrency: c.collect.concurrency, Timeout: c.collect.timeout},
		Logger:  log.With("component", "engine"),
		OnSnapshot: func(s *engine.Snapshot) {
			if a.auditor != nil {
				a.auditor.prerender(s)
			}
		},
	}
	if a.remote != nil {
		a.remote.configure(ctx, &cfg)
	}
	if a.eng, err = engine.New(ctx, cfg); err != nil {
		var ierr *inventory.Error
		if errors.As(err, &ierr) {
			for _, d := range ierr.Diagnostics {
				fmt.Fprintln(stderr, d)
			}
			return nil, exitBadInput, false
		}
		return fail(exitBadInput, err) // the inventory unreadable, --data held or unusable
	}
	if a.remote != nil {
		if err := a.remote.check(a.eng.Snapshot().Inventory, c.file.String()); err != nil {
			return fail(exitBadInput, err)
		}
	}
	if a.remote != nil && c.nats.collectOnly { // a collector audits nothing and serves no API
		a.collector = newSiteCollector(a.eng, a.remote)
	} else {
		a.auditor = newAuditor(a.eng, c, a.remote)
	}
	if a.ln, err = net.Listen("tcp", c.listen); err != nil {
		return fail(exitRuntime, err)
	}
	return a, 0, true
}

// Close releases what the app holds, in the reverse order of its making.
func (a *serveApp) Close() {
	if a.ln != nil {
		a.ln.Close()
	}
	if a.eng != nil {
		a.eng.Close()
	}
	if a.remote != nil {
		a.remote.Close()
	}
	if a.lab != nil {
		a.lab.Close()
	}
}

// Run serves until ctx ends (exit 0) or the server fails (exit 3),
// reloading the inventory and the web configuration on SIGHUP.
func (a *serveApp) Run(ctx context.Context, stdout, stderr io.Writer) int {
	c, log := a.c, a.c.log
	handler := c.guard.Wrap(a.role().handler())
	httpSrv := &http.Server{Handler: handler, MaxHeaderBytes: api.MaxHeaderBytes, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: serveWriteTimeout, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.With("component", "http").Handler(), slog.LevelDebug)} // TLS handshake failures: every port scanner makes them
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	if _, err := c.pprof.start(ctx, log.With("component", "pprof")); err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitRuntime
	}
	errc := make(chan error, 1)
	ln := a.ln
	a.ln = nil                                         // the server owns it now
	go func() { errc <- c.guard.Serve(httpSrv, ln) }() // TLS per --web.config.file; net/http's own errors as JSON
	runDone := make(chan struct{})
	go func() {
		defer close(runDone)
		_ = a.eng.Run(ctx)
	}()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	a.announce(ctx, ln.Addr(), stdout)
	for {
		select {
		case <-hup:
			if err := a.eng.Reload(ctx); err != nil {
				log.Warn("SIGHUP: inventory rejected, keeping the old one", "error", err)
			}
			if err := c.guard.Reload(); err != nil {
				log.Warn("SIGHUP: web configuration rejected, keeping the old one", "error", err)
			}
		case err := <-errc:
			if !errors.Is(err, http.ErrServerClosed) {
				fmt.Fprintf(stderr, "faultline: %v\n", err)
				stop()
				<-runDone
				return exitRuntime
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

// announce prints where the app serves, and for the demo its first audit
// and its token.
func (a *serveApp) announce(ctx context.Context, addr net.Addr, stdout io.Writer) {
	c := a.c
	scheme := c.web.scheme(c.guard)
	a.role().announce(stdout, c.file.String(), scheme, addr)
	fmt.Fprintf(stdout, "access: %s\n", c.guard.Describe())
	if c.demo {
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		waitForCollection(wctx, a.eng)
		cancel()
	}
	if a.auditor != nil {
		printSnapshotSummary(stdout, a.eng.Snapshot())
	}
	if c.demoToken {
		fmt.Fprintf(stdout, "demo token for POST endpoints: %s\n  curl -H 'Authorization: Bearer %s' -d '{\"fail\":[\"feed-a\"]}' %s://%s/api/v1/whatif\n", c.token, c.token, scheme, addr)
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
func reportPage(s *engine.Snapshot) ([]byte, error) { return reportWhatIfPage(s, nil, nil, nil) }

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
