package main

// End-to-end tests of custom rules and custom headers: every documented
// example of hosting-semantics §1.6 (R1–R35) and §2 is a ruleVector, run
// against a real server. Each vector's site becomes an app whose
// customRules, customHeaders and basic auth are set with UpdateApp and whose
// files are deployed as a zip; the vector's request then goes through the
// edge with the branch's Host header. Vectors that share a site share its
// app. Table tests of the same examples without HTTP live in edge/rules and
// edge/headers; these check that the pieces are wired together.

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"
)

// The single-page-app rule sources: the current docs' and the one older CDK
// examples used, without woff2 and webp (hosting-semantics §1.6).
const (
	spaSource    = `</^[^.]+$|\.(?!(css|gif|ico|jpg|js|png|txt|svg|woff|woff2|ttf|map|json|webp)$)([^.]+$)/>`
	oldSPASource = `</^[^.]+$|\.(?!(css|gif|ico|jpg|js|png|txt|svg|woff|ttf|map|json)$)([^.]+$)/>`
)

// Variables in a site's rules, replaced when its app is set up: the
// branch's host (main.<appId>.localhost), the same in upper case, and the
// base URL of the test's upstream for proxy rules. Only branch hosts reach
// the edge, so domain rules use the branch's own host as their source.
const (
	hostVar      = "{host}"
	upperHostVar = "{HOST}"
	upstreamVar  = "{upstream}"
)

// vectorSite is what a vector's app is set up with. Vectors that point to
// the same vectorSite share an app and a deployment.
type vectorSite struct {
	name    string             // names the app
	rules   []types.CustomRule // the app's customRules, with variables
	headers string             // the app's customHeaders YAML
	auth    string             // "user:password" of the app's basic auth; "" for none
	files   files              // the deployment
}

// ruleVector is one request to a site and the response expected.
type ruleVector struct {
	name   string
	site   *vectorSite
	path   string            // escaped path and query
	header map[string]string // request headers
	want   vectorWant
}

// vectorWant is the response a vector expects.
type vectorWant struct {
	status   int
	location string            // the Location header; "" means none
	file     string            // the file of the site whose body is served
	body     string            // when file is "": text the body contains
	lacks    []string          // text the body must not contain
	headers  map[string]string // exact header values; "" means absent
	not      map[string]string // values a header must not have
}

// cr is a custom rule without condition.
func cr(source, target, status string) types.CustomRule {
	return types.CustomRule{Source: aws.String(source), Target: aws.String(target), Status: aws.String(status)}
}

// crIf is a custom rule with a condition.
func crIf(source, target, status, condition string) types.CustomRule {
	r := cr(source, target, status)
	r.Condition = aws.String(condition)
	return r
}

// with returns a copy of m with the pairs kv added.
func with(m map[string]string, kv ...string) map[string]string {
	out := make(map[string]string, len(m)+len(kv)/2)
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// The basic-auth credentials of siteAuth, and the Authorization header that
// carries them.
const siteAuthCredentials = "pier:hunter2"

var siteAuthHeader = "Basic " + base64.StdEncoding.EncodeToString([]byte(siteAuthCredentials))

// Content types of the files the vectors serve.
const (
	htmlType = "text/html; charset=utf-8"
	jsType   = "text/javascript; charset=utf-8"
)

// The sites of §1.6, named after the first vector that uses them. Files a
// vector lists as "—" get an index.html (a deployment is never empty), and
// vectors whose rule must not match get a file at the requested path, so
// that falling through to it shows.
var (
	siteR1 = &vectorSite{name: "r1", rules: []types.CustomRule{cr("/original.html", "/destination.html", "301")},
		files: files{"index.html": "r1 home", "original.html": "original", "destination.html": "destination"}}
	siteR2 = &vectorSite{name: "r2", rules: []types.CustomRule{cr("/docs/<*>", "/documents/<*>", "301")},
		files: files{"index.html": "r2 home", "docs/a/b.html": "docs a b"}}
	siteR3 = &vectorSite{name: "r3", rules: []types.CustomRule{cr("/<*>", "/index.html", "200")},
		files: files{"index.html": "r3 home", "main.js": "console.log('r3')"}}
	siteR5 = &vectorSite{name: "r5", rules: []types.CustomRule{cr("https://"+hostVar, upstreamVar, "200")},
		files: files{"index.html": "r5 home"}}
	siteR6 = &vectorSite{name: "r6", rules: []types.CustomRule{cr("https://"+hostVar, "https://www.mydomain.com/documents/", "302")},
		files: files{"index.html": "r6 home"}}
	siteDomainCase = &vectorSite{name: "domain-case", rules: []types.CustomRule{cr("https://"+upperHostVar, "https://www.mydomain.com", "301")},
		files: files{"index.html": "domain-case home"}}
	siteR7 = &vectorSite{name: "r7", rules: []types.CustomRule{cr("/<*>", "/404.html", "404")},
		files: files{"index.html": "r7 home", "404.html": "r7 not found"}}
	siteSPA = &vectorSite{name: "r9-spa", rules: []types.CustomRule{cr(spaSource, "/index.html", "200")},
		files: files{
			"index.html": "spa shell", "static/app.js": "spa app", "report.pdf": "%PDF spa",
			"sitemap.xml": "<urlset/>", "img/logo.PNG": "spa logo", "fonts/a.woff2": "spa font",
		}}
	siteOldSPA = &vectorSite{name: "r15-old-spa", rules: []types.CustomRule{cr(oldSPASource, "/index.html", "200")},
		files: files{"index.html": "old spa shell", "fonts/a.woff2": "old spa font"}}
	siteR16 = &vectorSite{name: "r16", rules: []types.CustomRule{cr("/images/<*>", upstreamVar+"/<*>", "200")},
		files: files{"index.html": "r16 home", "images/cat.png": "local cat"}}
	// siteProxyHeaders proxies with custom headers, which override the
	// upstream's (hosting-semantics §0, step 8).
	siteProxyHeaders = &vectorSite{name: "proxy-headers", rules: []types.CustomRule{cr("/api/<*>", upstreamVar+"/<*>", "200")},
		headers: "customHeaders:\n  - pattern: '/api/**'\n    headers:\n      - key: X-Frame-Options\n        value: DENY\n      - key: X-Upstream\n        value: overridden\n      - key: Cache-Control\n        value: max-age=5\n",
		files:   files{"index.html": "proxy-headers home"}}
	siteR17 = &vectorSite{name: "r17", files: files{"index.html": "r17 home", "about.html": "about page"}}
	siteR18 = &vectorSite{name: "r18", files: files{"index.html": "r18 home", "about/index.html": "about index"}}
	siteR20 = &vectorSite{name: "r20", rules: []types.CustomRule{cr("/docs/<year>/<month>/<date>/<itemid>", "/documents/<year>/<month>/<date>/<itemid>", "301")},
		files: files{"index.html": "r20 home", "docs/2024/05/17.html": "day page"}}
	siteR22 = &vectorSite{name: "r22", rules: []types.CustomRule{cr("/docs?id=<my-blog-id-value>", "/documents/<my-blog-id-value>", "301")},
		files: files{"index.html": "r22 home", "docs.html": "docs page"}}
	siteR24 = &vectorSite{name: "r24", rules: []types.CustomRule{cr("/documents/<x>/<y>/<z>", "/documents/index.html", "404")},
		files: files{"index.html": "r24 home", "documents/index.html": "documents index"}}
	siteR25 = &vectorSite{name: "r25", rules: []types.CustomRule{crIf("/documents", "/documents/us/", "302", "<US>")},
		files: files{"index.html": "r25 home", "documents.html": "documents page"}}
	siteR27 = &vectorSite{name: "r27", rules: []types.CustomRule{
		cr("/docs/specific-filename.html", "/documents/different-filename.html", "301"),
		cr("/docs/<*>", "/documents/<*>", "301"),
	}, files: files{"index.html": "r27 home"}}
	siteR29 = &vectorSite{name: "r29", rules: []types.CustomRule{
		cr("/docs/<*>", "/documents/<*>", "301"),
		cr("/docs/specific-filename.html", "/documents/different-filename.html", "301"),
	}, files: files{"index.html": "r29 home"}}
	siteR30 = &vectorSite{name: "r30", rules: []types.CustomRule{cr("/docs/<*>/content", "/documents/<*>/content", "301")},
		files: files{"index.html": "r30 home", "docs/a/content.html": "content page"}}
	siteR31 = &vectorSite{name: "r31", rules: []types.CustomRule{cr("https://"+hostVar+"/specific-path", "https://www.example.com/", "301")},
		files: files{"index.html": "r31 home", "specific-path.html": "specific page"}}
	siteR32 = &vectorSite{name: "r32", rules: []types.CustomRule{cr("/old", "/new", "301")},
		files: files{"index.html": "r32 home"}}
	siteR33 = &vectorSite{name: "r33", rules: []types.CustomRule{cr("/old", "/new?a=b", "301")},
		files: files{"index.html": "r33 home"}}
	siteR34 = &vectorSite{name: "r34", rules: []types.CustomRule{cr("/<*>", "/index.html", "404-200")},
		files: files{"index.html": "r34 shell", "logo.png": "r34 logo"}}
)

// The sites of §2: custom headers.
var (
	// siteHeaders21 is the format example of §2.1.
	siteHeaders21 = &vectorSite{name: "headers-2-1", headers: `customHeaders:
  - pattern: '*.json'
    headers:
      - key: 'custom-header-name-1'
        value: 'custom-header-value-1'
  - pattern: '/path/*'
    headers:
      - key: 'custom-header-name-1'
        value: 'custom-header-value-2'
`, files: files{
		"index.html": "h21 home", "data.json": "{}", "api/v1/list.json": "[]",
		"path/page.html": "path page", "path/data.json": `{"path":1}`, "path/sub/deep.json": `{"deep":1}`,
	}}
	// siteSecurity is the security-headers example of §2.4 with the cache
	// example of §2.4 (doc S4), and rules that answer redirects and 404s.
	siteSecurity = &vectorSite{name: "headers-2-4", headers: `customHeaders:
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
  - pattern: '/img/*'
    headers:
      - key: 'Cache-Control'
        value: 's-maxage=3600'
`, rules: []types.CustomRule{
		cr("/old", "/new", "301"),
		cr("/img/old.png", "/img/logo.png", "301"),
		cr("/img/<*>", "/404.html", "404"),
	}, files: files{"index.html": "security home", "404.html": "security not found", "img/logo.png": "security logo"}}
	// siteOrder checks §2.3: later entries override earlier ones for the
	// same key (case-insensitively), basename and anchored patterns, "**",
	// literal braces, and custom Cache-Control on every 200.
	siteOrder = &vectorSite{name: "headers-order", headers: `customHeaders:
  - pattern: '**'
    headers:
      - key: 'X-Order'
        value: 'first'
      - key: 'Cache-Control'
        value: 'max-age=60'
  - pattern: '*.css'
    headers:
      - key: 'x-order'
        value: 'css'
  - pattern: '/assets/**'
    headers:
      - key: 'X-ORDER'
        value: 'assets'
  - pattern: '*.{woff,woff2}'
    headers:
      - key: 'X-Font'
        value: 'yes'
`, rules: []types.CustomRule{cr("/app/<*>", "/index.html", "404-200")},
		files: files{
			"index.html": "order home", "style.css": "body{}", "assets/a/b.css": "a{}",
			"static/assets/x.css": "x{}", "f.woff2": "font",
		}}
	// siteCustomHTTP deploys a customHttp.yml that overrides the app's
	// customHeaders for a key both set (§2.2).
	siteCustomHTTP = &vectorSite{name: "headers-customhttp", headers: `customHeaders:
  - pattern: '**'
    headers:
      - key: 'X-Source'
        value: 'app'
      - key: 'X-App-Only'
        value: 'app'
`, files: files{"index.html": "customhttp home", "data.json": "{}", "customHttp.yml": `customHeaders:
  - pattern: '**'
    headers:
      - key: 'x-source'
        value: 'customHttp.yml'
  - pattern: '*.json'
    headers:
      - key: 'X-File-Only'
        value: 'json'
`}}
	// siteMonorepo has customHeaders in the monorepo form of §2.1. A manual
	// deployment has no appRoot; Pier uses the first application.
	siteMonorepo = &vectorSite{name: "headers-monorepo", headers: `applications:
  - appRoot: app1
    customHeaders:
      - pattern: '**/*'
        headers: [{ key: 'x-a', value: '1' }]
  - appRoot: app2
    customHeaders:
      - pattern: '/path/*.json'
        headers: [{ key: 'x-b', value: '2' }]
`, files: files{"index.html": "monorepo home", "path/a.json": "{}"}}
	// siteAuth has the app's basic auth on (hosting-semantics §7.1), a rule
	// and a header.
	siteAuth = &vectorSite{name: "auth", auth: siteAuthCredentials,
		rules: []types.CustomRule{cr("/old", "/new", "301")},
		headers: `customHeaders:
  - pattern: '**'
    headers:
      - key: 'X-Frame-Options'
        value: 'DENY'
`, files: files{"index.html": "auth home"}}
)

// securityHeaders are the headers of the §2.4 example.
var securityHeaders = map[string]string{
	"Strict-Transport-Security": "max-age=31536000; includeSubDomains",
	"X-Frame-Options":           "SAMEORIGIN",
	"X-Xss-Protection":          "1; mode=block",
	"X-Content-Type-Options":    "nosniff",
	"Content-Security-Policy":   "default-src 'self'",
}

// notFoundPage is text of Pier's own 404 page.
const notFoundPage = "404 Not Found"

// upstreamLine is the first line of the test upstream's answer to a GET of
// uri (see newUpstream).
func upstreamLine(uri string) string { return "upstream GET " + uri + "\n" }

// ruleVectors are the examples of hosting-semantics §1.6 and §2, and a few
// more that pin down what the examples leave open.
var ruleVectors = []ruleVector{
	{name: "R1 literal redirect", site: siteR1, path: "/original.html",
		want: vectorWant{status: 301, location: "/destination.html"}},
	{name: "R2 rest of path", site: siteR2, path: "/docs/a/b.html",
		want: vectorWant{status: 301, location: "/documents/a/b.html"}},
	{name: "R3 catch-all rewrite", site: siteR3, path: "/x/y",
		want: vectorWant{status: 200, file: "index.html", headers: map[string]string{"Content-Type": htmlType}}},
	{name: "R4 rewrite ignores an existing file", site: siteR3, path: "/main.js",
		want: vectorWant{status: 200, file: "index.html", headers: map[string]string{"Content-Type": htmlType}}},
	{name: "R5 domain proxy", site: siteR5, path: "/",
		want: vectorWant{status: 200, body: upstreamLine("/"), lacks: []string{"r5 home"}, headers: map[string]string{"X-Upstream": "1"}}},
	{name: "R5 domain proxy appends the path and query", site: siteR5, path: "/a/b?q=1",
		want: vectorWant{status: 200, body: upstreamLine("/a/b?q=1")}},
	{name: "R6 domain redirect", site: siteR6, path: "/",
		want: vectorWant{status: 302, location: "https://www.mydomain.com/documents/"}},
	{name: "R6 domain redirect appends the path", site: siteR6, path: "/a/b",
		want: vectorWant{status: 302, location: "https://www.mydomain.com/documents/a/b"}},
	{name: "domain source is case-insensitive", site: siteDomainCase, path: "/x?y=1",
		want: vectorWant{status: 301, location: "https://www.mydomain.com/x?y=1"}},
	{name: "R7 404 page", site: siteR7, path: "/nope",
		want: vectorWant{status: 404, file: "404.html", headers: map[string]string{"Content-Type": htmlType}}},
	{name: "R8 404 rule skipped for an existing file", site: siteR7, path: "/index.html",
		want: vectorWant{status: 200, file: "index.html"}},
	{name: "R9 SPA route", site: siteSPA, path: "/dashboard/settings",
		want: vectorWant{status: 200, file: "index.html", headers: map[string]string{"Content-Type": htmlType}}},
	{name: "R10 SPA leaves js alone", site: siteSPA, path: "/static/app.js",
		want: vectorWant{status: 200, file: "static/app.js", headers: map[string]string{"Content-Type": jsType}}},
	{name: "R11 SPA rewrites pdf", site: siteSPA, path: "/report.pdf",
		want: vectorWant{status: 200, file: "index.html", headers: map[string]string{"Content-Type": htmlType}}},
	{name: "R12 SPA rewrites xml", site: siteSPA, path: "/sitemap.xml",
		want: vectorWant{status: 200, file: "index.html"}},
	{name: "R13 SPA extensions are case-sensitive", site: siteSPA, path: "/img/logo.PNG",
		want: vectorWant{status: 200, file: "index.html"}},
	{name: "R14 SPA leaves woff2 alone", site: siteSPA, path: "/fonts/a.woff2",
		want: vectorWant{status: 200, file: "fonts/a.woff2"}},
	{name: "R15 old SPA regex rewrites woff2", site: siteOldSPA, path: "/fonts/a.woff2",
		want: vectorWant{status: 200, file: "index.html"}},
	{name: "R16 proxy with rest of path", site: siteR16, path: "/images/cat.png",
		want: vectorWant{status: 200, body: upstreamLine("/cat.png"), lacks: []string{"local cat"}, headers: map[string]string{"X-Upstream": "1", "Location": ""}}},
	{name: "R16 proxy forwards the query", site: siteR16, path: "/images/cat.png?size=2",
		want: vectorWant{status: 200, body: upstreamLine("/cat.png?size=2")}},
	{name: "R16 proxy does not follow upstream redirects", site: siteR16, path: "/images/moved",
		want: vectorWant{status: 302, location: "/elsewhere"}},
	{name: "R16 proxy drops hop-by-hop headers", site: siteR16, path: "/images/echo",
		header: map[string]string{"Connection": "X-Client-Hop", "X-Client-Hop": "1", "Proxy-Authorization": "Basic eDp5", "X-Client": "kept"},
		want: vectorWant{status: 200, body: "X-Client: kept\n", lacks: []string{"X-Client-Hop", "Proxy-Authorization"},
			headers: map[string]string{"X-Upstream": "1", "X-Up-Hop": "", "Proxy-Authenticate": ""}}},
	{name: "R16 proxy sets X-Forwarded-Host", site: siteR16, path: "/images/echo",
		want: vectorWant{status: 200, body: "X-Forwarded-Host: main."}},
	{name: "R16 proxied responses get custom headers", site: siteProxyHeaders, path: "/api/x",
		want: vectorWant{status: 200, body: upstreamLine("/x"), headers: map[string]string{"X-Frame-Options": "DENY", "X-Upstream": "overridden", "Cache-Control": "max-age=5"}}},
	{name: "R16 proxied redirects get custom headers but Cache-Control", site: siteProxyHeaders, path: "/api/moved",
		want: vectorWant{status: 302, location: "/elsewhere", headers: map[string]string{"X-Frame-Options": "DENY"}, not: map[string]string{"Cache-Control": "max-age=5"}}},
	{name: "R17 clean URL", site: siteR17, path: "/about",
		want: vectorWant{status: 200, file: "about.html"}},
	{name: "R18 directory without slash", site: siteR18, path: "/about",
		want: vectorWant{status: 301, location: "/about/"}},
	{name: "R18 directory redirect keeps the query", site: siteR18, path: "/about?x=1",
		want: vectorWant{status: 301, location: "/about/?x=1"}},
	{name: "R19 directory index", site: siteR18, path: "/about/",
		want: vectorWant{status: 200, file: "about/index.html"}},
	{name: "R20 named placeholders", site: siteR20, path: "/docs/2024/05/17/42",
		want: vectorWant{status: 301, location: "/documents/2024/05/17/42"}},
	{name: "R21 placeholder count differs", site: siteR20, path: "/docs/2024/05/17",
		want: vectorWant{status: 200, file: "docs/2024/05/17.html"}},
	{name: "R22 query placeholder", site: siteR22, path: "/docs?id=123",
		want: vectorWant{status: 301, location: "/documents/123"}},
	{name: "R22 query placeholder forwards no query", site: siteR22, path: "/docs?id=123&x=1",
		want: vectorWant{status: 301, location: "/documents/123"}},
	{name: "R23 query parameter missing", site: siteR22, path: "/docs",
		want: vectorWant{status: 200, file: "docs.html"}},
	{name: "R24 404 with placeholders", site: siteR24, path: "/documents/a/b/c",
		want: vectorWant{status: 404, file: "documents/index.html"}},
	{name: "R25 viewer US by trusted header", site: siteR25, path: "/documents",
		header: map[string]string{"CloudFront-Viewer-Country": "US"},
		want:   vectorWant{status: 302, location: "/documents/us/"}},
	{name: "R26 viewer DE by trusted header", site: siteR25, path: "/documents",
		header: map[string]string{"CloudFront-Viewer-Country": "DE"},
		want:   vectorWant{status: 200, file: "documents.html"}},
	{name: "R25 viewer US by GeoIP of X-Forwarded-For", site: siteR25, path: "/documents",
		header: map[string]string{"X-Forwarded-For": geoUS},
		want:   vectorWant{status: 302, location: "/documents/us/"}},
	{name: "R26 viewer DE by GeoIP of X-Forwarded-For", site: siteR25, path: "/documents",
		header: map[string]string{"X-Forwarded-For": geoDE},
		want:   vectorWant{status: 200, file: "documents.html"}},
	{name: "R25 unknown viewer", site: siteR25, path: "/documents",
		want: vectorWant{status: 200, file: "documents.html"}},
	{name: "R27 specific rule first", site: siteR27, path: "/docs/specific-filename.html",
		want: vectorWant{status: 301, location: "/documents/different-filename.html"}},
	{name: "R28 wildcard after specific rule", site: siteR27, path: "/docs/other.html",
		want: vectorWant{status: 301, location: "/documents/other.html"}},
	{name: "R29 specific rule after wildcard is dead", site: siteR29, path: "/docs/specific-filename.html",
		want: vectorWant{status: 301, location: "/documents/specific-filename.html"}},
	{name: "R30 <*> not at the end is ignored", site: siteR30, path: "/docs/a/content",
		want: vectorWant{status: 200, file: "docs/a/content.html"}},
	{name: "R31 domain source with a path is ignored", site: siteR31, path: "/specific-path",
		want: vectorWant{status: 200, file: "specific-path.html"}},
	{name: "R32 query forwarded", site: siteR32, path: "/old?x=1&y=2",
		want: vectorWant{status: 301, location: "/new?x=1&y=2"}},
	{name: "R33 target query wins", site: siteR33, path: "/old?x=1",
		want: vectorWant{status: 301, location: "/new?a=b"}},
	{name: "R34 404-200 for a missing file", site: siteR34, path: "/app/route",
		want: vectorWant{status: 200, file: "index.html"}},
	{name: "R35 404-200 skipped for an existing file", site: siteR34, path: "/logo.png",
		want: vectorWant{status: 200, file: "logo.png"}},

	{name: "H2.1 basename pattern", site: siteHeaders21, path: "/data.json",
		want: vectorWant{status: 200, file: "data.json", headers: map[string]string{"Custom-Header-Name-1": "custom-header-value-1"}}},
	{name: "H2.1 basename pattern at any depth", site: siteHeaders21, path: "/api/v1/list.json",
		want: vectorWant{status: 200, file: "api/v1/list.json", headers: map[string]string{"Custom-Header-Name-1": "custom-header-value-1"}}},
	{name: "H2.1 anchored pattern", site: siteHeaders21, path: "/path/page.html",
		want: vectorWant{status: 200, file: "path/page.html", headers: map[string]string{"Custom-Header-Name-1": "custom-header-value-2"}}},
	{name: "H2.1 later entry overrides", site: siteHeaders21, path: "/path/data.json",
		want: vectorWant{status: 200, file: "path/data.json", headers: map[string]string{"Custom-Header-Name-1": "custom-header-value-2"}}},
	{name: "H2.1 star does not cross slash", site: siteHeaders21, path: "/path/sub/deep.json",
		want: vectorWant{status: 200, file: "path/sub/deep.json", headers: map[string]string{"Custom-Header-Name-1": "custom-header-value-1"}}},
	{name: "H2.1 no pattern matches", site: siteHeaders21, path: "/",
		want: vectorWant{status: 200, file: "index.html", headers: map[string]string{"Custom-Header-Name-1": ""}}},

	{name: "H2.4 security headers", site: siteSecurity, path: "/",
		want: vectorWant{status: 200, file: "index.html", headers: securityHeaders, not: map[string]string{"Cache-Control": "s-maxage=3600"}}},
	{name: "H2.4 cache example", site: siteSecurity, path: "/img/logo.png",
		want: vectorWant{status: 200, file: "img/logo.png", headers: with(securityHeaders, "Cache-Control", "s-maxage=3600")}},
	{name: "H2.4 security headers on a redirect, custom Cache-Control not", site: siteSecurity, path: "/img/old.png",
		want: vectorWant{status: 301, location: "/img/logo.png", headers: securityHeaders, not: map[string]string{"Cache-Control": "s-maxage=3600"}}},
	{name: "H2.4 security headers on a 404 rule's page, custom Cache-Control not", site: siteSecurity, path: "/img/missing.png",
		want: vectorWant{status: 404, file: "404.html", headers: securityHeaders, not: map[string]string{"Cache-Control": "s-maxage=3600"}}},
	{name: "H2.4 security headers on Pier's 404 page", site: siteSecurity, path: "/missing",
		want: vectorWant{status: 404, body: notFoundPage, headers: securityHeaders}},
	{name: "H2.4 security headers with R32 query forwarding", site: siteSecurity, path: "/old?x=1&y=2",
		want: vectorWant{status: 301, location: "/new?x=1&y=2", headers: securityHeaders}},

	{name: "H2.3 first entry and custom Cache-Control", site: siteOrder, path: "/",
		want: vectorWant{status: 200, file: "index.html", headers: map[string]string{"X-Order": "first", "Cache-Control": "max-age=60", "X-Font": ""}}},
	{name: "H2.3 later entry overrides, keys case-insensitive", site: siteOrder, path: "/style.css",
		want: vectorWant{status: 200, file: "style.css", headers: map[string]string{"X-Order": "css", "Cache-Control": "max-age=60"}}},
	{name: "H2.3 double star crosses slash", site: siteOrder, path: "/assets/a/b.css",
		want: vectorWant{status: 200, file: "assets/a/b.css", headers: map[string]string{"X-Order": "assets"}}},
	{name: "H2.3 slash patterns are anchored", site: siteOrder, path: "/static/assets/x.css",
		want: vectorWant{status: 200, file: "static/assets/x.css", headers: map[string]string{"X-Order": "css"}}},
	{name: "H2.3 braces are literal", site: siteOrder, path: "/f.woff2",
		want: vectorWant{status: 200, file: "f.woff2", headers: map[string]string{"X-Order": "first", "X-Font": ""}}},
	{name: "H2.2 custom Cache-Control on a 404-200", site: siteOrder, path: "/app/route",
		want: vectorWant{status: 200, file: "index.html", headers: map[string]string{"X-Order": "first", "Cache-Control": "max-age=60"}}},
	{name: "H2.2 no custom Cache-Control on a 404", site: siteOrder, path: "/missing",
		want: vectorWant{status: 404, body: notFoundPage, headers: map[string]string{"X-Order": "first", "Cache-Control": ""}}},

	{name: "H2.2 customHttp.yml wins over the app", site: siteCustomHTTP, path: "/",
		want: vectorWant{status: 200, file: "index.html", headers: map[string]string{"X-Source": "customHttp.yml", "X-App-Only": "app", "X-File-Only": ""}}},
	{name: "H2.2 customHttp.yml patterns", site: siteCustomHTTP, path: "/data.json",
		want: vectorWant{status: 200, file: "data.json", headers: map[string]string{"X-Source": "customHttp.yml", "X-App-Only": "app", "X-File-Only": "json"}}},
	{name: "H2.1 monorepo form, first application", site: siteMonorepo, path: "/path/a.json",
		want: vectorWant{status: 200, file: "path/a.json", headers: map[string]string{"X-A": "1", "X-B": ""}}},

	{name: "auth required", site: siteAuth, path: "/old",
		want: vectorWant{status: 401, body: "401 Unauthorized", headers: map[string]string{
			"Www-Authenticate": `Basic realm="Restricted", charset="UTF-8"`, "X-Frame-Options": "DENY", "Location": ""}}},
	{name: "auth wrong password", site: siteAuth, path: "/",
		header: map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("pier:wrong"))},
		want:   vectorWant{status: 401, lacks: []string{"auth home"}}},
	{name: "auth then rules", site: siteAuth, path: "/old?x=1",
		header: map[string]string{"Authorization": siteAuthHeader},
		want:   vectorWant{status: 301, location: "/new?x=1", headers: map[string]string{"X-Frame-Options": "DENY"}}},
	{name: "auth then files", site: siteAuth, path: "/",
		header: map[string]string{"Authorization": siteAuthHeader},
		want:   vectorWant{status: 200, file: "index.html", headers: map[string]string{"X-Frame-Options": "DENY"}}},
}

// vectorNamed returns the vector called name.
func vectorNamed(t *testing.T, name string) ruleVector {
	t.Helper()
	for _, v := range ruleVectors {
		if v.name == name {
			return v
		}
	}
	t.Fatalf("no vector %q", name)
	return ruleVector{}
}

// TestRulesVectors runs every vector on a server whose proxy may reach the
// test's plain-HTTP upstream on loopback, which believes
// CloudFront-Viewer-Country from 127.0.0.1, and which looks the
// X-Forwarded-For address up in a GeoIP database.
func TestRulesVectors(t *testing.T) {
	t.Parallel()
	upstream := newUpstream(t)
	s := startDeployServer(t, "--proxy-allow", "127.0.0.0/8", "--proxy-allow-http",
		"--trusted-proxies", "127.0.0.1/32", "--geoip-db", writeGeoDB(t))
	apps := s.setUpSites(t, ruleVectors, upstream)
	s.runVectors(t, ruleVectors, apps)
}

// vectorApp is the app a vectorSite was set up as.
type vectorApp struct {
	id   string
	host string // the branch's host
}

// setUpSites sets up an app for each site of vectors, in parallel, and
// returns them by site; upstream replaces {upstream} in rules. It ends the
// test if one fails.
func (s *testServer) setUpSites(t *testing.T, vectors []ruleVector, upstream string) map[*vectorSite]vectorApp {
	t.Helper()
	var sites []*vectorSite
	apps := make(map[*vectorSite]vectorApp)
	for _, v := range vectors {
		if _, ok := apps[v.site]; !ok {
			apps[v.site] = vectorApp{}
			sites = append(sites, v.site)
		}
	}
	var mu sync.Mutex
	ok := t.Run("setup", func(t *testing.T) {
		for _, site := range sites {
			t.Run(site.name, func(t *testing.T) {
				t.Parallel()
				app := s.setUpSite(t, site, upstream)
				mu.Lock()
				defer mu.Unlock()
				apps[site] = app
			})
		}
	})
	if !ok {
		t.FailNow()
	}
	return apps
}

// setUpSite creates an app with a branch main, sets its rules, headers and
// basic auth with UpdateApp, and deploys its files.
func (s *testServer) setUpSite(t *testing.T, site *vectorSite, upstream string) vectorApp {
	t.Helper()
	appID := newSite(t, s, "rules-"+site.name)
	host := "main." + strings.ToLower(appID) + ".localhost"
	expand := strings.NewReplacer(hostVar, host, upperHostVar, strings.ToUpper(host), upstreamVar, upstream).Replace
	in := &amplify.UpdateAppInput{AppId: aws.String(appID)}
	for _, r := range site.rules {
		r.Source, r.Target = aws.String(expand(*r.Source)), aws.String(expand(*r.Target))
		in.CustomRules = append(in.CustomRules, r)
	}
	if site.headers != "" {
		in.CustomHeaders = aws.String(site.headers)
	}
	if site.auth != "" {
		in.EnableBasicAuth = aws.Bool(true)
		in.BasicAuthCredentials = aws.String(base64.StdEncoding.EncodeToString([]byte(site.auth)))
	}
	if _, err := s.client.UpdateApp(t.Context(), in); err != nil {
		t.Fatalf("UpdateApp(%s): %v", site.name, err)
	}
	s.deploy(t, appID, site.files)
	return vectorApp{id: appID, host: host}
}

// runVectors runs each vector as a parallel subtest on the apps set up for
// their sites.
func (s *testServer) runVectors(t *testing.T, vectors []ruleVector, apps map[*vectorSite]vectorApp) {
	t.Helper()
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			r := s.get(t, apps[v.site].id, v.path, v.requestHeader())
			v.check(t, r)
		})
	}
}

// requestHeader returns the vector's request headers.
func (v ruleVector) requestHeader() http.Header {
	h := http.Header{}
	for k, val := range v.header {
		h.Set(k, val)
	}
	return h
}

// check fails the test unless r is the response v wants.
func (v ruleVector) check(t *testing.T, r rawResponse) {
	t.Helper()
	if v.want.file != "" {
		if _, ok := v.site.files[v.want.file]; !ok {
			t.Fatalf("vector %q wants file %q, which site %s does not have", v.name, v.want.file, v.site.name)
		}
	}
	for _, p := range v.problems(r) {
		t.Errorf("GET %s: %s", v.path, p)
	}
}

// problems describes how r differs from the response v wants; none if it
// does not.
func (v ruleVector) problems(r rawResponse) []string {
	var ps []string
	add := func(format string, args ...any) { ps = append(ps, fmt.Sprintf(format, args...)) }
	w := v.want
	if r.Status != w.status {
		add("status %d, want %d (body %q)", r.Status, w.status, clip(r.Body))
	}
	if got := r.Header.Get("Location"); got != w.location {
		add("Location %q, want %q", got, w.location)
	}
	switch {
	case w.file != "":
		if want := v.site.files[w.file]; string(r.Body) != want {
			add("body %q, want %s: %q", clip(r.Body), w.file, want)
		}
	case w.body != "":
		if !strings.Contains(string(r.Body), w.body) {
			add("body %q does not contain %q", r.Body, w.body)
		}
	}
	for _, text := range w.lacks {
		if strings.Contains(string(r.Body), text) {
			add("body %q contains %q", r.Body, text)
		}
	}
	for _, k := range sortedKeys(w.headers) {
		got, want := r.Header.Values(k), w.headers[k]
		switch {
		case want == "" && len(got) > 0:
			add("header %s = %q, want none", k, got)
		case want != "" && (len(got) != 1 || got[0] != want):
			add("header %s = %q, want %q", k, got, want)
		}
	}
	for _, k := range sortedKeys(w.not) {
		if got := r.Header.Get(k); got == w.not[k] {
			add("header %s = %q, want another value", k, got)
		}
	}
	return ps
}
