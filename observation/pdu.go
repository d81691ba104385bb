package observation

// Breaker states of a branch circuit, normalized from Redfish BreakerState.
const (
	BreakerNormal  = "normal"
	BreakerTripped = "tripped"
	BreakerOff     = "off"
)

// Branch is a PDU's branch circuit: a breaker and the outlets behind it.
// A breaker trips at its rating, before the PDU's own capacity is reached.
type Branch struct {
	ID        string    `json:"id"`
	Name      string    `json:"name,omitempty"`
	Condition Condition `json:"condition,omitempty"`
	// Breaker is normal, tripped or off (BreakerNormal, …), or "" when
	// not reported.
	Breaker   string   `json:"breaker,omitempty"`
	Amps      *float64 `json:"amps,omitempty"`
	RatedAmps *float64 `json:"rated_amps,omitempty"`
	Watts     *float64 `json:"watts,omitempty"`
	Volts     *float64 `json:"volts,omitempty"`
	// Outlets are the ids (Outlet.ID) of the outlets on it.
	Outlets []string `json:"outlets,omitempty"`
}
