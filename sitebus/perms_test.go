package sitebus

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/faultline/faultline/observation"
)

// docConfig is the least-privilege server configuration of
// docs/operations.md, exactly as printed there.
func docConfig(t *testing.T) string {
	t.Helper()
	doc, err := os.ReadFile("../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```nats-conf\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	if len(blocks) != 1 {
		t.Fatalf("docs/operations.md has %d nats-conf blocks, want the one least-privilege configuration", len(blocks))
	}
	return blocks[0][1]
}

const sitesInventory = `version: 1
sites: [{id: site-1}, {id: site-2}]
racks: [{id: r1, site: site-1}, {id: r2, site: site-2}]
devices:
  - {id: sw-1, kind: switch, rack: r1, management: {snmp: {address: "127.0.0.1:1161", community: c}}}
  - {id: sw-2, kind: switch, rack: r2, management: {snmp: {address: "127.0.0.1:1162", community: c}}}
`

// TestLeastPrivilegeConfig runs the documented configuration on a real
// NATS server (only its listen address and store folder changed for the
// test): collectors and an auditor work end to end with it, a site-1
// collector cannot put a site-2 key nor open the findings bucket, and a
// user with a wrong password is refused.
func TestLeastPrivilegeConfig(t *testing.T) {
	conf := docConfig(t)
	for _, want := range []string{"listen: 127.0.0.1:4222", "store_dir: /var/lib/nats"} {
		if !strings.Contains(conf, want) {
			t.Fatalf("the documented configuration has no %q", want)
		}
	}
	dir := t.TempDir()
	conf = strings.Replace(conf, "listen: 127.0.0.1:4222", "listen: 127.0.0.1:-1", 1)
	conf = strings.Replace(conf, "store_dir: /var/lib/nats", fmt.Sprintf("store_dir: %q", filepath.Join(dir, "js")), 1)
	path := filepath.Join(dir, "faultline-nats.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	pw := map[string]string{"FAULTLINE_NATS_SITE_1_PASSWORD": "pw-site-1", "FAULTLINE_NATS_SITE_2_PASSWORD": "pw-site-2", "FAULTLINE_NATS_AUDITOR_PASSWORD": "pw-auditor"}
	for k, v := range pw {
		t.Setenv(k, v)
	}
	opts, err := server.ProcessConfigFile(path)
	if err != nil {
		t.Fatalf("the documented configuration does not load: %v", err)
	}
	opts.NoLog, opts.NoSigs = true, true
	srv, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	t.Cleanup(srv.Shutdown)
	hostport := strings.TrimPrefix(srv.ClientURL(), "nats://")
	url := func(user, pass string) string { return fmt.Sprintf("nats://%s:%s@%s", user, pass, hostport) }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	auditor := connect(t, url("auditor", "pw-auditor"), func(o *Options) { o.InboxPrefix = "_INBOX_auditor" })
	inv := loadInventory(t, sitesInventory)
	src := watch(t, auditor, inv)
	first := auditor.FirstSeen(ctx)

	var cols []*Bus
	var logs syncBuffer
	for i, site := range []string{"site-1", "site-2"} {
		cols = append(cols, connect(t, url("collector-"+site, pw[fmt.Sprintf("FAULTLINE_NATS_SITE_%d_PASSWORD", i+1)]), func(o *Options) {
			o.InboxPrefix, o.CollectOnly = "_INBOX_"+site, true
			if i == 0 {
				o.Logger = newTestLogger(&logs)
			}
		}))
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	for i, c := range cols {
		id := fmt.Sprintf("sw-%d", i+1)
		runPublisher(t, c).Publish(inv, []observation.Device{obsOf(id, observation.SourceSNMP, now, 20+float64(i))})
		waitFor(t, "the auditor holds "+id, func() bool { _, ok := heldObs(src, id, observation.SourceSNMP); return ok })
	}
	got, err := first.Record(ctx, now, []string{"stale/sw-1"})
	if err != nil || !got["stale/sw-1"].Equal(now) {
		t.Fatalf("the auditor cannot share first_seen: %v %v", got, err)
	}

	// site-1's collector forges site-2's switch: the server refuses it.
	short, stop := context.WithTimeout(ctx, 2*time.Second)
	defer stop()
	forged := obsOf("sw-2", observation.SourceSNMP, now.Add(time.Second), 99)
	put := func() error {
		data := fmt.Appendf(nil, `{"id":%q,"source":"snmp","attempted_at":%q}`, forged.ID, forged.AttemptedAt.Format(time.RFC3339Nano))
		_, err := cols[0].obs.Put(short, ObservationKey("site-2", "sw-2", "snmp"), data)
		return err
	}
	if err := put(); err == nil {
		t.Fatal("a site-1 collector put a site-2 key")
	}
	waitFor(t, "the server's refusal", func() bool {
		return strings.Contains(logs.String(), `Permissions Violation for Publish to \"$KV.faultline_observations.site-2.sw-2.snmp\"`)
	})
	if _, err := cols[0].js.KeyValue(short, FindingsBucket); err == nil {
		t.Error("a site-1 collector opened the findings bucket")
	}
	if o, _ := heldObs(src, "sw-2", observation.SourceSNMP); *o.InletCelsius != 21 {
		t.Errorf("sw-2 reads %v, want site-2's own observation", *o.InletCelsius)
	}
	_, err = Connect(ctx, Options{URL: url("collector-site-1", "wrong"), Timeout: 2 * time.Second, CollectOnly: true})
	if err == nil || !strings.Contains(err.Error(), "REDACTED") || strings.Contains(err.Error(), "wrong") {
		t.Errorf("a wrong password: %v", err)
	}
}
