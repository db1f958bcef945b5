package headers

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The examples of hosting-semantics §2.
const (
	// doc21 is the format example of §2.1.
	doc21 = `customHeaders:
  - pattern: '*.json'
    headers:
      - key: 'custom-header-name-1'
        value: 'custom-header-value-1'
  - pattern: '/path/*'
    headers:
      - key: 'custom-header-name-1'
        value: 'custom-header-value-2'
`
	// docMonorepo is the monorepo example of §2.1.
	docMonorepo = `applications:
  - appRoot: app1
    customHeaders:
      - pattern: '**/*'
        headers: [{ key: 'x-a', value: '1' }]
  - appRoot: app2
    customHeaders:
      - pattern: '/path/*.json'
        headers: [{ key: 'x-b', value: '2' }]
`
	// docSecurity is the security headers example of §2.4.
	docSecurity = `customHeaders:
  - pattern: '**'
    headers:
      - key: 'Strict-Transport-Security'
        value: 'max-age=31536000; includeSubDomains'
      - key: 'X-Frame-Options'
        value: 'SAMEORIGIN'
      - key: 'X-XSS-Protection'
        value: '1; mode=block'
      - key: 'X-Content-Type-Options'
        value: 'nosniff'
      - key: 'Content-Security-Policy'
        value: "default-src 'self'"
`
	// docCache is the cache example of §2.4.
	docCache = `customHeaders:
  - pattern: '/img/*'
    headers:
      - key: 'Cache-Control'
        value: 's-maxage=3600'
`
)

var security = []Header{
	{"Strict-Transport-Security", "max-age=31536000; includeSubDomains"},
	{"X-Frame-Options", "SAMEORIGIN"},
	{"X-XSS-Protection", "1; mode=block"},
	{"X-Content-Type-Options", "nosniff"},
	{"Content-Security-Policy", "default-src 'self'"},
}

func TestApply(t *testing.T) {
	const override = `customHeaders:
  - pattern: '**'
    headers:
      - {key: Cache-Control, value: no-cache}
      - {key: X-Frame-Options, value: DENY}
  - pattern: '*.js'
    headers:
      - {key: cache-control, value: 'public, max-age=31536000, immutable'}
  - pattern: '/vendor/**'
    headers:
      - {key: x-frame-options, value: SAMEORIGIN}
      - {key: X-Vendor, value: '1'}
      - {key: X-VENDOR, value: '2'}
`
	tests := []struct {
		name, doc, appRoot, path string
		status                   int
		want                     []Header
	}{
		{"2.1 json at the root", doc21, "", "/data.json", 200, []Header{{"custom-header-name-1", "custom-header-value-1"}}},
		{"2.1 json at any depth", doc21, "", "/a/b/data.json", 200, []Header{{"custom-header-name-1", "custom-header-value-1"}}},
		{"2.1 anchored path", doc21, "", "/path/page.html", 200, []Header{{"custom-header-name-1", "custom-header-value-2"}}},
		{"2.1 both match, the later wins", doc21, "", "/path/data.json", 200, []Header{{"custom-header-name-1", "custom-header-value-2"}}},
		{"2.1 star stays in its segment", doc21, "", "/path/a/page.html", 200, nil},
		{"2.1 no match", doc21, "", "/index.html", 200, nil},
		{"2.1 monorepo app1 everywhere", docMonorepo, "app1", "/a/b/c.html", 200, []Header{{"x-a", "1"}}},
		{"2.1 monorepo app1 at the root", docMonorepo, "app1", "/", 200, []Header{{"x-a", "1"}}},
		{"2.1 monorepo app2", docMonorepo, "app2", "/path/a.json", 200, []Header{{"x-b", "2"}}},
		{"2.1 monorepo app2 other file", docMonorepo, "app2", "/path/a.html", 200, nil},
		{"2.1 monorepo app2 not anchored elsewhere", docMonorepo, "app2", "/x/path/a.json", 200, nil},
		{"2.4 security on the root", docSecurity, "", "/", 200, security},
		{"2.4 security deep", docSecurity, "", "/a/b/c.js", 200, security},
		{"2.4 security on a 404", docSecurity, "", "/missing", 404, security},
		{"2.4 security on a redirect", docSecurity, "", "/about", 301, security},
		{"2.4 cache on 200", docCache, "", "/img/logo.png", 200, []Header{{"Cache-Control", "s-maxage=3600"}}},
		{"2.4 cache on 206", docCache, "", "/img/logo.png", 206, []Header{{"Cache-Control", "s-maxage=3600"}}},
		{"2.4 cache on 304", docCache, "", "/img/logo.png", 304, []Header{{"Cache-Control", "s-maxage=3600"}}},
		{"2.4 no cache on 404", docCache, "", "/img/missing.png", 404, nil},
		{"2.4 no cache on 301", docCache, "", "/img/logo.png", 301, nil},
		{"2.4 no cache on 500", docCache, "", "/img/logo.png", 500, nil},
		{"2.4 cache not in subdirectories", docCache, "", "/img/icons/a.png", 200, nil},
		{"override later entry wins at the first position", override, "", "/app.js", 200, []Header{
			{"cache-control", "public, max-age=31536000, immutable"},
			{"X-Frame-Options", "DENY"},
		}},
		{"override three entries", override, "", "/vendor/lib.js", 200, []Header{
			{"cache-control", "public, max-age=31536000, immutable"},
			{"x-frame-options", "SAMEORIGIN"},
			{"X-VENDOR", "2"},
		}},
		{"override cache-control dropped on 404", override, "", "/vendor/lib.js", 404, []Header{
			{"x-frame-options", "SAMEORIGIN"},
			{"X-VENDOR", "2"},
		}},
		{"override one entry", override, "", "/index.html", 200, []Header{{"Cache-Control", "no-cache"}, {"X-Frame-Options", "DENY"}}},
		{"override one entry on 404", override, "", "/index.html", 404, []Header{{"X-Frame-Options", "DENY"}}},
		{"override only cache-control on 404", override, "", "/app.js", 404, []Header{{"X-Frame-Options", "DENY"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustParse(t, tt.doc, tt.appRoot)
			if diff := cmp.Diff(tt.want, r.Apply(tt.path, tt.status)); diff != "" {
				t.Errorf("Apply(%q, %d) mismatch (-want +got):\n%s", tt.path, tt.status, diff)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	app := mustParse(t, `customHeaders:
  - pattern: '**'
    headers:
      - {key: X-Frame-Options, value: DENY}
      - {key: X-App, value: '1'}
`, "")
	deployment := mustParse(t, `customHeaders:
  - pattern: '*.html'
    headers:
      - {key: x-frame-options, value: SAMEORIGIN}
`, "")
	tests := []struct {
		name  string
		rules *Rules
		path  string
		want  []Header
	}{
		{"customHttp.yml wins", app.Merge(deployment), "/index.html", []Header{{"x-frame-options", "SAMEORIGIN"}, {"X-App", "1"}}},
		{"app alone where customHttp.yml does not match", app.Merge(deployment), "/app.js", []Header{{"X-Frame-Options", "DENY"}, {"X-App", "1"}}},
		{"reversed, the app wins", deployment.Merge(app), "/index.html", []Header{{"X-Frame-Options", "DENY"}, {"X-App", "1"}}},
		{"nil receiver", (*Rules)(nil).Merge(deployment), "/index.html", []Header{{"x-frame-options", "SAMEORIGIN"}}},
		{"nil other", app.Merge(nil), "/index.html", []Header{{"X-Frame-Options", "DENY"}, {"X-App", "1"}}},
		{"both nil", (*Rules)(nil).Merge(nil), "/index.html", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.rules.Apply(tt.path, 200)); diff != "" {
				t.Errorf("Apply mismatch (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("inputs unchanged", func(t *testing.T) {
		if app.Len() != 1 || deployment.Len() != 1 || app.Merge(deployment).Len() != 2 {
			t.Errorf("lengths %d, %d, merged %d", app.Len(), deployment.Len(), app.Merge(deployment).Len())
		}
		want := []Header{{"X-Frame-Options", "DENY"}, {"X-App", "1"}}
		if diff := cmp.Diff(want, app.Apply("/index.html", 200)); diff != "" {
			t.Errorf("app rules changed (-want +got):\n%s", diff)
		}
	})
}

func TestApplyManyKeys(t *testing.T) {
	// More distinct keys than combine tracks without allocating.
	var doc strings.Builder
	var want []Header
	doc.WriteString("customHeaders:\n  - pattern: '**'\n    headers:\n")
	for i := range 70 {
		fmt.Fprintf(&doc, "      - {key: X-%d, value: a}\n", i)
		want = append(want, Header{fmt.Sprintf("X-%d", i), "a"})
	}
	doc.WriteString("  - pattern: '*.js'\n    headers:\n")
	for i := 69; i >= 0; i -= 2 {
		fmt.Fprintf(&doc, "      - {key: x-%d, value: b}\n", i)
		want[i] = Header{fmt.Sprintf("x-%d", i), "b"}
	}
	doc.WriteString("      - {key: X-New, value: c}\n")
	want = append(want, Header{"X-New", "c"})
	r := mustParse(t, doc.String(), "")
	if diff := cmp.Diff(want, r.Apply("/a.js", 200)); diff != "" {
		t.Errorf("Apply mismatch (-want +got):\n%s", diff)
	}
}

func TestMatches(t *testing.T) {
	r := mustParse(t, docSecurity, "").Merge(mustParse(t, doc21, ""))
	want := []Match{
		{Index: 0, Line: 2, Pattern: "**", Headers: security},
		{Index: 1, Line: 2, Pattern: "*.json", Headers: []Header{{"custom-header-name-1", "custom-header-value-1"}}},
		{Index: 2, Line: 6, Pattern: "/path/*", Headers: []Header{{"custom-header-name-1", "custom-header-value-2"}}},
	}
	if diff := cmp.Diff(want, r.Matches("/path/a.json")); diff != "" {
		t.Errorf("Matches mismatch (-want +got):\n%s", diff)
	}
	t.Run("headers as written", func(t *testing.T) {
		r := mustParse(t, "customHeaders: [{pattern: '*', headers: [{key: A, value: '1'}, {key: a, value: '2'}]}]", "")
		want := []Match{{Index: 0, Line: 1, Pattern: "*", Headers: []Header{{"A", "1"}, {"a", "2"}}}}
		if diff := cmp.Diff(want, r.Matches("/")); diff != "" {
			t.Errorf("Matches mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestApplyConcurrent(t *testing.T) {
	r := mustParse(t, docSecurity, "").Merge(mustParse(t, doc21, ""))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for _, p := range []string{"/", "/a.json", "/path/a.json", "/path/a"} {
				checkHeaders(t, r.Apply(p, 200), 200)
				checkHeaders(t, r.Apply(p, 404), 404)
			}
		})
	}
	wg.Wait()
}

func TestNilRules(t *testing.T) {
	var r *Rules
	if r.Len() != 0 || r.Apply("/", 200) != nil || r.Matches("/") != nil {
		t.Errorf("nil rules: Len %d, Apply %v, Matches %v", r.Len(), r.Apply("/", 200), r.Matches("/"))
	}
}

func mustParse(t testing.TB, doc, appRoot string) *Rules {
	t.Helper()
	r, err := Parse(doc, appRoot)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return r
}
