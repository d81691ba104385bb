package sitebus

import (
	"fmt"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/faultline/faultline/observation"
)

// TestLeafNode: a site collector connected to a leaf node (no JetStream of
// its own) puts into the hub's bucket through the hub's JetStream domain,
// where an auditor on the hub sees it.
func TestLeafNode(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	leafPort := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	hub, err := server.NewServer(&server.Options{ServerName: "hub", Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(),
		JetStreamDomain: "core", NoLog: true, NoSigs: true, LeafNode: server.LeafNodeOpts{Host: "127.0.0.1", Port: leafPort}})
	if err != nil {
		t.Fatal(err)
	}
	go hub.Start()
	if !hub.ReadyForConnections(10 * time.Second) {
		t.Fatal("hub not ready")
	}
	defer hub.Shutdown()
	remote, _ := url.Parse(fmt.Sprintf("nats-leaf://127.0.0.1:%d", leafPort))
	leaf, err := server.NewServer(&server.Options{ServerName: "site-leaf", Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true,
		LeafNode: server.LeafNodeOpts{Remotes: []*server.RemoteLeafOpts{{URLs: []*url.URL{remote}}}}})
	if err != nil {
		t.Fatal(err)
	}
	go leaf.Start()
	if !leaf.ReadyForConnections(10 * time.Second) {
		t.Fatal("leaf not ready")
	}
	defer leaf.Shutdown()
	waitFor(t, "the leaf node connects to the hub", func() bool { return leaf.NumLeafNodes() == 1 })

	col := connect(t, leaf.ClientURL(), func(o *Options) { o.Domain = "core"; o.Setup = 15 * time.Second })
	aud := connect(t, hub.ClientURL())
	pub := runPublisher(t, col)
	inv := loadInventory(t, busInventory)
	src := watch(t, aud, inv)
	at := time.Now().UTC().Truncate(time.Millisecond)
	pub.Publish(inv, []observation.Device{obsOf("sw-1", "snmp", at, 22)})
	waitFor(t, "the hub's auditor sees the site's observation", func() bool { _, ok := heldObs(src, "sw-1", "snmp"); return ok })
}
