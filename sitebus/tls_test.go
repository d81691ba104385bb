package sitebus

import (
	"context"
	"crypto/tls"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/faultline/faultline/lab/redfishsim"
)

// TestTLS: a server with a certificate from a private CA is reached over
// tls:// with --nats-ca, and refused, saying so, without it.
func TestTLS(t *testing.T) {
	ca, err := redfishsim.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Leaf("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "nats-ca.pem")
	if err := ca.WritePEM(caFile); err != nil {
		t.Fatal(err)
	}
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true,
		TLS: true, TLSTimeout: 2, TLSConfig: &tls.Config{Certificates: []tls.Certificate{*leaf}, MinVersion: tls.VersionTLS12}})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	defer srv.Shutdown()
	url := fmt.Sprintf("tls://%s", srv.Addr().String())

	b, err := Connect(context.Background(), Options{URL: url, CAFile: caFile, Timeout: 3 * time.Second})
	if err != nil {
		t.Fatalf("with the CA: %v", err)
	}
	if !b.nc.TLSRequired() {
		t.Error("connected without TLS")
	}
	b.Close()

	_, err = Connect(context.Background(), Options{URL: url, Timeout: 3 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("without the CA: %v, want a certificate error", err)
	}
	_, err = Connect(context.Background(), Options{URL: url, CAFile: filepath.Join(t.TempDir(), "missing.pem")})
	if err == nil || !strings.Contains(err.Error(), "--nats-ca") {
		t.Fatalf("a missing CA file: %v", err)
	}
	_, err = Connect(context.Background(), Options{URL: url, CredsFile: filepath.Join(t.TempDir(), "missing.creds")})
	if err == nil || !strings.Contains(err.Error(), "--nats-creds") {
		t.Fatalf("a missing credentials file: %v", err)
	}
}
