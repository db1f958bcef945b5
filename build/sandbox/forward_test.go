package sandbox

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// startProxy serves a forward proxy allowing allow on a host loopback port
// and returns its URL.
func startProxy(t *testing.T, allow ...string) *url.URL {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := serveProxy(ln, mustPolicy(t, allow...))
	t.Cleanup(p.Close)
	return &url.URL{Scheme: "http", Host: ln.Addr().String()}
}

// TestForwardProxy drives the proxy with Go's own client, as npm or curl
// would use it: https through CONNECT, http as absolute-form requests.
func TestForwardProxy(t *testing.T) {
	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "hello\n") })
	plain := httptest.NewServer(handler)
	defer plain.Close()
	secure := httptest.NewTLSServer(handler)
	defer secure.Close()
	for _, tt := range []struct {
		name   string
		allow  []string
		server *httptest.Server
		status int
		body   string
	}{
		{"httpsAllowed", []string{"127.0.0.1/32"}, secure, 200, "hello\n"},
		{"httpAllowed", []string{"127.0.0.1/32"}, plain, 200, "hello\n"},
		{"httpsRefused", nil, secure, 403, ""},
		{"httpRefused", nil, plain, 403, "pier egress proxy: "},
		{"otherAddressAllowed", []string{"10.0.0.0/8"}, plain, 403, "127.0.0.1 is a loopback address"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			client := tt.server.Client()
			tr := client.Transport.(*http.Transport).Clone()
			tr.Proxy = http.ProxyURL(startProxy(t, tt.allow...))
			defer tr.CloseIdleConnections()
			client.Transport = tr
			res, err := client.Get(tt.server.URL)
			if tt.status == 403 && tt.server == secure {
				// Go's client reports a refused CONNECT as an error.
				if err == nil || !strings.Contains(err.Error(), "Forbidden") {
					t.Fatalf("Get = %v, want Forbidden", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.status || !strings.Contains(string(body), tt.body) {
				t.Errorf("got %d %q, want %d containing %q", res.StatusCode, body, tt.status, tt.body)
			}
		})
	}
}

// TestForwardProxyClose closes the proxy while a tunnel is open: both of
// its connections end.
func TestForwardProxyClose(t *testing.T) {
	upstream, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer upstream.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := serveProxy(ln, mustPolicy(t, "127.0.0.1/32"))
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	io.WriteString(client, "CONNECT "+upstream.Addr().String()+" HTTP/1.1\r\nHost: x\r\n\r\nearly")
	server, err := upstream.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	status, err := bufio.NewReader(client).ReadString('\n')
	if err != nil || status != "HTTP/1.1 200 Connection established\r\n" {
		t.Fatalf("status line %q (%v)", status, err)
	}
	early := make([]byte, 5)
	if _, err := io.ReadFull(server, early); err != nil || string(early) != "early" {
		t.Fatalf("upstream read %q (%v), want the bytes sent after CONNECT", early, err)
	}

	p.Close()
	for name, c := range map[string]net.Conn{"client": client, "upstream": server} {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.Copy(io.Discard, c); err != nil {
			t.Errorf("%s read after Close: %v, want EOF", name, err)
		}
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("the proxy still accepts connections after Close")
	}
}

// TestLimitListener checks that a connection beyond the limit waits until
// an accepted one is closed.
func TestLimitListener(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := newLimitListener(inner, 1)
	defer ln.Close()
	for range 2 {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	first, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			accepted <- c
		}
	}()
	select {
	case <-accepted:
		t.Fatal("accepted a second connection over the limit")
	case <-time.After(100 * time.Millisecond):
	}
	first.Close()
	first.Close() // gives its slot back only once
	select {
	case c := <-accepted:
		c.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("the second connection was not accepted after the first closed")
	}
}
