package observation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// The budgets of observations from outside — a file (--observations),
// another faultline (--live), the NATS bucket — the same as the
// collectors' own for what they read from one device. They are enforced
// while decoding: the decoder walks the JSON token by token, counting the
// members of every list and the bytes of every device as they arrive, and
// stops at the first one over; a device is decoded into its struct only
// once its bytes and parts are within the budget.
const (
	// MaxParts is the most members of one list of one device (PSUs,
	// drives, ports, temperatures, outlets, one port's neighbours, …):
	// the Redfish collector's members of one collection.
	MaxParts = 4096
	// MaxDeviceBytes is the most bytes of one device's observation: the
	// collectors' bytes read from one device in one poll.
	MaxDeviceBytes = 32 << 20
	// MaxDevices is the most observations in one file or answer: two
	// sources for each of 100,000 devices.
	MaxDevices = 200_000
	// MaxBytes is the most bytes of one file or answer.
	MaxBytes = 1 << 30
	// maxDepth is the deepest nesting a device's JSON may have (a port's
	// neighbours are 3 deep).
	maxDepth = 8
)

// Limits are the budgets of one read; zero fields take the defaults.
type Limits struct {
	MaxParts       int
	MaxDeviceBytes int64
	MaxDevices     int
	MaxBytes       int64
}

// DefaultLimits are the package's budgets.
func DefaultLimits() Limits {
	return Limits{MaxParts: MaxParts, MaxDeviceBytes: MaxDeviceBytes, MaxDevices: MaxDevices, MaxBytes: MaxBytes}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxParts <= 0 {
		l.MaxParts = d.MaxParts
	}
	if l.MaxDeviceBytes <= 0 {
		l.MaxDeviceBytes = d.MaxDeviceBytes
	}
	if l.MaxDevices <= 0 {
		l.MaxDevices = d.MaxDevices
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	return l
}

// LimitError is a read stopped because the input is over a budget.
type LimitError struct {
	// What is counted ("members in psus", "bytes of one device"), Limit
	// the budget, and Where the device, when it is about one.
	What  string
	Limit int64
	Where string
}

func (e *LimitError) Error() string {
	where := ""
	if e.Where != "" {
		where = e.Where + ": "
	}
	return fmt.Sprintf("%smore than %d %s: over the budget, stopped reading", where, e.Limit, e.What)
}

// ReadLimited decodes an observations file within l, checking its
// version; see Read.
func ReadLimited(r io.Reader, l Limits) (*File, error) {
	l = l.withDefaults()
	rec := &recorder{r: r, maxTotal: l.MaxBytes, window: l.MaxDeviceBytes + 64<<10}
	dec := json.NewDecoder(rec)
	f, err := readFile(dec, rec, l)
	if err != nil {
		if rec.err != nil {
			err = rec.err
		}
		return nil, fmt.Errorf("observations: %w", err)
	}
	if f.Version != SchemaVersion {
		return nil, fmt.Errorf("observations: version %d is not supported (this build reads %d)", f.Version, SchemaVersion)
	}
	return f, nil
}

func readFile(dec *json.Decoder, rec *recorder, l Limits) (*File, error) {
	var f File
	if err := expectDelim(dec, '{', "an observations file (a JSON object)"); err != nil {
		return nil, err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		rec.startValue(dec.InputOffset())
		switch key {
		case "version":
			err = dec.Decode(&f.Version)
		case "generated_at":
			err = dec.Decode(&f.GeneratedAt)
		case "devices":
			f.Devices, err = readDevices(dec, rec, l)
		default:
			err = fmt.Errorf("json: unknown field %q", key)
		}
		if err != nil {
			return nil, err
		}
	}
	_, err := dec.Token() // the closing brace
	return &f, err
}

func readDevices(dec *json.Decoder, rec *recorder, l Limits) ([]Device, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, nil // "devices": null
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, fmt.Errorf("devices: want a list, got %v", tok)
	}
	out := []Device{} // "devices": [] is an empty list, not a missing one
	for i := 0; dec.More(); i++ {
		if i >= l.MaxDevices {
			return nil, &LimitError{What: "devices", Limit: int64(l.MaxDevices)}
		}
		start := dec.InputOffset()
		rec.startValue(start)
		w := &walker{dec: dec, l: l, where: fmt.Sprintf("device %d", i)}
		if err := w.value(0, ""); err != nil {
			return nil, err
		}
		d, err := decodeDevice(rec.since(start, dec.InputOffset()))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", w.name(), err)
		}
		out = append(out, d)
	}
	_, err = dec.Token() // the closing bracket
	return out, err
}

// DecodeDevice decodes one device's observation (as the NATS bucket holds
// it) within l: its bytes, the members of each of its lists and its
// nesting are checked before it is decoded, strictly (an unknown key is an
// error; so is anything after the object).
func DecodeDevice(data []byte, l Limits) (Device, error) {
	if err := CheckDevice(data, l); err != nil {
		return Device{}, err
	}
	return decodeDevice(data)
}

// CheckDevice checks one device's observation against l without decoding
// it: its bytes, the members of each of its lists and its nesting (a
// *LimitError when over), and that nothing follows the object. A reader
// that must stay lenient about keys it does not know (an auditor reading
// a newer collector's entries) checks with it, then decodes as it likes.
func CheckDevice(data []byte, l Limits) error {
	l = l.withDefaults()
	if int64(len(data)) > l.MaxDeviceBytes {
		return &LimitError{What: "bytes of one device", Limit: l.MaxDeviceBytes}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	w := &walker{dec: dec, l: l}
	if err := w.value(0, ""); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON object")
	}
	return nil
}

func decodeDevice(raw []byte) (Device, error) {
	var d Device
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return Device{}, err
	}
	return d, nil
}

func expectDelim(dec *json.Decoder, want json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("want %s, got %v", what, tok)
	}
	return nil
}

// walker walks one JSON value token by token, counting list members and
// nesting against the budget. It remembers the device's id, when it has
// seen one, to name the device in errors.
type walker struct {
	dec   *json.Decoder
	l     Limits
	where string
	id    string
}

func (w *walker) name() string {
	switch {
	case w.id != "" && w.where != "":
		return fmt.Sprintf("%s (%q)", w.where, w.id)
	case w.id != "":
		return fmt.Sprintf("device %q", w.id)
	}
	return w.where
}

func (w *walker) value(depth int, key string) error {
	if depth > maxDepth {
		return &LimitError{What: "levels of nesting", Limit: maxDepth, Where: w.name()}
	}
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		if s, isStr := tok.(string); isStr && depth == 1 && key == "id" && len(s) <= 256 {
			w.id = s
		}
		return nil
	}
	switch d {
	case '[':
		n := 0
		for w.dec.More() {
			if n++; n > w.l.MaxParts {
				return &LimitError{What: "members in " + key, Limit: int64(w.l.MaxParts), Where: w.name()}
			}
			if err := w.value(depth+1, key); err != nil {
				return err
			}
		}
	case '{':
		for w.dec.More() {
			tok, err := w.dec.Token()
			if err != nil {
				return err
			}
			k, _ := tok.(string)
			if err := w.value(depth+1, k); err != nil {
				return err
			}
		}
	}
	_, err = w.dec.Token() // the closing delimiter
	return err
}

// recorder is the decoder's reader: it counts the bytes of the whole
// input and of the value being read, stopping at either budget, and keeps
// the bytes of the value being read so that it can be decoded once
// walked (the decoder reads ahead, so it keeps from the value's start).
type recorder struct {
	r        io.Reader
	off      int64 // bytes delivered so far
	maxTotal int64
	// buf holds the input from bufStart to off; valueStart is where the
	// value being read starts, window how far past it the input may go.
	buf        []byte
	bufStart   int64
	valueStart int64
	window     int64
	err        *LimitError
}

func (c *recorder) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if c.off >= c.maxTotal {
		c.err = &LimitError{What: "bytes of observations", Limit: c.maxTotal}
		return 0, c.err
	}
	if c.off-c.valueStart >= c.window {
		c.err = &LimitError{What: "bytes of one device", Limit: c.window - 64<<10}
		return 0, c.err
	}
	room := min(c.maxTotal-c.off, c.valueStart+c.window-c.off)
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := c.r.Read(p)
	c.buf = append(c.buf, p[:n]...)
	c.off += int64(n)
	return n, err
}

// startValue marks where the next value starts: what came before is no
// longer kept.
func (c *recorder) startValue(at int64) {
	c.valueStart = at
	if drop := at - c.bufStart; drop > 0 && drop <= int64(len(c.buf)) {
		c.buf = c.buf[drop:]
		c.bufStart = at
		if cap(c.buf) > 1<<20 && len(c.buf) < cap(c.buf)/4 {
			c.buf = append([]byte(nil), c.buf...) // let a large buffer go
		}
	}
}

// since is the input from start to end, without the separators before
// the value.
func (c *recorder) since(start, end int64) []byte {
	b := c.buf[start-c.bufStart : end-c.bufStart]
	return bytes.TrimLeft(b, ", \t\r\n")
}
