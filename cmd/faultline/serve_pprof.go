package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strconv"
	"time"
)

// pprofFlags is serve's opt-in profiling listener: Go's runtime profiles
// (heap, allocs, goroutine, CPU, trace…) under /debug/pprof/ on an address
// of its own, which must be loopback — the profiles describe the process's
// memory, so they are for whoever is already on the host, never the
// network. Off unless --pprof-listen is given.
type pprofFlags struct {
	listen string
}

func (p *pprofFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&p.listen, "pprof-listen", "", "serve Go's runtime profiles (/debug/pprof/) on `ADDR`, a loopback address only (e.g. 127.0.0.1:6060); off by default")
}

// check refuses an address that is not loopback (a host name too: it
// could resolve to anything).
func (p *pprofFlags) check() error {
	if p.listen == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(p.listen)
	if err != nil {
		return fmt.Errorf("--pprof-listen %q: %v; give HOST:PORT, e.g. 127.0.0.1:6060", p.listen, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--pprof-listen %q: profiles are served on loopback only; use 127.0.0.1:PORT or [::1]:PORT", p.listen)
	}
	return nil
}

// pprofMaxSeconds bounds a CPU profile or trace (?seconds=N): the
// server's write deadline is a little longer.
const pprofMaxSeconds = 60

// start listens and serves the profiles until ctx ends, returning the
// address it listens on (nil when off) at once; a listener it cannot open
// is an error.
func (p *pprofFlags) start(ctx context.Context, log *slog.Logger) (net.Addr, error) {
	if p.listen == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", p.listen)
	if err != nil {
		return nil, fmt.Errorf("--pprof-listen: %w", err)
	}
	srv := &http.Server{Handler: pprofHandler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: (pprofMaxSeconds + 10) * time.Second, IdleTimeout: time.Minute, MaxHeaderBytes: 16 << 10,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug)}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn("pprof listener stopped", "error", err)
		}
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	log.Info("serving runtime profiles", "addr", ln.Addr().String())
	return ln.Addr(), nil
}

// pprofHandler serves the runtime's named profiles and the CPU profile
// and trace, GET only, a duration of at most pprofMaxSeconds. The command
// line (/debug/pprof/cmdline) is left out: it is not a profile, and what
// is in it is none of a profile reader's business.
func pprofHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.Handle("GET /debug/pprof/profile", boundSeconds(http.HandlerFunc(pprof.Profile)))
	mux.Handle("GET /debug/pprof/trace", boundSeconds(http.HandlerFunc(pprof.Trace)))
	mux.Handle("GET /debug/pprof/cmdline", http.NotFoundHandler())
	return mux
}

// boundSeconds refuses a ?seconds= over pprofMaxSeconds.
func boundSeconds(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s := r.URL.Query().Get("seconds"); s != "" {
			if n, err := strconv.Atoi(s); err != nil || n < 1 || n > pprofMaxSeconds {
				http.Error(w, fmt.Sprintf("seconds=%q: give 1 to %d", s, pprofMaxSeconds), http.StatusBadRequest)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}
