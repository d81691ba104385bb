package main

import (
	"flag"
	"log/slog"

	"github.com/faultline/faultline/api"
)

// webFlags are serve's TLS and access flags: the web configuration file
// of the Prometheus exporters (TLS, client certificates, basic auth) and
// whether reads need credentials.
type webFlags struct {
	configFile string
	authReads  bool
}

func (w *webFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&w.configFile, "web.config.file", "", "web configuration `FILE` in the Prometheus exporters' format: TLS (tls_server_config), client certificates, basic auth users (bcrypt); re-read on SIGHUP")
	fs.BoolVar(&w.authReads, "auth-reads", false, "require credentials — the bearer token, a basic auth user or a verified client certificate — for every request but GET /healthz (basic_auth_users in the web configuration do so too)")
}

// guard loads the web configuration (an invalid one is bad input).
func (w *webFlags) guard(token string, log *slog.Logger) (*api.Guard, error) {
	return api.NewGuard(api.GuardOptions{WebConfigFile: w.configFile, Token: token, AuthReads: w.authReads, Logger: log})
}

func (w *webFlags) scheme(g *api.Guard) string {
	if g.TLS() {
		return "https"
	}
	return "http"
}
