package sitebus

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
)

// TestCredsFile: a server in operator mode admits the user of a
// credentials file (--nats-creds) to JetStream; a revoked user is
// refused, and the seed appears neither in the log nor in the error.
func TestCredsFile(t *testing.T) {
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	okp, err := nkeys.CreateOperator()
	must(err)
	opub, _ := okp.PublicKey()
	oc := jwt.NewOperatorClaims(opub)
	sysKP, _ := nkeys.CreateAccount()
	sysPub, _ := sysKP.PublicKey()
	oc.SystemAccount = sysPub
	ojwt, err := oc.Encode(okp)
	must(err)
	opClaims, err := jwt.DecodeOperatorClaims(ojwt)
	must(err)

	sysJWT, err := jwt.NewAccountClaims(sysPub).Encode(okp)
	must(err)
	akp, _ := nkeys.CreateAccount()
	apub, _ := akp.PublicKey()
	ac := jwt.NewAccountClaims(apub)
	ac.Limits.JetStreamLimits = jwt.JetStreamLimits{MemoryStorage: -1, DiskStorage: -1, Streams: -1, Consumer: -1}
	ajwt, err := ac.Encode(okp)
	must(err)

	resolver := &server.MemAccResolver{}
	must(resolver.Store(sysPub, sysJWT))
	must(resolver.Store(apub, ajwt))
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true,
		TrustedOperators: []*jwt.OperatorClaims{opClaims}, AccountResolver: resolver, SystemAccount: sysPub})
	must(err)
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	defer srv.Shutdown()

	dir := t.TempDir()
	writeCreds := func(name string, kp nkeys.KeyPair) (string, string) {
		t.Helper()
		upub, _ := kp.PublicKey()
		ujwt, err := jwt.NewUserClaims(upub).Encode(akp)
		must(err)
		seed, _ := kp.Seed()
		creds, err := jwt.FormatUserConfig(ujwt, seed)
		must(err)
		path := filepath.Join(dir, name)
		must(os.WriteFile(path, creds, 0o600))
		return path, string(seed)
	}
	ukp, _ := nkeys.CreateUser()
	good, _ := writeCreds("good.creds", ukp)
	var logs syncBuffer
	b, err := Connect(context.Background(), Options{URL: srv.ClientURL(), CredsFile: good, Timeout: 3 * time.Second, Logger: newTestLogger(&logs)})
	must(err)
	if r, err := b.BucketReplicas(context.Background(), ObservationsBucket); err != nil || r != 1 {
		t.Fatalf("the bucket, through the credentials' account: %d replicas, %v", r, err)
	}
	b.Close()

	// A user signed by an account the server does not know is refused.
	stranger, _ := nkeys.CreateAccount()
	akp = stranger
	bad, seed := writeCreds("bad.creds", func() nkeys.KeyPair { k, _ := nkeys.CreateUser(); return k }())
	_, err = Connect(context.Background(), Options{URL: srv.ClientURL(), CredsFile: bad, Timeout: 3 * time.Second, Logger: newTestLogger(&logs)})
	if err == nil {
		t.Fatal("a user of an unknown account connected")
	}
	if strings.Contains(err.Error(), seed) || strings.Contains(logs.String(), seed) || strings.Contains(logs.String(), "SUA") {
		t.Errorf("the seed leaked:\nerror: %v\nlog: %s", err, logs.String())
	}
	if !strings.Contains(err.Error(), "connecting to") {
		t.Errorf("error does not say what failed: %v", err)
	}
}
