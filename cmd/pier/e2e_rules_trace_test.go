package main

// "pier trace" and the signed GET /pier/trace API it calls: for vectors of
// ruleVectors, the trace must explain what the edge does.

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/pier-hosting/pier/edge"
)

// securityTraced are the headers of siteSecurity's '**' entry as a trace
// shows them: as written, in order.
var securityTraced = []edge.TracedHeader{
	{Key: "Strict-Transport-Security", Value: "max-age=31536000; includeSubDomains"},
	{Key: "X-Frame-Options", Value: "SAMEORIGIN"},
	{Key: "X-XSS-Protection", Value: "1; mode=block"},
	{Key: "X-Content-Type-Options", Value: "nosniff"},
	{Key: "Content-Security-Policy", Value: "default-src 'self'"},
}

// TestRulesTrace runs "pier trace" for vectors whose sites it sets up, and
// checks its JSON and its human output, that the edge answers as the trace
// says, that only the app's account can trace it, and that the API wants a
// signature. It sets the process environment, which the AWS SDK reads, so
// it does not run in parallel.
func TestRulesTrace(t *testing.T) {
	upstream := newUpstream(t)
	s := startDeployServer(t, "--proxy-allow", "127.0.0.0/8", "--proxy-allow-http")
	traceEnv(t, s.AdminKey.ID, s.AdminKey.Secret)

	tests := []struct {
		name    string
		vector  string // the request traced, by vector name
		country string // --country
		want    func(*edge.Trace)
		human   []string // text of the human output
	}{
		{
			name: "SPA rewrite", vector: "R9 SPA route",
			want: func(tr *edge.Trace) {
				tr.Status, tr.Outcome, tr.File = 200, "rewrite", "/index.html"
				tr.Rule = &edge.TracedRule{Index: 0, Source: spaSource, Target: "/index.html", Status: "200"}
			},
			human: []string{"→ 200 rewrite, serving /index.html", "matched rule #0: " + spaSource + " → /index.html 200", "basic auth: not required"},
		},
		{
			name: "redirect forwarding the query, with headers", vector: "H2.4 security headers with R32 query forwarding",
			want: func(tr *edge.Trace) {
				tr.Status, tr.Outcome, tr.Location = 301, "redirect", "/new?x=1&y=2"
				tr.Rule = &edge.TracedRule{Index: 0, Source: "/old", Target: "/new", Status: "301"}
				tr.Headers = securityTraced
				tr.HeaderRules = []edge.TracedMatch{{Pattern: "**", Line: 2, Headers: securityTraced}}
			},
			human: []string{"→ 301 redirect to /new?x=1&y=2", "matched rule #0: /old → /new 301", "X-Frame-Options: SAMEORIGIN", `(pattern "**", line 2)`},
		},
		{
			name: "404-200", vector: "R34 404-200 for a missing file",
			want: func(tr *edge.Trace) {
				tr.Status, tr.Outcome, tr.File = 200, "not-found-rewrite", "/index.html"
				tr.Rule = &edge.TracedRule{Index: 0, Source: "/<*>", Target: "/index.html", Status: "404-200"}
			},
			human: []string{"→ 200 not-found-rewrite, serving /index.html", "matched rule #0: /<*> → /index.html 404-200"},
		},
		{
			name: "ignored <*> rule", vector: "R30 <*> not at the end is ignored",
			want: func(tr *edge.Trace) {
				tr.Status, tr.Outcome, tr.File = 200, "file", "/docs/a/content.html"
				tr.Ignored = []edge.TracedRule{{Index: 0, Source: "/docs/<*>/content", Target: "/documents/<*>/content", Status: "301",
					Reason: "<*> may appear only once, at the end of the source"}}
			},
			human: []string{"no custom rule matched", "ignored rule #0 /docs/<*>/content → /documents/<*>/content: <*> may appear only once"},
		},
		{
			name: "basic auth required", vector: "auth required",
			want: func(tr *edge.Trace) {
				tr.AuthRequired, tr.Authorized = true, false
				tr.Status, tr.Outcome = 401, "basic-auth"
				// The edge's 401 carries the app's custom headers too.
				deny := []edge.TracedHeader{{Key: "X-Frame-Options", Value: "DENY"}}
				tr.Headers = deny
				tr.HeaderRules = []edge.TracedMatch{{Pattern: "**", Line: 2, Headers: deny}}
			},
			human: []string{"basic auth: required, credentials missing or wrong", "→ 401 basic-auth"},
		},
		{
			name: "basic auth passed", vector: "auth then rules",
			want: func(tr *edge.Trace) {
				tr.AuthRequired = true
				tr.Status, tr.Outcome, tr.Location = 301, "redirect", "/new?x=1"
				tr.Rule = &edge.TracedRule{Index: 0, Source: "/old", Target: "/new", Status: "301"}
				deny := []edge.TracedHeader{{Key: "X-Frame-Options", Value: "DENY"}}
				tr.Headers = deny
				tr.HeaderRules = []edge.TracedMatch{{Pattern: "**", Line: 2, Headers: deny}}
			},
			human: []string{"basic auth: required, credentials accepted", "→ 301 redirect to /new?x=1"},
		},
		{
			name: "country condition met", vector: "R25 viewer US by trusted header", country: "us",
			want: func(tr *edge.Trace) {
				tr.Country = "US"
				tr.Status, tr.Outcome, tr.Location = 302, "redirect", "/documents/us/"
				tr.Rule = &edge.TracedRule{Index: 0, Source: "/documents", Target: "/documents/us/", Status: "302", Condition: "<US>"}
			},
			human: []string{"viewer country US", "matched rule #0: /documents → /documents/us/ 302 <US>"},
		},
		{
			name: "country unknown", vector: "R25 unknown viewer",
			want: func(tr *edge.Trace) {
				tr.Status, tr.Outcome, tr.File = 200, "file", "/documents.html"
			},
			human: []string{"→ 200 file, serving /documents.html", "no custom rule matched"},
		},
		{
			name: "allowed proxy", vector: "R16 proxy forwards the query",
			want: func(tr *edge.Trace) {
				tr.Status, tr.Outcome, tr.ProxyTarget = 200, "proxy", upstream+"/cat.png?size=2"
				tr.Rule = &edge.TracedRule{Index: 0, Source: "/images/<*>", Target: upstream + "/<*>", Status: "200"}
			},
			human: []string{"→ 200 proxy to " + upstream + "/cat.png?size=2"},
		},
	}
	var vectors []ruleVector
	for _, tt := range tests {
		vectors = append(vectors, vectorNamed(t, tt.vector))
	}
	apps := s.setUpSites(t, vectors, upstream)

	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := vectors[i]
			app := apps[v.site]
			target := "http://" + app.host + v.path
			var args []string
			for _, k := range sortedKeys(v.header) {
				if k != "CloudFront-Viewer-Country" {
					args = append(args, "--header", k+":"+v.header[k])
				}
			}
			if tt.country != "" {
				args = append(args, "--country", tt.country)
			}

			want := edge.Trace{
				URL: target, AppID: strings.ToLower(app.id), Branch: "main", Authorized: true,
				Headers: []edge.TracedHeader{}, HeaderRules: []edge.TracedMatch{}, Ignored: []edge.TracedRule{},
			}
			tt.want(&want)
			out, err := pierTrace(t, s, target, append(args, "--json")...)
			if err != nil {
				t.Fatalf("pier trace --json: %v", err)
			}
			var got any
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("pier trace --json printed %q: %v", out, err)
			}
			if diff := jsonDiff(asJSONValue(t, want), got); diff != "" {
				t.Errorf("pier trace --json %s:\n%s", target, diff)
			}

			// The edge does what the trace says.
			r := s.get(t, app.id, v.path, v.requestHeader())
			if tt.country == "" && (r.Status != want.Status || r.Header.Get("Location") != want.Location) {
				t.Errorf("edge answers %d Location %q; the trace says %d %q", r.Status, r.Header.Get("Location"), want.Status, want.Location)
			}

			human, err := pierTrace(t, s, target, args...)
			if err != nil {
				t.Fatalf("pier trace: %v", err)
			}
			for _, text := range tt.human {
				if !strings.Contains(human, text) {
					t.Errorf("pier trace printed\n%s\nwhich does not contain %q", human, text)
				}
			}
		})
	}

	t.Run("another account's app", func(t *testing.T) {
		id, secret := s.createKey(t, "111111111111")
		traceEnv(t, id, secret)
		target := "http://" + apps[siteSPA].host + "/"
		_, err := pierTrace(t, s, target)
		if err == nil || !strings.Contains(err.Error(), "NotFoundException") {
			t.Errorf("pier trace of another account's app: error %v, want NotFoundException", err)
		}
	})
	t.Run("unknown host", func(t *testing.T) {
		_, err := pierTrace(t, s, "http://main.nosuchapp.localhost/")
		if err == nil || !strings.Contains(err.Error(), "NotFoundException") {
			t.Errorf("pier trace of an unknown app: error %v, want NotFoundException", err)
		}
	})
	t.Run("unsigned", func(t *testing.T) {
		r := s.doRaw(t, http.MethodGet, traceURLQuery("http://"+apps[siteSPA].host+"/"), nil, signing{unsigned: true})
		if r.Status != http.StatusUnauthorized {
			t.Errorf("unsigned GET /pier/trace: status %d %s, want 401", r.Status, r.Body)
		}
	})
}

// traceEnv makes the AWS SDK's default configuration, which "pier trace"
// loads from the process environment, use key id and nothing else.
func traceEnv(t *testing.T, id, secret string) {
	t.Helper()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": id, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_REGION": testRegion,
	} {
		t.Setenv(k, v)
	}
}

// pierTrace runs "pier trace URL --endpoint API args…" and returns what it
// printed.
func pierTrace(t *testing.T, s *testServer, rawURL string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(t.Context(), append([]string{"trace", rawURL, "--endpoint", s.APIURL}, args...), &out, os.Getenv)
	return out.String(), err
}

// traceAPI GETs the trace of rawURL from the API, signed with the
// administrator's key, and decodes it.
func (s *testServer) traceAPI(t *testing.T, rawURL string) edge.Trace {
	t.Helper()
	r := s.doRaw(t, http.MethodGet, traceURLQuery(rawURL), nil, signing{})
	if r.Status != http.StatusOK {
		t.Fatalf("GET /pier/trace?url=%s: status %d %s", rawURL, r.Status, r.Body)
	}
	var tr edge.Trace
	if err := json.Unmarshal(r.Body, &tr); err != nil {
		t.Fatalf("GET /pier/trace: body %q: %v", r.Body, err)
	}
	return tr
}

// traceURLQuery is the path and query of a GET of the trace API for rawURL.
func traceURLQuery(rawURL string) string {
	return "/pier/trace?" + url.Values{"url": {rawURL}}.Encode()
}

// asJSONValue returns v as json.Unmarshal would decode its encoding into an
// any, so that it compares with a decoded answer key by key.
func asJSONValue(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
