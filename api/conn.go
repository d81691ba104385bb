package api

import (
	"bytes"
	"encoding/json"
	"net"
	"strconv"
	"strings"
)

// MaxHeaderBytes is the request header limit faultline serve gives its
// http.Server: a request over it is answered 431, as JSON through
// Listener.
const MaxHeaderBytes = 64 << 10

// Listener wraps ln so that the error answers net/http writes by itself,
// before any handler runs, are JSON like every other error of the API:
// 431 for headers over http.Server.MaxHeaderBytes, 400 for a malformed
// request, 501 for an unknown transfer encoding, 505 for an unsupported
// HTTP version. net/http offers no hook for these: it writes a fixed
// text/plain answer straight to the connection (net/http's conn.serve,
// "errorHeaders"), so the wrapper recognizes exactly that answer — one
// write, the status line followed at once by net/http's fixed headers,
// which a handler's response never is, since net/http gives those a Date
// first — and writes the JSON equivalent instead. Everything else passes
// through untouched.
func Listener(ln net.Listener) net.Listener { return jsonErrorListener{ln} }

type jsonErrorListener struct{ net.Listener }

func (l jsonErrorListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &jsonErrorConn{Conn: c}, nil
}

type jsonErrorConn struct{ net.Conn }

// netHTTPErrorHeaders are the headers of net/http's own error answers.
const netHTTPErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

func (c *jsonErrorConn) Write(p []byte) (int, error) {
	if out, ok := rewriteNetHTTPError(p); ok {
		if _, err := c.Conn.Write(out); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// CloseWrite lets net/http half-close after a 431, as it does on a bare
// TCP connection.
func (c *jsonErrorConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// rewriteNetHTTPError turns one of net/http's text error answers into
// JSON with the same status, or reports that p is not one.
func rewriteNetHTTPError(p []byte) ([]byte, bool) {
	const proto = "HTTP/1.1 "
	if len(p) < len(proto)+3 || !bytes.HasPrefix(p, []byte(proto)) || (p[len(proto)] != '4' && p[len(proto)] != '5') {
		return nil, false
	}
	line, rest, ok := bytes.Cut(p, []byte("\r\n"))
	if !ok || !bytes.HasPrefix(rest, []byte(netHTTPErrorHeaders[2:])) {
		return nil, false
	}
	status := string(line[len(proto):])
	code, err := strconv.Atoi(status[:3])
	if err != nil {
		return nil, false
	}
	msg := strings.ToLower(string(rest[len(netHTTPErrorHeaders)-2:]))
	if _, after, ok := strings.Cut(msg, " "); ok && strings.HasPrefix(msg, status[:3]) {
		msg = after // "431 request header …" without its number
	}
	if code == 431 {
		msg += ": send smaller headers (fewer or shorter cookies and tokens)"
	}
	body, _ := json.Marshal(errorBody{Error: msg})
	var out bytes.Buffer
	out.WriteString(proto + status + "\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)+1) + "\r\nConnection: close\r\n\r\n")
	out.Write(body)
	out.WriteByte('\n')
	return out.Bytes(), true
}
