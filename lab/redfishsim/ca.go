package redfishsim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// CA is a small certificate authority made in memory for a lab: it signs one
// server certificate per simulated BMC address, so a collector can verify
// TLS for real (trusting Pool or PEM) instead of switching verification off.
// Its key leaves the process only through Save (mode 0600).
//
// The CA certificate carries critical X.509 name constraints (Permitted):
// DNS names under .lab and localhost, addresses in 127.0.0.0/8 and ::1.
// A verifier that trusts it — a collector given the lab's lab-ca.pem
// with --ca — therefore rejects anything it signs for any other name or
// address, so a leaked lab CA cannot impersonate a real BMC or website.
type CA struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	leafKey *ecdsa.PrivateKey // shared by every leaf: a lab of 10,000 BMCs should not spend its start making keys
	pem     []byte
	pool    *x509.CertPool

	mu     sync.Mutex
	leaves map[string]*tls.Certificate
	serial int64
}

// Permitted lists the names and addresses a lab CA may sign for; the CA
// certificate carries them as critical name constraints. A DNS constraint
// with a leading dot permits the names under it, one without also the
// name itself (RFC 5280, 4.2.1.10, as Go's crypto/x509 reads it).
var Permitted = struct {
	DNS []string
	IP  []*net.IPNet
}{
	DNS: []string{".lab", "localhost"},
	IP: []*net.IPNet{
		{IP: net.IPv4(127, 0, 0, 0).To4(), Mask: net.CIDRMask(8, 32)},
		{IP: net.IPv6loopback, Mask: net.CIDRMask(128, 128)},
	},
}

// NewCA makes a fresh lab CA (ECDSA P-256, valid for a year, constrained
// to Permitted).
func NewCA() (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("redfishsim: ca key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "faultline lab CA", Organization: []string{"faultline lab"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,

		PermittedDNSDomainsCritical: true,
		PermittedDNSDomains:         Permitted.DNS,
		PermittedIPRanges:           Permitted.IP,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("redfishsim: ca certificate: %w", err)
	}
	return newCA(der, key)
}

func newCA(der []byte, key *ecdsa.PrivateKey) (*CA, error) {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("redfishsim: ca certificate: %w", err)
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("redfishsim: leaf key: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &CA{
		cert:    cert,
		key:     key,
		leafKey: leafKey,
		pem:     pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pool:    pool,
		leaves:  make(map[string]*tls.Certificate),
		serial:  time.Now().UnixNano(), // leaves of a reloaded CA get new serials
	}, nil
}

// The files Save writes in a directory.
const (
	caCertFile = "lab-ca.pem"
	caKeyFile  = "lab-ca-key.pem"
)

// Save writes the CA's certificate (lab-ca.pem, 0644) and private key
// (lab-ca-key.pem, 0600) into dir, so a lab started again serves
// certificates that collectors already trust.
func (ca *CA) Save(dir string) error {
	keyDER, err := x509.MarshalECPrivateKey(ca.key)
	if err != nil {
		return fmt.Errorf("redfishsim: ca key: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, caKeyFile), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return fmt.Errorf("redfishsim: save ca: %w", err)
	}
	return ca.WritePEM(filepath.Join(dir, caCertFile))
}

// LoadOrCreateCA loads the CA saved in dir, or makes one and saves it there.
// A saved CA is refused when its key file is readable by others than its
// owner, and when it lacks the name constraints (a CA made by an earlier
// faultline): the error says which files to remove to make a new one.
func LoadOrCreateCA(dir string) (*CA, error) {
	certPEM, cerr := os.ReadFile(filepath.Join(dir, caCertFile))
	keyPEM, kerr := os.ReadFile(filepath.Join(dir, caKeyFile))
	if errors.Is(cerr, fs.ErrNotExist) && errors.Is(kerr, fs.ErrNotExist) {
		ca, err := NewCA()
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("redfishsim: save ca: %w", err)
		}
		return ca, ca.Save(dir)
	}
	if err := errors.Join(cerr, kerr); err != nil {
		return nil, fmt.Errorf("redfishsim: load ca: %w", err)
	}
	keyPath := filepath.Join(dir, caKeyFile)
	if fi, err := os.Stat(keyPath); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("redfishsim: the lab CA key %s is readable by others (mode %04o): chmod 600 it, or remove %s and %s to make a new CA", keyPath, fi.Mode().Perm(), keyPath, filepath.Join(dir, caCertFile))
	}
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, fmt.Errorf("redfishsim: load ca from %s: not PEM", dir)
	}
	key, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("redfishsim: load ca key: %w", err)
	}
	ca, err := newCA(cb.Bytes, key)
	if err != nil {
		return nil, err
	}
	if !ca.cert.IsCA || time.Now().After(ca.cert.NotAfter) {
		return nil, fmt.Errorf("redfishsim: the CA in %s is not a valid CA certificate (expired?): remove it to make a new one", dir)
	}
	if !constrained(ca.cert) {
		return nil, fmt.Errorf("redfishsim: the lab CA in %s is not limited to lab names (.lab, localhost, 127.0.0.0/8, ::1) — an earlier faultline made it: remove %s and %s to make a new, constrained one, and give collectors the new %s", dir, keyPath, filepath.Join(dir, caCertFile), caCertFile)
	}
	if !key.PublicKey.Equal(ca.cert.PublicKey) {
		return nil, fmt.Errorf("redfishsim: %s and %s in %s do not belong together: remove both to make a new CA", caCertFile, caKeyFile, dir)
	}
	return ca, nil
}

// constrained reports whether c carries exactly the lab's critical name
// constraints and no exclusions that could be mistaken for them.
func constrained(c *x509.Certificate) bool {
	if !c.PermittedDNSDomainsCritical || !slices.Equal(c.PermittedDNSDomains, Permitted.DNS) || len(c.PermittedIPRanges) != len(Permitted.IP) {
		return false
	}
	for i, r := range c.PermittedIPRanges {
		if r.String() != Permitted.IP[i].String() {
			return false
		}
	}
	return true
}

// Pool returns a pool holding only this CA, for a collector's RootCAs.
func (ca *CA) Pool() *x509.CertPool { return ca.pool.Clone() }

// PEM returns the CA certificate in PEM form, for an inventory's `ca:` file.
func (ca *CA) PEM() []byte { return append([]byte(nil), ca.pem...) }

// WritePEM writes the CA certificate to path (mode 0644: it is public).
func (ca *CA) WritePEM(path string) error {
	if err := os.WriteFile(path, ca.pem, 0o644); err != nil {
		return fmt.Errorf("redfishsim: write ca: %w", err)
	}
	return nil
}

// Leaf returns the server certificate for host (an IP address or a DNS
// name), signing it on first use.
func (ca *CA) Leaf(host string) (*tls.Certificate, error) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	if c := ca.leaves[host]; c != nil {
		return c, nil
	}
	ca.serial++
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(ca.serial),
		Subject:      pkix.Name{CommonName: host, Organization: []string{"faultline lab"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(90 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{host}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &ca.leafKey.PublicKey, ca.key)
	if err != nil {
		return nil, fmt.Errorf("redfishsim: certificate for %s: %w", host, err)
	}
	c := &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: ca.leafKey}
	ca.leaves[host] = c
	return c, nil
}

// certificateFor picks the certificate for a TLS handshake: by SNI when the
// client sent a name, else by the local address the client connected to
// (clients do not send SNI for IP addresses).
func (ca *CA) certificateFor(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if hello.ServerName != "" {
		return ca.Leaf(hello.ServerName)
	}
	host := "127.0.0.1"
	if hello.Conn != nil {
		if a, ok := hello.Conn.LocalAddr().(*net.TCPAddr); ok {
			host = a.IP.String()
		}
	}
	return ca.Leaf(host)
}
