package proxy

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// dropListener closes the first drop connections it accepts.
type dropListener struct {
	net.Listener
	drop     int32
	accepted atomic.Int32
}

func (l *dropListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.accepted.Add(1) > l.drop {
			return c, nil
		}
		c.Close()
	}
}

func TestServeRetries(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		body     string
		attempts int
		drop     int32
		wantCode int
	}{
		{name: "GET after two dropped connections", method: http.MethodGet, drop: 2, wantCode: http.StatusOK},
		{name: "HEAD after one dropped connection", method: http.MethodHead, drop: 1, wantCode: http.StatusOK},
		{name: "GET gives up after three attempts", method: http.MethodGet, drop: 3, wantCode: http.StatusBadGateway},
		{name: "GET with one attempt", method: http.MethodGet, attempts: 1, drop: 1, wantCode: http.StatusBadGateway},
		{name: "POST not retried", method: http.MethodPost, body: "x", drop: 1, wantCode: http.StatusBadGateway},
		{name: "GET with a body not retried", method: http.MethodGet, body: "x", drop: 1, wantCode: http.StatusBadGateway},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			upstream := httptest.NewUnstartedServer(http.HandlerFunc(echoHandler))
			l := &dropListener{Listener: upstream.Listener, drop: tt.drop}
			upstream.Listener = l
			upstream.StartTLS()
			t.Cleanup(upstream.Close)
			p := newProxy(t, upstream, Config{Attempts: tt.attempts})

			w := httptest.NewRecorder()
			r := httptest.NewRequest(tt.method, "http://pier.example.com/", strings.NewReader(tt.body))
			p.Serve(w, r, mustParse(t, upstream.URL+"/"))
			if w.Code != tt.wantCode {
				t.Errorf("status %d, want %d: %s", w.Code, tt.wantCode, w.Body)
			}
			wantConns := min(tt.drop+1, int32(p.transport.attempts))
			if tt.body != "" {
				wantConns = 1
			}
			if n := l.accepted.Load(); n != wantConns {
				t.Errorf("%d connections, want %d", n, wantConns)
			}
		})
	}
}

func TestServeTimeouts(t *testing.T) {
	// stall answers nothing until the proxy gives up.
	stall := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	tests := []struct {
		name   string
		method string
		cfg    Config
	}{
		{name: "every attempt times out", method: http.MethodGet,
			cfg: Config{AttemptTimeout: 20 * time.Millisecond, TotalTimeout: time.Minute}},
		{name: "total timeout before the attempts are over", method: http.MethodGet,
			cfg: Config{AttemptTimeout: time.Minute, TotalTimeout: 50 * time.Millisecond}},
		{name: "POST times out once", method: http.MethodPost,
			cfg: Config{AttemptTimeout: 20 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			upstream := newUpstream(t, stall)
			p := newProxy(t, upstream, tt.cfg)
			w := httptest.NewRecorder()
			p.Serve(w, httptest.NewRequest(tt.method, "http://pier.example.com/", nil), mustParse(t, upstream.URL+"/"))
			if w.Code != http.StatusBadGateway {
				t.Errorf("status %d, want 502", w.Code)
			}
		})
	}
}

// TestServeStalledBody checks that a body that stops flowing is cut off:
// the status has gone out, so the client sees a truncated response.
func TestServeStalledBody(t *testing.T) {
	upstream := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "partial")
		if r.URL.Path == "/warm" {
			return
		}
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	// Warm the shared transport's connection, so that a slow TLS handshake
	// on a loaded machine does not spend the short attempt timeout.
	if res, err := upstream.Client().Get(upstream.URL + "/warm"); err != nil {
		t.Fatal(err)
	} else {
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	p := newProxy(t, upstream, Config{AttemptTimeout: 200 * time.Millisecond})
	target := mustParse(t, upstream.URL+"/stall")
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.Serve(w, r, target) }))
	t.Cleanup(front.Close)

	res, err := front.Client().Get(front.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || err == nil {
		t.Errorf("got %d, body %q, read error %v; want 200 and a read error", res.StatusCode, body, err)
	}
}
