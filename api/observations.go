package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/faultline/faultline/observation"
)

// observations serves the engine's current observations — the latest per
// device and source, last good data kept — in the collect --out format,
// so faultline audit and whatif --live read them as they read a file.
// Observations hold what devices reported, never the inventory's
// credentials. generated_at is the time of the request: the moment the
// state is as described, against which a reader judges staleness.
func (s *Server) observations(c *gin.Context) {
	snap := s.eng.Snapshot()
	devices := snap.Observations
	if devices == nil {
		devices = []observation.Device{}
	}
	f := &observation.File{GeneratedAt: time.Now().UTC(), Devices: devices}
	c.Header("Cache-Control", "no-cache")
	c.Header("Content-Type", "application/json")
	c.Status(http.StatusOK)
	if err := observation.Write(c.Writer, f); err != nil {
		s.log.Debug("writing observations", "error", err)
	}
}
