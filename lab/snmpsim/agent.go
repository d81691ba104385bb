package snmpsim

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure an agent.
type Options struct {
	// Community is the SNMPv2c community (and v1's); empty refuses v2c.
	Community string
	// Users are the SNMPv3 users; none refuses v3.
	Users []User
	// EngineID is the agent's SNMPv3 engine id (default: derived from the
	// listening address).
	EngineID []byte
	// Latency delays every answer; Loss drops that fraction of requests.
	Latency time.Duration
	Loss    float64
	// MaxMessageSize caps a response in bytes and MaxVarbinds in
	// variables (defaults 65000 and 4096); Oversize says what the agent
	// does with a request whose answer would not fit.
	MaxMessageSize int
	MaxVarbinds    int
	Oversize       Oversize
	// LiveUptime makes sysUpTime count from the agent's start (generated
	// tables); otherwise the table's value is served until a reboot fault.
	LiveUptime bool
	// Logger receives one debug line per bad packet; nil discards.
	Logger *slog.Logger
}

// Agent is one simulated device's SNMP agent.
type Agent struct {
	opts  Options
	table *Table
	conn  *net.UDPConn
	log   *slog.Logger

	mu       sync.RWMutex
	overlay  map[string]Value // faults' changed values, by OID
	faults   []Fault
	behavior behavior
	bootedAt time.Time
	liveUp   bool // sysUpTime counts from bootedAt (else the table's value)

	latency atomic.Int64
	loss    atomic.Uint64 // math.Float64bits
	reqs    atomic.Int64
	usm     *usmEngine
	done    chan struct{}
	timers  sync.WaitGroup
	closed  atomic.Bool
}

// behavior is the protocol faults in force.
type behavior struct {
	silent, malformed, endless, loop, wrongTypes bool
	// genErrUnder are subtrees whose requests are answered genErr.
	genErrUnder [][]uint32
	hostile     hostile
}

// New returns an agent serving table; start it with Listen.
func New(table *Table, opts Options) *Agent {
	if opts.MaxMessageSize <= 0 {
		opts.MaxMessageSize = 65000
	}
	if opts.MaxVarbinds <= 0 || opts.MaxVarbinds > maxBulkVarbinds {
		opts.MaxVarbinds = maxBulkVarbinds
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Agent{opts: opts, table: table, log: log, overlay: map[string]Value{}, bootedAt: time.Now(), done: make(chan struct{})}
	a.liveUp = opts.LiveUptime
	a.latency.Store(int64(opts.Latency))
	a.SetLoss(opts.Loss)
	return a
}

// Listen binds addr (which must be a loopback address; port 0 picks a
// free one) and serves until Close.
func (a *Agent) Listen(addr string) error {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return fmt.Errorf("snmpsim: listen %q: %w", addr, err)
	}
	if !ap.Addr().IsLoopback() {
		return fmt.Errorf("snmpsim: listen %s: only loopback addresses are allowed", addr)
	}
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(ap))
	if err != nil {
		return fmt.Errorf("snmpsim: %w", err)
	}
	a.conn = conn
	if a.usm == nil && len(a.opts.Users) > 0 {
		eid := a.opts.EngineID
		if len(eid) == 0 {
			eid = engineIDFor(conn.LocalAddr().String())
		}
		if a.usm, err = newUSM(eid, a.opts.Users); err != nil {
			conn.Close()
			return err
		}
	}
	go a.serve()
	return nil
}

// Addr is the address the agent listens on ("127.0.0.1:34567").
func (a *Agent) Addr() string { return a.conn.LocalAddr().String() }

// Requests is the number of packets the agent has received.
func (a *Agent) Requests() int64 { return a.reqs.Load() }

// SetLatency changes the delay before every answer.
func (a *Agent) SetLatency(d time.Duration) { a.latency.Store(int64(d)) }

// SetLoss changes the fraction of requests dropped (0 to 1).
func (a *Agent) SetLoss(f float64) {
	f = min(max(f, 0), 1)
	a.loss.Store(uint64(f * (1 << 53)))
}

// Close stops the agent and waits for delayed answers to be dropped.
func (a *Agent) Close() error {
	if a.conn == nil || !a.closed.CompareAndSwap(false, true) {
		return nil
	}
	err := a.conn.Close()
	<-a.done
	a.timers.Wait()
	return err
}

func (a *Agent) serve() {
	defer close(a.done)
	buf := make([]byte, 65536)
	for {
		n, from, err := a.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		a.reqs.Add(1)
		if l := a.loss.Load(); l > 0 && rand.Uint64N(1<<53) < l {
			continue
		}
		out := a.handle(buf[:n])
		if out == nil {
			continue
		}
		if d := time.Duration(a.latency.Load()); d > 0 {
			a.timers.Add(1)
			time.AfterFunc(d, func() {
				defer a.timers.Done()
				if !a.closed.Load() {
					_, _ = a.conn.WriteToUDPAddrPort(out, from)
				}
			})
			continue
		}
		_, _ = a.conn.WriteToUDPAddrPort(out, from)
	}
}

// handle answers one packet, or returns nil to stay silent.
func (a *Agent) handle(pkt []byte) []byte {
	a.mu.RLock()
	bh := a.behavior
	a.mu.RUnlock()
	if bh.silent {
		return nil
	}
	r := newReader(pkt)
	ms, me, err := r.expect(tagSequence, "message")
	if err != nil {
		a.log.Debug("bad packet", "error", err)
		return nil
	}
	m := r.sub(ms, me)
	version, err := m.integer("version")
	if err != nil {
		a.log.Debug("bad packet", "error", err)
		return nil
	}
	var out []byte
	switch version {
	case 0, 1:
		out, err = a.handleCommunity(m, version)
	case 3:
		out, err = a.handleV3(pkt, m)
	default:
		err = fmt.Errorf("version %d", version)
	}
	if err != nil {
		a.log.Debug("request not answered", "error", err)
		return nil
	}
	if bh.malformed && out != nil {
		return garble(out)
	}
	return out
}

// garble damages a response so that no decoder can read it: the message
// claims more content than it has.
func garble(b []byte) []byte {
	out := append([]byte{tagSequence, 0x84, 0x7f, 0xff, 0xff, 0xff}, b[2:]...)
	return out
}

func (a *Agent) handleCommunity(m *berReader, version int64) ([]byte, error) {
	comm, err := m.octets("community")
	if err != nil {
		return nil, err
	}
	if a.opts.Community == "" || string(comm) != a.opts.Community {
		// Like real agents: a wrong community gets no answer.
		return nil, errors.New("wrong community")
	}
	q, err := decodePDU(m)
	if err != nil {
		return nil, err
	}
	if version == 0 && q.typ == pduGetBulk {
		return nil, errors.New("getbulk in snmpv1")
	}
	q.secret = comm
	pdu := a.respond(q, a.opts.MaxMessageSize-len(comm)-16)
	var body []byte
	body = appendInt(body, TagInteger, version)
	body = appendTLV(body, TagOctetString, comm)
	body = append(body, pdu...)
	return wrap(tagSequence, body), nil
}
