package sandbox

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"sync"
	"time"

	"github.com/pier-hosting/pier/netguard"
)

const (
	// maxProxyConns bounds the connections one build has open to its
	// egress proxy; further ones wait in the listen backlog.
	maxProxyConns = 256
	// proxyIdle closes a tunnel, or a kept-alive connection to the proxy,
	// that has carried nothing for this long.
	proxyIdle = 5 * time.Minute
)

// forwardProxy is the HTTP forward proxy of one build: CONNECT tunnels (for
// https, git and npm) and absolute-form http:// requests, every connection
// dialed through a netguard policy. It logs nothing; its refusals reach the
// build as 403 responses with the reason, its dial errors as 502s.
type forwardProxy struct {
	policy    *netguard.Policy
	transport *http.Transport
	srv       *http.Server
	cancel    context.CancelFunc
	served    chan struct{}

	mu      sync.Mutex
	closed  bool
	tunnels map[net.Conn]bool // both ends of every open tunnel
	active  sync.WaitGroup    // running handlers
}

// serveProxy serves a forward proxy on ln until Close.
func serveProxy(ln net.Listener, policy *netguard.Policy) *forwardProxy {
	ctx, cancel := context.WithCancel(context.Background())
	p := &forwardProxy{
		policy: policy,
		transport: &http.Transport{
			DialContext:         policy.DialContext,
			MaxIdleConnsPerHost: 8,
			IdleConnTimeout:     90 * time.Second,
		},
		cancel:  cancel,
		served:  make(chan struct{}),
		tunnels: map[net.Conn]bool{},
	}
	p.srv = &http.Server{
		Handler:           p,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       proxyIdle,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go func() {
		defer close(p.served)
		_ = p.srv.Serve(newLimitListener(ln, maxProxyConns))
	}()
	return p
}

// Close closes the listener and every connection the proxy accepted or
// made, and returns when its handlers have returned.
func (p *forwardProxy) Close() {
	p.cancel()
	_ = p.srv.Close()
	<-p.served
	p.mu.Lock()
	p.closed = true
	for c := range p.tunnels {
		c.Close()
	}
	p.mu.Unlock()
	p.active.Wait()
	p.transport.CloseIdleConnections()
}

// ServeHTTP implements http.Handler.
func (p *forwardProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.active.Add(1)
	p.mu.Unlock()
	defer p.active.Done()

	switch {
	case r.Method == http.MethodConnect:
		p.connect(w, r)
	case r.URL.Scheme == "http" && r.URL.Host != "":
		rp := &httputil.ReverseProxy{
			// Out.URL is already the absolute URL requested.
			Rewrite:      func(pr *httputil.ProxyRequest) { pr.Out.Host = pr.In.Host },
			Transport:    p.transport,
			ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) { proxyError(w, err) },
			ErrorLog:     p.srv.ErrorLog,
		}
		rp.ServeHTTP(w, r)
	default:
		http.Error(w, "pier egress proxy: only CONNECT and absolute http:// requests are proxied", http.StatusBadRequest)
	}
}

// connect dials r's host:port and tunnels the client's connection to it.
func (p *forwardProxy) connect(w http.ResponseWriter, r *http.Request) {
	upstream, err := p.policy.DialContext(r.Context(), "tcp", r.Host)
	if err != nil {
		// The client may have sent data for the tunnel already.
		w.Header().Set("Connection", "close")
		proxyError(w, err)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		upstream.Close()
		http.Error(w, "pier egress proxy: CONNECT needs HTTP/1.1", http.StatusHTTPVersionNotSupported)
		return
	}
	client, buf, err := hj.Hijack()
	if err != nil {
		upstream.Close()
		return
	}
	if !p.track(client, upstream) {
		return
	}
	defer p.untrack(client, upstream)
	if _, err := io.WriteString(client, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	// What the client sent after the request, such as a TLS ClientHello.
	if n := buf.Reader.Buffered(); n > 0 {
		early, _ := buf.Reader.Peek(n)
		if _, err := upstream.Write(early); err != nil {
			return
		}
	}
	tunnel(client, upstream)
}

// track registers the ends of a tunnel for Close, or closes them and
// returns false if the proxy is closed already.
func (p *forwardProxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		if p.closed {
			c.Close()
		} else {
			p.tunnels[c] = true
		}
	}
	return !p.closed
}

// untrack closes the ends of a tunnel and forgets them.
func (p *forwardProxy) untrack(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		c.Close()
		delete(p.tunnels, c)
	}
}

// proxyError answers a request the proxy could not forward: 403 with the
// reason when the policy refused the destination, 502 otherwise.
func proxyError(w http.ResponseWriter, err error) {
	status := http.StatusBadGateway
	if errors.Is(err, netguard.ErrRefused) {
		status = http.StatusForbidden
	}
	http.Error(w, "pier egress proxy: "+err.Error(), status)
}

// tunnel copies between a and b in both directions until both have ended
// (a clean end half-closes the other side, an error ends both), or until
// nothing has moved for proxyIdle.
func tunnel(a, b net.Conn) {
	extend := func() {
		deadline := time.Now().Add(proxyIdle)
		_ = a.SetDeadline(deadline)
		_ = b.SetDeadline(deadline)
	}
	extend()
	pipe := func(dst, src net.Conn) {
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				extend()
				if _, werr := dst.Write(buf[:n]); werr != nil {
					err = werr
				}
			}
			if errors.Is(err, io.EOF) {
				if cw, ok := dst.(interface{ CloseWrite() error }); ok {
					_ = cw.CloseWrite()
					return
				}
			}
			if err != nil {
				a.Close()
				b.Close()
				return
			}
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		pipe(b, a)
	}()
	pipe(a, b)
	<-done
}

// limitListener accepts at most n connections at a time: Accept waits for
// one of them to be closed.
type limitListener struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func newLimitListener(ln net.Listener, n int) *limitListener {
	return &limitListener{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

// Accept implements net.Listener.
func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitConn{Conn: c, release: sync.OnceFunc(func() { <-l.slots })}, nil
}

// Close implements net.Listener.
func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitConn gives its slot back when closed.
type limitConn struct {
	net.Conn
	release func()
}

// Close implements net.Conn.
func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}

// CloseWrite half-closes a TCP connection, for tunnel.
func (c *limitConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Close()
}
