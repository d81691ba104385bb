// Package jsserver runs NATS servers with JetStream in this process, on
// loopback, for tests, benchmarks and the lab: one server, or a cluster
// whose nodes can be stopped one by one.
package jsserver

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Start runs one JetStream server on 127.0.0.1 (a random port when
// addr's port is 0 or addr is ""), keeping its streams under dir.
func Start(dir, addr string) (*server.Server, error) {
	host, port, err := loopback(addr)
	if err != nil {
		return nil, err
	}
	return run(&server.Options{ServerName: "faultline-0", Host: host, Port: port, JetStream: true, StoreDir: dir, NoSigs: true, NoLog: true})
}

// StartCluster runs n JetStream servers routed to each other as one
// cluster on 127.0.0.1, each storing under its own folder of dir, and
// waits until the cluster has a JetStream leader.
func StartCluster(dir string, n int) ([]*server.Server, error) {
	if n < 1 {
		return nil, errors.New("jsserver: a cluster needs a server")
	}
	ports := make([]int, n)
	var routes []string
	for i := range ports {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", p))
	}
	var out []*server.Server
	for i := range n {
		s, err := run(&server.Options{
			ServerName: fmt.Sprintf("faultline-%d", i), Host: "127.0.0.1", Port: -1,
			JetStream: true, StoreDir: filepath.Join(dir, fmt.Sprintf("n%d", i)), NoSigs: true, NoLog: true,
			Cluster: server.ClusterOpts{Name: "faultline", Host: "127.0.0.1", Port: ports[i]},
			Routes:  server.RoutesFromStr(strings.Join(routes, ",")),
		})
		if err != nil {
			for _, o := range out {
				o.Shutdown()
			}
			return nil, err
		}
		out = append(out, s)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, s := range out {
			if s.JetStreamIsLeader() {
				return out, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, s := range out {
		s.Shutdown()
	}
	return nil, errors.New("jsserver: the cluster elected no JetStream leader within 30s")
}

// URLs is the client URLs of servers, comma-separated, as --nats takes them.
func URLs(servers ...*server.Server) string {
	var u []string
	for _, s := range servers {
		u = append(u, s.ClientURL())
	}
	return strings.Join(u, ",")
}

func run(o *server.Options) (*server.Server, error) {
	s, err := server.NewServer(o)
	if err != nil {
		return nil, fmt.Errorf("jsserver: %w", err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("jsserver: %s not ready within 10s", o.ServerName)
	}
	return s, nil
}

func loopback(addr string) (string, int, error) {
	if addr == "" {
		return "127.0.0.1", -1, nil
	}
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("jsserver: address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return "", 0, fmt.Errorf("jsserver: address %q is not loopback", addr)
	}
	port, err := net.LookupPort("tcp", p)
	if err != nil {
		return "", 0, fmt.Errorf("jsserver: address %q: %w", addr, err)
	}
	if port == 0 {
		port = -1
	}
	return host, port, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("jsserver: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
