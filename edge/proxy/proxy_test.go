package proxy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// noDial is a transport that fails the test when the proxy uses it.
type noDial struct{ t *testing.T }

func (n noDial) RoundTrip(r *http.Request) (*http.Response, error) {
	n.t.Errorf("proxy dialed %s", r.URL)
	return nil, errors.New("no dial")
}

// echo is what echoHandler saw of a request.
type echo struct {
	Method, URI, Host, Body string
	Header                  http.Header
}

func echoHandler(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Upstream", "yes")
	json.NewEncoder(w).Encode(echo{Method: r.Method, URI: r.RequestURI, Host: r.Host, Body: string(body), Header: r.Header})
}

func newUpstream(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	s := httptest.NewTLSServer(h)
	t.Cleanup(s.Close)
	return s
}

// newProxy returns a Proxy that may reach loopback upstreams through the
// upstream's own client transport, which trusts its certificate.
func newProxy(t *testing.T, upstream *httptest.Server, cfg Config) *Proxy {
	t.Helper()
	cfg.Allow = append(cfg.Allow, "127.0.0.0/8")
	if cfg.Transport == nil {
		cfg.Transport = upstream.Client().Transport
	}
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestServeForwards(t *testing.T) {
	upstream := newUpstream(t, echoHandler)
	p := newProxy(t, upstream, Config{})
	tests := []struct {
		name      string
		method    string
		body      string
		header    map[string]string
		tls       bool
		target    string // appended to the upstream URL
		wantProto string
	}{
		{
			name:   "GET with query and headers",
			method: http.MethodGet,
			header: map[string]string{"Accept": "application/json", "Cookie": "a=b", "X-Forwarded-For": "6.6.6.6"},
			target: "/api/items?id=7&x=1", wantProto: "http",
		},
		{
			name:   "POST with body",
			method: http.MethodPost, body: "name=pier",
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			target: "/api/items", wantProto: "http",
		},
		{
			name:   "PUT with escaped path over TLS",
			method: http.MethodPut, body: strings.Repeat("x", 100_000),
			tls: true, target: "/a%2Fb/c%20d", wantProto: "https",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "http://pier.example.com/page?x=1", strings.NewReader(tt.body))
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			w := httptest.NewRecorder()
			p.Serve(w, r, mustParse(t, upstream.URL+tt.target))

			if w.Code != http.StatusOK || w.Header().Get("X-Upstream") != "yes" {
				t.Fatalf("status %d, X-Upstream %q: %s", w.Code, w.Header().Get("X-Upstream"), w.Body)
			}
			var got echo
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			checks := []struct{ what, got, want string }{
				{"method", got.Method, tt.method},
				{"request URI", got.URI, tt.target},
				{"body", got.Body, tt.body},
				{"Host", got.Host, strings.TrimPrefix(upstream.URL, "https://")},
				{"X-Forwarded-For", strings.Join(got.Header["X-Forwarded-For"], ","), "192.0.2.1"},
				{"X-Forwarded-Host", got.Header.Get("X-Forwarded-Host"), "pier.example.com"},
				{"X-Forwarded-Proto", got.Header.Get("X-Forwarded-Proto"), tt.wantProto},
			}
			for k, v := range tt.header {
				if k != "X-Forwarded-For" {
					checks = append(checks, struct{ what, got, want string }{k, got.Header.Get(k), v})
				}
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("upstream saw %s %q, want %q", c.what, c.got, c.want)
				}
			}
		})
	}
}

func TestServeHopByHop(t *testing.T) {
	var seen http.Header
	upstream := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Clone()
		h := w.Header()
		h.Set("Connection", "X-Bar")
		h.Set("X-Bar", "1")
		h.Set("Keep-Alive", "timeout=5")
		h.Set("Proxy-Authenticate", "Basic")
		h.Set("Proxy-Foo", "1")
		h.Set("Upgrade", "h2c")
		h.Set("X-Kept", "1")
		io.WriteString(w, "ok")
	})
	p := newProxy(t, upstream, Config{})

	r := httptest.NewRequest(http.MethodGet, "http://pier.example.com/", nil)
	for k, v := range map[string]string{
		"Connection": "X-Foo, Upgrade", "X-Foo": "1", "Keep-Alive": "300",
		"Proxy-Authorization": "Basic eDp5", "Proxy-Foo": "1", "Proxy-Connection": "keep-alive",
		"Te": "trailers", "Trailer": "X-T", "Upgrade": "websocket", "X-Kept": "1",
	} {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	p.Serve(w, r, mustParse(t, upstream.URL+"/"))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}

	for _, k := range []string{"Connection", "X-Foo", "Keep-Alive", "Proxy-Authorization", "Proxy-Foo",
		"Proxy-Connection", "Te", "Trailer", "Upgrade"} {
		if v, ok := seen[k]; ok {
			t.Errorf("upstream saw %s: %q", k, v)
		}
	}
	if seen.Get("X-Kept") != "1" {
		t.Errorf("upstream did not see X-Kept")
	}
	for _, k := range []string{"Connection", "X-Bar", "Keep-Alive", "Proxy-Authenticate", "Proxy-Foo", "Upgrade"} {
		if v, ok := w.Header()[k]; ok {
			t.Errorf("client saw %s: %q", k, v)
		}
	}
	if w.Header().Get("X-Kept") != "1" {
		t.Errorf("client did not see X-Kept")
	}
}

func TestServeRedirectNotFollowed(t *testing.T) {
	var followed atomic.Bool
	upstream := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/new" {
			followed.Store(true)
		}
		http.Redirect(w, r, "/new", http.StatusFound)
	})
	p := newProxy(t, upstream, Config{})
	w := httptest.NewRecorder()
	p.Serve(w, httptest.NewRequest(http.MethodGet, "http://pier.example.com/old", nil), mustParse(t, upstream.URL+"/old"))
	if w.Code != http.StatusFound || w.Header().Get("Location") != "/new" {
		t.Errorf("got %d Location %q, want 302 /new", w.Code, w.Header().Get("Location"))
	}
	if followed.Load() {
		t.Error("the proxy followed the redirect")
	}
}

func TestServeRefused(t *testing.T) {
	tests := []struct {
		name   string
		target string
		allow  []string
	}{
		{name: "http without AllowHTTP", target: "http://api.example.com/", allow: []string{"api.example.com"}},
		{name: "other scheme", target: "ftp://api.example.com/"},
		{name: "loopback", target: "https://127.0.0.1:8443/"},
		{name: "IPv6 loopback", target: "https://[::1]/"},
		{name: "localhost", target: "https://localhost/"},
		{name: "private", target: "https://10.0.0.1/"},
		{name: "link-local", target: "https://169.254.169.254/latest/meta-data/"},
		{name: "IPv6 ULA", target: "https://[fd00::1]/"},
		{name: "unspecified", target: "https://0.0.0.0/"},
		{name: "private despite another allowed prefix", target: "https://192.168.1.1/", allow: []string{"10.0.0.0/8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(Config{Allow: tt.allow, Transport: noDial{t}, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
			if err != nil {
				t.Fatal(err)
			}
			w := httptest.NewRecorder()
			p.Serve(w, httptest.NewRequest(http.MethodGet, "http://pier.example.com/", nil), mustParse(t, tt.target))
			if w.Code != http.StatusBadGateway || w.Body.String() != "Bad Gateway\n" {
				t.Errorf("got %d %q, want 502 %q", w.Code, w.Body, "Bad Gateway\n")
			}
		})
	}
}

// TestServeDefaultTransport runs the transport New builds, with a dial hook
// standing in for DNS.
func TestServeDefaultTransport(t *testing.T) {
	var hits atomic.Int32
	upstream := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, "ok")
	})
	_, port, _ := net.SplitHostPort(upstream.Listener.Addr().String())
	roots := x509.NewCertPool()
	roots.AddCert(upstream.Certificate())

	tests := []struct {
		name     string
		allow    []string
		target   string
		resolve  string // the address every dial goes to, "" for real resolution
		wantCode int
	}{
		{name: "name resolving to loopback refused when connecting", target: "https://rebind.example.com:" + port + "/",
			resolve: "127.0.0.1:" + port, wantCode: http.StatusBadGateway},
		{name: "allowed prefix", allow: []string{"127.0.0.0/8"}, target: "https://127.0.0.1:" + port + "/", wantCode: http.StatusOK},
		{name: "allowed name", allow: []string{"localhost"}, target: "https://localhost:" + port + "/", wantCode: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(Config{Allow: tt.allow, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
			if err != nil {
				t.Fatal(err)
			}
			tr := p.transport.next.(*http.Transport)
			tr.TLSClientConfig = &tls.Config{RootCAs: roots, ServerName: "example.com"}
			var dials atomic.Int32
			dial := tr.DialContext
			tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
				dials.Add(1)
				if tt.resolve != "" {
					addr = tt.resolve
				}
				return dial(ctx, network, addr)
			}
			before := hits.Load()
			w := httptest.NewRecorder()
			p.Serve(w, httptest.NewRequest(http.MethodGet, "http://pier.example.com/", nil), mustParse(t, tt.target))
			if w.Code != tt.wantCode {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.wantCode, w.Body)
			}
			if reached := hits.Load() > before; reached != (tt.wantCode == http.StatusOK) {
				t.Errorf("upstream reached: %v", reached)
			}
			if n := dials.Load(); n != 1 {
				t.Errorf("%d dials, want 1 (a refusal is not retried)", n)
			}
		})
	}
}

func TestServeBodyLimit(t *testing.T) {
	upstream := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprint(w, n)
	})
	tests := []struct {
		name     string
		body     io.Reader // a *strings.Reader has a Content-Length, an io.MultiReader none
		noDial   bool
		wantCode int
		wantBody string
	}{
		{name: "at the limit, streamed", body: io.MultiReader(strings.NewReader(strings.Repeat("x", maxBody))),
			wantCode: http.StatusOK, wantBody: fmt.Sprint(maxBody)},
		{name: "over the limit, streamed", body: io.MultiReader(strings.NewReader(strings.Repeat("x", maxBody+1))),
			wantCode: http.StatusRequestEntityTooLarge, wantBody: "Request Entity Too Large\n"},
		{name: "Content-Length over the limit", body: strings.NewReader(strings.Repeat("x", maxBody+1)),
			noDial: true, wantCode: http.StatusRequestEntityTooLarge, wantBody: "Request Entity Too Large\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg Config
			if tt.noDial {
				cfg.Transport = noDial{t}
			}
			p := newProxy(t, upstream, cfg)
			w := httptest.NewRecorder()
			p.Serve(w, httptest.NewRequest(http.MethodPost, "http://pier.example.com/", tt.body), mustParse(t, upstream.URL+"/"))
			if w.Code != tt.wantCode || w.Body.String() != tt.wantBody {
				t.Errorf("got %d %q, want %d %q", w.Code, w.Body, tt.wantCode, tt.wantBody)
			}
		})
	}
}
