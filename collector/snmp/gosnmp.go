package snmp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gosnmp/gosnmp"
)

// dialConfig is how to reach one agent, secrets already resolved.
type dialConfig struct {
	host    string
	port    uint16
	version gosnmp.SnmpVersion
	// community for v2c; usm and msgFlags for v3.
	community string
	usm       *gosnmp.UsmSecurityParameters
	msgFlags  gosnmp.SnmpV3MsgFlags
	context   string
	// requestTimeout caps one attempt; retries are extra attempts, all
	// within the caller's deadline.
	requestTimeout time.Duration
	retries        int
}

// gosnmpClient is Client over gosnmp: one UDP socket per device.
type gosnmpClient struct {
	g        *gosnmp.GoSNMP
	cfg      dialConfig
	requests int
}

// dial opens the socket (UDP: no packet is sent yet).
func dial(cfg dialConfig) (*gosnmpClient, error) {
	g := &gosnmp.GoSNMP{
		Target:             cfg.host,
		Port:               cfg.port,
		Transport:          "udp",
		Version:            cfg.version,
		Community:          cfg.community,
		Timeout:            cfg.requestTimeout,
		Retries:            cfg.retries,
		Context:            context.Background(),
		MaxOids:            255,
		ExponentialTimeout: false,
	}
	if cfg.version == gosnmp.Version3 {
		g.SecurityModel = gosnmp.UserSecurityModel
		g.MsgFlags = cfg.msgFlags
		g.SecurityParameters = cfg.usm
		g.ContextName = cfg.context
	}
	c := &gosnmpClient{g: g, cfg: cfg}
	g.OnSent = func(*gosnmp.GoSNMP) { c.requests++ }
	if err := g.Connect(); err != nil {
		return nil, fmt.Errorf("open socket: %w", err)
	}
	return c, nil
}

func (c *gosnmpClient) Requests() int { return c.requests }

func (c *gosnmpClient) Close() error {
	if c.g.Conn == nil {
		return nil
	}
	return c.g.Conn.Close()
}

// arm derives this request's per-attempt timeout and retries from ctx's
// deadline, so that every attempt ends within it, and makes cancellation
// reach the socket. The returned func disarms.
func (c *gosnmpClient) arm(ctx context.Context) (func() bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	timeout, retries := c.cfg.requestTimeout, c.cfg.retries
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		if left <= 0 {
			return nil, context.DeadlineExceeded
		}
		// Keep only the retries whose attempts fit in what is left, then
		// shorten each attempt so that all of them do.
		for retries > 0 && left/time.Duration(retries+1) < minAttempt {
			retries--
		}
		if per := left / time.Duration(retries+1); per < timeout {
			timeout = per
		}
	}
	c.g.Context = ctx
	c.g.Timeout = timeout
	c.g.Retries = retries
	conn := c.g.Conn
	return context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) }), nil
}

// minAttempt is the shortest attempt worth a retry; below it the budget
// goes to one attempt.
const minAttempt = 200 * time.Millisecond

func (c *gosnmpClient) Get(ctx context.Context, oids []OID) ([]Var, error) {
	stop, err := c.arm(ctx)
	if err != nil {
		return nil, err
	}
	defer stop()
	pkt, err := c.g.Get(oidStrings(oids))
	return c.result(ctx, pkt, err)
}

func (c *gosnmpClient) GetBulk(ctx context.Context, nonRepeaters, maxRepetitions int, oids []OID) ([]Var, error) {
	if nonRepeaters < 0 || nonRepeaters > 255 || maxRepetitions < 0 {
		return nil, fmt.Errorf("getbulk: bad non-repeaters %d or max-repetitions %d", nonRepeaters, maxRepetitions)
	}
	stop, err := c.arm(ctx)
	if err != nil {
		return nil, err
	}
	defer stop()
	pkt, err := c.g.GetBulk(oidStrings(oids), uint8(nonRepeaters), uint32(maxRepetitions))
	return c.result(ctx, pkt, err)
}

func (c *gosnmpClient) result(ctx context.Context, pkt *gosnmp.SnmpPacket, err error) ([]Var, error) {
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w (%w)", context.Cause(ctx), describe(err))
		}
		return nil, describe(err)
	}
	if pkt == nil {
		return nil, errors.New("no response")
	}
	if pkt.Error != gosnmp.NoError {
		return nil, &ErrorStatus{Status: int(pkt.Error), Index: int(pkt.ErrorIndex)}
	}
	out := make([]Var, 0, len(pkt.Variables))
	for _, p := range pkt.Variables {
		v, err := fromPDU(p)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// describe turns gosnmp's errors into ones a person can act on.
func describe(err error) error {
	switch {
	case errors.Is(err, gosnmp.ErrWrongDigest) || strings.Contains(err.Error(), "not authentic"):
		// The agent's wrongDigest report comes unauthenticated, so gosnmp
		// usually sees an answer that fails its own check.
		return fmt.Errorf("snmpv3 authentication failed (wrong auth password or protocol): %w", err)
	case errors.Is(err, gosnmp.ErrUnknownUsername):
		return fmt.Errorf("snmpv3 user unknown to the agent: %w", err)
	case errors.Is(err, gosnmp.ErrDecryption):
		return fmt.Errorf("snmpv3 decryption failed (wrong priv password or protocol): %w", err)
	case errors.Is(err, gosnmp.ErrUnknownSecurityLevel):
		return fmt.Errorf("snmpv3 security level not supported for this user: %w", err)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("no answer before the deadline (wrong address, community or credentials, or agent down): %w", err)
	case errors.Is(err, gosnmp.ErrMaxRetriesExceeded):
		return fmt.Errorf("no answer (wrong address, community or credentials, or agent down): %w", err)
	}
	return err
}

func oidStrings(oids []OID) []string {
	s := make([]string, len(oids))
	for i, o := range oids {
		s[i] = o.String()
	}
	return s
}

// fromPDU converts one gosnmp variable, checking the Go type behind each
// SMI type so that a garbled value is an error, never a panic.
func fromPDU(p gosnmp.SnmpPDU) (Var, error) {
	oid, err := ParseOID(p.Name)
	if err != nil {
		return Var{}, fmt.Errorf("response: %w", err)
	}
	v := Var{OID: oid}
	ok := true
	switch p.Type {
	case gosnmp.Integer, gosnmp.Uinteger32, gosnmp.Counter32, gosnmp.Gauge32, gosnmp.TimeTicks, gosnmp.Counter64:
		ok = v.setNumber(p.Type, p.Value)
	case gosnmp.OctetString, gosnmp.Opaque, gosnmp.BitString:
		ok = v.setBytes(p.Type, p.Value)
	case gosnmp.ObjectIdentifier:
		s, isString := p.Value.(string)
		if !isString {
			ok = false
			break
		}
		o, err := ParseOID(s)
		if err != nil {
			return Var{}, fmt.Errorf("%s: %w", oid, err)
		}
		v.Kind, v.Obj = KindOID, o
	case gosnmp.IPAddress:
		v.Kind, v.Bytes = KindIPAddress, ipBytes(p.Value)
	default:
		v.Kind = valuelessKind(p.Type)
	}
	if !ok {
		return Var{}, fmt.Errorf("%s: undecodable %v value (%T)", oid, p.Type, p.Value)
	}
	return v, nil
}

// setNumber sets an integer-valued variable of SMI type t from the value
// gosnmp decoded; false when val is not the Go type gosnmp gives t.
// gosnmp's Uinteger32 (the obsolete UInteger32 tag) is taken as a Gauge32.
func (v *Var) setNumber(t gosnmp.Asn1BER, val any) bool {
	switch t {
	case gosnmp.Integer:
		if n, ok := val.(int); ok {
			v.Kind, v.Int = KindInteger, int64(n)
			return true
		}
	case gosnmp.Uinteger32:
		if n, ok := val.(uint32); ok {
			v.Kind, v.Uint = KindGauge32, uint64(n)
			return true
		}
	case gosnmp.Counter32, gosnmp.Gauge32:
		if n, ok := val.(uint); ok {
			v.Kind, v.Uint = KindCounter32, uint64(n)
			if t == gosnmp.Gauge32 {
				v.Kind = KindGauge32
			}
			return true
		}
	case gosnmp.TimeTicks:
		if n, ok := val.(uint32); ok {
			v.Kind, v.Uint = KindTimeTicks, uint64(n)
			return true
		}
	case gosnmp.Counter64:
		if n, ok := val.(uint64); ok {
			v.Kind, v.Uint = KindCounter64, n
			return true
		}
	}
	return false
}

// setBytes sets an OCTET STRING, or an Opaque or BIT STRING (both kept as
// opaque bytes), from the value gosnmp decoded; false when it is not
// bytes. An Opaque gosnmp decoded to something else (a float) is kept as
// an opaque with no bytes.
func (v *Var) setBytes(t gosnmp.Asn1BER, val any) bool {
	b, ok := val.([]byte)
	if !ok {
		if t != gosnmp.Opaque {
			return false
		}
		v.Kind = KindOpaque
		return true
	}
	v.Kind, v.Bytes = KindOctetString, b
	if t != gosnmp.OctetString {
		v.Kind = KindOpaque
	}
	return true
}

// ipBytes is an IpAddress as 4 bytes (16 for an IPv6 address), nil when
// gosnmp's string does not parse.
func ipBytes(val any) []byte {
	s, _ := val.(string)
	ip := net.ParseIP(s)
	if ip == nil {
		return nil
	}
	if ip4 := ip.To4(); ip4 != nil {
		ip = ip4
	}
	return ip
}

// valuelessKind is the kind of a variable that carries no value: a NULL,
// an exception, or a type not known here.
func valuelessKind(t gosnmp.Asn1BER) Kind {
	switch t {
	case gosnmp.Null:
		return KindNull
	case gosnmp.NoSuchObject:
		return KindNoSuchObject
	case gosnmp.NoSuchInstance:
		return KindNoSuchInstance
	case gosnmp.EndOfMibView:
		return KindEndOfMibView
	}
	return KindOther
}

// hostPort splits an inventory address, host or host:port (default 161).
func hostPort(addr string) (string, uint16, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		// No port: the whole address is the host (IPv6 literals included).
		if h := trimBrackets(addr); h != "" && net.ParseIP(h) != nil || !containsColon(addr) {
			return h, 161, nil
		}
		return "", 0, fmt.Errorf("address %q: %w", addr, err)
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil || p == 0 {
		return "", 0, fmt.Errorf("address %q: bad port %q", addr, port)
	}
	return host, uint16(p), nil
}

func trimBrackets(s string) string {
	if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' {
		return s[1 : len(s)-1]
	}
	return s
}

func containsColon(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return true
		}
	}
	return false
}
