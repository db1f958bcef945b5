package main

// Reverse-proxy rules (a 200 rule to an absolute URL, R5 and R16) against a
// plain-HTTP upstream on loopback, which the proxy refuses unless the
// operator allows it.

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// newUpstream starts the upstream of the proxy vectors and returns its base
// URL. GET /moved redirects to /elsewhere; any other request is answered
// with its method and URI on the first line, then the request's headers,
// one "Key: value" a line, sorted, then its Host. Responses carry
// X-Upstream and hop-by-hop headers the proxy must not pass on.
func newUpstream(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		}
		h := w.Header()
		h.Set("X-Upstream", "1")
		h.Set("Connection", "X-Up-Hop")
		h.Set("X-Up-Hop", "1")
		h.Set("Proxy-Authenticate", "Basic")
		h.Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "upstream %s %s\n", r.Method, r.URL.RequestURI())
		for _, k := range sortedKeys(r.Header) {
			fmt.Fprintf(w, "%s: %s\n", k, strings.Join(r.Header[k], ", "))
		}
		fmt.Fprintf(w, "Host: %s\n", r.Host)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestRulesProxyRefused runs the proxy vectors on servers whose operator
// did not allow the upstream: without flags (an http:// target) and with
// --proxy-allow-http but no --proxy-allow (a loopback address). Each
// request is answered 502 without reaching the upstream, and the trace API
// says why.
func TestRulesProxyRefused(t *testing.T) {
	t.Parallel()
	upstream := newUpstream(t)
	for _, tt := range []struct {
		name   string
		flags  []string
		reason string
	}{
		{"no flags", nil, "http:// targets are not allowed"},
		{"http allowed, loopback not", []string{"--proxy-allow-http"}, "127.0.0.1 is a loopback address"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startDeployServer(t, tt.flags...)
			var vectors []ruleVector
			for _, name := range []string{"R5 domain proxy", "R16 proxy with rest of path"} {
				v := vectorNamed(t, name)
				v.want = vectorWant{status: http.StatusBadGateway, lacks: []string{"upstream"}, headers: map[string]string{"X-Upstream": ""}}
				vectors = append(vectors, v)
			}
			apps := s.setUpSites(t, vectors, upstream)
			s.runVectors(t, vectors, apps)
			for _, v := range vectors {
				t.Run("trace "+v.name, func(t *testing.T) {
					t.Parallel()
					tr := s.traceAPI(t, "http://"+apps[v.site].host+v.path)
					if tr.Outcome != "proxy" || !strings.HasPrefix(tr.ProxyTarget, upstream+"/") {
						t.Errorf("trace: outcome %q to %q, want proxy to %s/…", tr.Outcome, tr.ProxyTarget, upstream)
					}
					if !strings.Contains(tr.ProxyRefused, tt.reason) {
						t.Errorf("trace: proxyRefused = %q, want it to say %q", tr.ProxyRefused, tt.reason)
					}
					if tr.Status != http.StatusBadGateway {
						t.Errorf("trace: status %d, want 502 like the edge", tr.Status)
					}
				})
			}
		})
	}
}
