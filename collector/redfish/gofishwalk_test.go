package redfish_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/stmcginnis/gofish"
	"github.com/stmcginnis/gofish/schemas"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/observation"
)

// gofishWalk is the baseline the benchmarks compare against: a plain walk
// with gofish's defaults (a session, one request at a time, a new
// connection per request) reading what the collector reads: systems with
// their storage (drives, volumes, controllers) and Ethernet interfaces;
// chassis with power supplies (and their metrics), thermal (fans and
// metrics), environment metrics and network adapter ports; the managers.
// The only departure from the defaults is trusting the lab CA. It returns
// how many parts it read, so it can be checked to have read them all.
func gofishWalk(ctx context.Context, endpoint, user, pass string, roots *x509.CertPool) (parts int, err error) {
	c, err := gofish.ConnectContext(ctx, gofish.ClientConfig{
		Endpoint: endpoint, Username: user, Password: pass,
		HTTPClient: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}},
	})
	if err != nil {
		return 0, err
	}
	defer c.Logout()
	var errs []error
	keep := func(n int, err error) {
		parts += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	systems, err := c.Service.Systems()
	keep(len(systems), err)
	for _, s := range systems {
		storage, err := s.Storage()
		keep(len(storage), err)
		for _, st := range storage {
			drives, err := st.Drives()
			keep(len(drives), err)
			vols, err := st.Volumes()
			keep(len(vols), err)
			ctrls, err := st.Controllers()
			keep(len(ctrls), err)
		}
		nics, err := s.EthernetInterfaces()
		keep(len(nics), err)
	}
	chassis, err := c.Service.Chassis()
	keep(len(chassis), err)
	for _, ch := range chassis {
		if ps, err := ch.PowerSubsystem(); ps != nil {
			psus, err := ps.PowerSupplies()
			keep(len(psus), err)
			for _, p := range psus {
				// gofish gives PowerSubsystem's supplies the legacy type, which
				// has no Metrics(): the link is the standard one.
				_, err := schemas.GetObject[schemas.PowerSupplyMetrics](c, p.ODataID+"/Metrics")
				keep(1, err)
			}
		} else {
			keep(0, err)
		}
		if ts, err := ch.ThermalSubsystem(); ts != nil {
			fans, err := ts.Fans()
			keep(len(fans), err)
			_, err = ts.ThermalMetrics()
			keep(1, err)
		} else {
			keep(0, err)
		}
		_, err = ch.EnvironmentMetrics()
		keep(1, err)
		adapters, err := ch.NetworkAdapters()
		keep(len(adapters), err)
		for _, a := range adapters {
			ports, err := a.Ports()
			keep(len(ports), err)
		}
	}
	managers, err := c.Service.Managers()
	keep(len(managers), err)
	return parts, errors.Join(errs...)
}

// gofishPoller runs the baseline walk under collector.Run, for a sweep.
type gofishPoller struct{ roots *x509.CertPool }

func (gofishPoller) Protocol() string                { return observation.SourceRedfish }
func (gofishPoller) Handles(t collector.Target) bool { return t.Management.Redfish != nil }

func (g gofishPoller) Poll(ctx context.Context, t collector.Target) observation.Device {
	rf := t.Management.Redfish
	start := time.Now()
	obs := observation.Device{ID: t.ID, Source: observation.SourceRedfish, AttemptedAt: start}
	pw, err := rf.Password.Resolve(t.Dir)
	if err == nil {
		_, err = gofishWalk(ctx, rf.Endpoint, rf.Username, pw, g.roots)
	}
	if err != nil {
		obs.Error = fmt.Sprint(err)
	}
	obs.Duration = observation.Duration(time.Since(start))
	return obs
}
