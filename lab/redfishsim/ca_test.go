package redfishsim_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/lab/redfishsim"
)

// TestCANameConstraints: a lab CA — even one whose key has leaked — signs
// nothing that verifies for a name or address outside the lab. The leaf is
// signed by the CA itself (Leaf signs for any host it is asked), then
// served on 127.0.0.1 and checked by a TLS client that trusts only the lab
// CA and expects the leaf's name: the verification crypto/tls does for the
// Redfish collector when it is given the lab's lab-ca.pem with --ca.
func TestCANameConstraints(t *testing.T) {
	ca, err := redfishsim.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		host string
		ok   bool
	}{
		{"127.0.0.1", true},
		{"127.3.2.1", true},
		{"::1", true},
		{"localhost", true},
		{"bmc-1.lab", true},
		{"db-1.r01.lab", true},
		{"example.com", false},
		{"10.0.0.1", false},
		{"192.168.1.20", false},
		{"::2", false},
		{"bmc.lab.example.com", false},
		{"lab", false}, // ".lab" permits the names under it only
	} {
		t.Run(tc.host, func(t *testing.T) {
			leaf, err := ca.Leaf(tc.host)
			if err != nil {
				t.Fatal(err)
			}
			cert, err := x509.ParseCertificate(leaf.Certificate[0])
			if err != nil {
				t.Fatal(err)
			}
			_, verr := cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: tc.host})
			herr := handshake(t, leaf, ca.Pool(), tc.host)
			if tc.ok {
				if verr != nil || herr != nil {
					t.Fatalf("a lab leaf for %s is refused: verify: %v; handshake: %v", tc.host, verr, herr)
				}
				return
			}
			var cons x509.CertificateInvalidError
			if !errors.As(verr, &cons) || cons.Reason != x509.CANotAuthorizedForThisName {
				t.Errorf("verify of a lab-signed leaf for %s: %v, want the CA not authorized for this name", tc.host, verr)
			}
			if herr == nil || !errors.As(herr, &cons) || cons.Reason != x509.CANotAuthorizedForThisName {
				t.Errorf("handshake with a lab-signed leaf for %s: %v, want the CA not authorized for this name", tc.host, herr)
			}
		})
	}
}

// handshake serves leaf on 127.0.0.1 and connects to it as a client that
// trusts roots and expects the server to be name, returning the client's
// verification error.
func handshake(t *testing.T, leaf *tls.Certificate, roots *x509.CertPool, name string) error {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{*leaf}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		_ = c.(*tls.Conn).Handshake()
	}()
	d := &net.Dialer{Timeout: 5 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", ln.Addr().String(), &tls.Config{RootCAs: roots, ServerName: name})
	if err != nil {
		return err
	}
	return c.Close()
}

func TestCACertificateConstraints(t *testing.T) {
	ca, err := redfishsim.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(ca.PEM())
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	var ips []string
	for _, r := range c.PermittedIPRanges {
		ips = append(ips, r.String())
	}
	if !c.PermittedDNSDomainsCritical || strings.Join(c.PermittedDNSDomains, ",") != ".lab,localhost" || strings.Join(ips, ",") != "127.0.0.0/8,::1/128" {
		t.Errorf("name constraints: critical %t, DNS %v, IP %v", c.PermittedDNSDomainsCritical, c.PermittedDNSDomains, ips)
	}
	if !c.MaxPathLenZero || c.MaxPathLen != 0 {
		t.Error("the lab CA may sign intermediate CAs")
	}
}

// TestLoadOrCreateCARefuses: a saved CA that is unsafe to reuse is
// refused with what to do, not used.
func TestLoadOrCreateCARefuses(t *testing.T) {
	unconstrainedCert, unconstrainedKey := oldCA(t)
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"unconstrained, as earlier versions made", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "lab-ca.pem"), unconstrainedCert, 0o644)
			write(t, filepath.Join(dir, "lab-ca-key.pem"), unconstrainedKey, 0o600)
		}, "is not limited to lab names"},
		{"key readable by others", func(t *testing.T, dir string) {
			if err := os.Chmod(filepath.Join(dir, "lab-ca-key.pem"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "chmod 600"},
		{"key of another CA", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "lab-ca-key.pem"), unconstrainedKey, 0o600)
		}, "do not belong together"},
		{"key missing", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, "lab-ca-key.pem")); err != nil {
				t.Fatal(err)
			}
		}, "load ca"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := redfishsim.LoadOrCreateCA(dir); err != nil {
				t.Fatal(err)
			}
			tc.setup(t, dir)
			_, err := redfishsim.LoadOrCreateCA(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadOrCreateCA: %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// oldCA makes a CA the way faultline did before name constraints.
func oldCA(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "faultline lab CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true, MaxPathLenZero: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kd, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd})
}

func write(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
