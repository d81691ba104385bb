package netbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/faultline/faultline/inventory"
)

// Import reads a NetBox and maps it; the file is validated together with
// the hand-kept sources given (never written when invalid: the returned
// *inventory.Error holds the positioned problems, the Result the file).
func Import(ctx context.Context, c *Client, cfg *Config, sites []string, outName string, handKept []inventory.Source) (*Result, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	d, err := Fetch(ctx, c, FetchOptions{Sites: sites, Services: cfg.Services.IPAM, Clusters: cfg.Services.Clusters})
	if err != nil {
		return nil, err
	}
	res, err := Map(d, cfg)
	if err != nil {
		return nil, err
	}
	srcs := append(append([]inventory.Source(nil), handKept...), inventory.Source{Name: outName, Data: res.File})
	if _, err := inventory.ParseFiles(srcs, inventory.Options{}); err != nil {
		var ierr *inventory.Error
		if errors.As(err, &ierr) {
			return res, err
		}
		return res, fmt.Errorf("netbox: validating the import: %w", err)
	}
	return res, nil
}
